//===- OnnxDecompose.h - qnt ops for ONNX ops without a qnt op --*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// LSTM, GRU, RNN and Einsum have no qnt op: their converters build them
// from existing ones (gemm, matmul, slice, concat, element-wise math). The
// Decomposer builds those ops at one node's location, computing each
// result type from the operands' static shapes, so the converters read as
// the ONNX equations they implement.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_LIB_IMPORT_ONNXDECOMPOSE_H
#define QUANT_LIB_IMPORT_ONNXDECOMPOSE_H

#include "OnnxOpsCommon.h"

#include "llvm/ADT/DenseMap.h"

namespace mlir::qnt::detail {

class Decomposer {
public:
  /// Ops at `node`'s location on tensors of `elementType`.
  Decomposer(Importer &im, const onnx::NodeProto &node, Type elementType);

  Value reshape(Value x, llvm::ArrayRef<int64_t> shape);
  Value transpose(Value x, llvm::ArrayRef<int64_t> perm);
  /// x[..., start:end:step, ...] on `axis`.
  Value slice(Value x, int64_t axis, int64_t start, int64_t end,
              int64_t step = 1);
  /// x[index] on axis 0 of `x`, without that axis.
  Value row(Value x, int64_t index);
  Value concat(llvm::ArrayRef<Value> xs, int64_t axis);

  /// `OpTy` (a broadcasting element-wise qnt op) of `a` and `bv`, of the
  /// decomposer's element type.
  template <typename OpTy>
  Value binary(Value a, Value bv) {
    return OpTy::create(b, loc, broadcastType(a, bv, elementType), a, bv);
  }
  Value add(Value a, Value bv) { return binary<AddOp>(a, bv); }
  Value sub(Value a, Value bv) { return binary<SubOp>(a, bv); }
  Value mul(Value a, Value bv) { return binary<MulOp>(a, bv); }
  Value div(Value a, Value bv) { return binary<DivOp>(a, bv); }
  Value max(Value a, Value bv) { return binary<MaxOp>(a, bv); }
  Value min(Value a, Value bv) { return binary<MinOp>(a, bv); }
  Value clamp(Value x, float lo, float hi);
  template <typename OpTy>
  Value unary(Value x) {
    return OpTy::create(b, loc, x.getType(), x);
  }
  /// a * op(b)^T... : qnt.gemm of 2-D `a` and `b` (b transposed when
  /// `transB`) plus optional `c` broadcast to the result.
  Value gemm(Value a, Value bm, Value c, bool transB);
  /// numpy matmul of operands of one rank >= 2 with equal batch dims.
  Value matmul(Value a, Value bm);
  Value reduceSum(Value x, llvm::ArrayRef<int64_t> axes, bool keepdims) {
    return reduce<ReduceSumOp>(x, axes, keepdims);
  }
  /// qnt.reduce_* of `x` over `axes` (none: `x` itself).
  template <typename OpTy>
  Value reduce(Value x, llvm::ArrayRef<int64_t> axes, bool keepdims) {
    if (axes.empty())
      return x;
    return OpTy::create(b, loc, typeOf(reducedShape(x, axes, keepdims)), x,
                        b.getDenseI64ArrayAttr(axes), b.getBoolAttr(keepdims));
  }

  /// A float constant of `shape` filled with `value`.
  Value splat(float value, llvm::ArrayRef<int64_t> shape = {});
  /// An i32 scalar constant.
  Value intScalar(int32_t value);
  /// An i1 constant of `shape`.
  Value boolConstant(llvm::ArrayRef<bool> values,
                     llvm::ArrayRef<int64_t> shape);
  Value select(Value cond, Value onTrue, Value onFalse);
  Value compare(Value a, Value bv, ComparePredicate predicate);
  Value castTo(Value x, Type elementType);
  /// An i8 tensor holding ONNX uint8 bits as its i32 values 0..255.
  Value zeroExtend8(Value x);

  Type getElementType() const { return elementType; }
  OpBuilder &getBuilder() { return b; }
  Location getLoc() const { return loc; }

private:
  RankedTensorType typeOf(llvm::ArrayRef<int64_t> shape) const {
    return RankedTensorType::get(shape, elementType);
  }
  RankedTensorType broadcastType(Value a, Value b, Type element) const;
  static llvm::SmallVector<int64_t>
  reducedShape(Value x, llvm::ArrayRef<int64_t> axes, bool keepdims);

  Importer &im;
  OpBuilder &b;
  Location loc;
  Type elementType;
  /// Scalar splats made so far (one constant per value).
  llvm::DenseMap<uint32_t, Value> scalars;
};

} // namespace mlir::qnt::detail

#endif // QUANT_LIB_IMPORT_ONNXDECOMPOSE_H
