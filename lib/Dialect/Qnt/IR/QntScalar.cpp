//===- QntScalar.cpp - Building one element of an element-wise op ---------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntScalar.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qnt;

/// The signed integer form of an ordered float comparison.
static arith::CmpIPredicate toSignedPredicate(arith::CmpFPredicate p) {
  switch (p) {
  case arith::CmpFPredicate::OEQ:
    return arith::CmpIPredicate::eq;
  case arith::CmpFPredicate::OGT:
    return arith::CmpIPredicate::sgt;
  case arith::CmpFPredicate::OGE:
    return arith::CmpIPredicate::sge;
  case arith::CmpFPredicate::OLT:
    return arith::CmpIPredicate::slt;
  case arith::CmpFPredicate::OLE:
    return arith::CmpIPredicate::sle;
  default:
    return arith::CmpIPredicate::ne;
  }
}

bool ScalarBuilder::isInteger() const { return isa<IntegerType>(type); }

Value ScalarBuilder::c(double v) const {
  if (isInteger())
    return arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(type, static_cast<int64_t>(v)));
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
}
Value ScalarBuilder::add(Value x, Value y) const {
  if (isInteger())
    return arith::AddIOp::create(b, loc, x, y);
  return arith::AddFOp::create(b, loc, x, y);
}
Value ScalarBuilder::sub(Value x, Value y) const {
  if (isInteger())
    return arith::SubIOp::create(b, loc, x, y);
  return arith::SubFOp::create(b, loc, x, y);
}
Value ScalarBuilder::mul(Value x, Value y) const {
  if (isInteger())
    return arith::MulIOp::create(b, loc, x, y);
  return arith::MulFOp::create(b, loc, x, y);
}
Value ScalarBuilder::div(Value x, Value y) const {
  if (!isInteger())
    return arith::DivFOp::create(b, loc, x, y);
  // Truncating division, made total: x / 0 is 0, and x / -1 is -x (which
  // wraps for the minimum), the two cases where LLVM's sdiv is undefined.
  Value zero = c(0.0), minusOne = c(-1.0);
  Value byZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y,
                                       zero);
  Value byMinusOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           y, minusOne);
  Value safe = select(arith::OrIOp::create(b, loc, byZero, byMinusOne),
                      c(1.0), y);
  Value quotient = arith::DivSIOp::create(b, loc, x, safe);
  return select(byZero, zero,
                select(byMinusOne, arith::SubIOp::create(b, loc, zero, x),
                       quotient));
}
Value ScalarBuilder::max(Value x, Value y) const {
  if (isInteger())
    return arith::MaxSIOp::create(b, loc, x, y);
  return arith::MaximumFOp::create(b, loc, x, y);
}
Value ScalarBuilder::min(Value x, Value y) const {
  if (isInteger())
    return arith::MinSIOp::create(b, loc, x, y);
  return arith::MinimumFOp::create(b, loc, x, y);
}
Value ScalarBuilder::neg(Value x) const {
  if (isInteger())
    return arith::SubIOp::create(b, loc, c(0.0), x);
  return arith::NegFOp::create(b, loc, x);
}
Value ScalarBuilder::abs(Value x) const {
  if (isInteger())
    return math::AbsIOp::create(b, loc, x);
  return math::AbsFOp::create(b, loc, x);
}
Value ScalarBuilder::pow(Value x, Value y) const {
  if (!isInteger())
    return math::PowFOp::create(b, loc, x, y);
  // As ONNX Runtime: pow in double, truncated back (exact while |x^y| is
  // below 2^53; out-of-range results saturate, NaN becomes 0).
  Type f64 = b.getF64Type();
  Value p = math::PowFOp::create(b, loc, arith::SIToFPOp::create(b, loc, f64, x),
                                 arith::SIToFPOp::create(b, loc, f64, y));
  // fptosi is poison out of range: clamp to the largest doubles inside it.
  unsigned bits = type.getIntOrFloatBitWidth();
  double hi = std::nextafter(std::ldexp(1.0, bits - 1), 0.0);
  double lo = -std::ldexp(1.0, bits - 1);
  auto f64c = [&](double v) {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
  };
  Value clamped = arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, p, f64c(lo)), f64c(hi));
  Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, p, p);
  return select(isNan, c(0.0),
                arith::FPToSIOp::create(b, loc, type, clamped));
}
Value ScalarBuilder::sqrt(Value x) const {
  return math::SqrtOp::create(b, loc, x);
}
Value ScalarBuilder::exp(Value x) const {
  return math::ExpOp::create(b, loc, x);
}
Value ScalarBuilder::log(Value x) const {
  return math::LogOp::create(b, loc, x);
}
Value ScalarBuilder::log1p(Value x) const {
  // math.log1p reaches LLVM as log(1 + x), which is 0 for |x| below half
  // an ulp of 1. Goldberg's correction (What Every Computer Scientist
  // Should Know About Floating-Point Arithmetic, theorem 4): with u = 1 + x
  // rounded, log(u) * x / (u - 1) is accurate to a few ulps, and x itself
  // where u == 1.
  Value u = add(c(1.0), x);
  Value exact = cmp(arith::CmpFPredicate::OEQ, u, c(1.0));
  Value corrected = div(mul(log(u), x), sub(u, c(1.0)));
  return select(exact, x, corrected);
}
Value ScalarBuilder::erf(Value x) const {
  return math::ErfOp::create(b, loc, x);
}
Value ScalarBuilder::roundEven(Value x) const {
  return math::RoundEvenOp::create(b, loc, x);
}
Value ScalarBuilder::tanh(Value x) const {
  return math::TanhOp::create(b, loc, x);
}
Value ScalarBuilder::cmp(arith::CmpFPredicate predicate, Value x,
                         Value y) const {
  if (isInteger())
    return arith::CmpIOp::create(b, loc, toSignedPredicate(predicate), x, y);
  return arith::CmpFOp::create(b, loc, predicate, x, y);
}
Value ScalarBuilder::select(Value condition, Value x, Value y) const {
  return arith::SelectOp::create(b, loc, condition, x, y);
}
Value ScalarBuilder::hardSigmoid(Value x, double alpha, double beta) const {
  return max(c(0.0), min(c(1.0), add(mul(c(alpha), x), c(beta))));
}
Value ScalarBuilder::softplus(Value x) const {
  return add(max(x, c(0.0)), log1p(exp(neg(abs(x)))));
}
