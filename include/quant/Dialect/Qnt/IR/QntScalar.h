//===- QntScalar.h - Building one element of an element-wise op -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// ScalarBuilder is the vocabulary element-wise qnt ops write their formula
// in (ElementwiseOpInterface::buildScalar, with the formula in QntOps.td),
// as linalg's named ops carry their scalar bodies in the dialect. It builds
// arith and math ops on scalars of one float or signless integer type (the
// integers are signed, as ONNX's INT8/INT32/INT64); the formulas are
// docs/Numerics.md's.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTSCALAR_H
#define QUANT_DIALECT_QNT_IR_QNTSCALAR_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::qnt {

/// Scalar arithmetic at one builder position, on one float type or one
/// signed integer type (add, sub, mul, div, max, min, pow, cmp, select,
/// abs and neg; the rest are float only).
class ScalarBuilder {
public:
  ScalarBuilder(OpBuilder &builder, Location loc, Type type)
      : b(builder), loc(loc), type(type) {}

  OpBuilder &getBuilder() const { return b; }
  Location getLoc() const { return loc; }
  Type getType() const { return type; }

  /// Whether the type is an integer (signed; wrapping add/sub/mul).
  bool isInteger() const;
  /// A constant of the type (truncated toward zero for integers).
  Value c(double v) const;
  Value add(Value x, Value y) const;
  Value sub(Value x, Value y) const;
  Value mul(Value x, Value y) const;
  /// Integers: truncating, with x / 0 = 0 and x / -1 = -x (wrapping).
  Value div(Value x, Value y) const;
  /// IEEE maximum / minimum (NaN propagates).
  Value max(Value x, Value y) const;
  Value min(Value x, Value y) const;
  Value neg(Value x) const;
  Value abs(Value x) const;
  /// Integers: computed in double and truncated, clamped to the type.
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
  /// Integers compare signed with the predicate's ordered meaning (UNE is
  /// ne).
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
