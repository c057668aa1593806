//===- QntScalar.h - Building one element of an element-wise op -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// ScalarBuilder is the vocabulary element-wise qnt ops write their formula
// in (ElementwiseOpInterface::buildScalar, with the formula in QntOps.td),
// as linalg's named ops carry their scalar bodies in the dialect. It builds
// arith and math ops on scalars of one float type; the formulas are
// docs/Numerics.md's.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTSCALAR_H
#define QUANT_DIALECT_QNT_IR_QNTSCALAR_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::qnt {

/// Scalar arithmetic at one builder position, on one float type.
class ScalarBuilder {
public:
  ScalarBuilder(OpBuilder &builder, Location loc, Type type)
      : b(builder), loc(loc), type(type) {}

  OpBuilder &getBuilder() const { return b; }
  Location getLoc() const { return loc; }
  Type getType() const { return type; }

  /// A constant of the float type.
  Value c(double v) const;
  Value add(Value x, Value y) const;
  Value sub(Value x, Value y) const;
  Value mul(Value x, Value y) const;
  Value div(Value x, Value y) const;
  /// IEEE maximum / minimum (NaN propagates).
  Value max(Value x, Value y) const;
  Value min(Value x, Value y) const;
  Value neg(Value x) const;
  Value abs(Value x) const;
  Value pow(Value x, Value y) const;
  Value sqrt(Value x) const;
  Value exp(Value x) const;
  Value log(Value x) const;
  /// log(1 + x), accurate near 0 (a few ulps; not math.log1p, whose LLVM
  /// lowering is log(1 + x)).
  Value log1p(Value x) const;
  Value erf(Value x) const;
  Value tanh(Value x) const;
  /// Round half to even.
  Value roundEven(Value x) const;
  Value cmp(arith::CmpFPredicate predicate, Value x, Value y) const;
  Value select(Value condition, Value x, Value y) const;
  /// max(0, min(1, alpha * x + beta)).
  Value hardSigmoid(Value x, double alpha, double beta) const;
  /// log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)): no overflow for
  /// large x, no lost digits for very negative x.
  Value softplus(Value x) const;

private:
  OpBuilder &b;
  Location loc;
  Type type;
};

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_IR_QNTSCALAR_H
