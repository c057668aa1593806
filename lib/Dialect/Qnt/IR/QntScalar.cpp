//===- QntScalar.cpp - Building one element of an element-wise op ---------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntScalar.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::qnt;

Value ScalarBuilder::c(double v) const {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
}
Value ScalarBuilder::add(Value x, Value y) const {
  return arith::AddFOp::create(b, loc, x, y);
}
Value ScalarBuilder::sub(Value x, Value y) const {
  return arith::SubFOp::create(b, loc, x, y);
}
Value ScalarBuilder::mul(Value x, Value y) const {
  return arith::MulFOp::create(b, loc, x, y);
}
Value ScalarBuilder::div(Value x, Value y) const {
  return arith::DivFOp::create(b, loc, x, y);
}
Value ScalarBuilder::max(Value x, Value y) const {
  return arith::MaximumFOp::create(b, loc, x, y);
}
Value ScalarBuilder::min(Value x, Value y) const {
  return arith::MinimumFOp::create(b, loc, x, y);
}
Value ScalarBuilder::neg(Value x) const {
  return arith::NegFOp::create(b, loc, x);
}
Value ScalarBuilder::abs(Value x) const {
  return math::AbsFOp::create(b, loc, x);
}
Value ScalarBuilder::pow(Value x, Value y) const {
  return math::PowFOp::create(b, loc, x, y);
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
