//===- OnnxDecompose.cpp - qnt ops for ONNX ops without a qnt op *- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "OnnxDecompose.h"

#include "quant/Dialect/Qnt/IR/QntShapes.h"

#include "llvm/ADT/bit.h"

#include <cassert>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

Decomposer::Decomposer(Importer &im, const onnx::NodeProto &node,
                       Type elementType)
    : im(im), b(im.getBuilder()), loc(im.getLoc(node)),
      elementType(elementType) {}

RankedTensorType Decomposer::broadcastType(Value a, Value bv,
                                           Type element) const {
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes(shapeOf(a), shapeOf(bv));
  assert(shape && "the decompositions broadcast compatible shapes");
  return RankedTensorType::get(*shape, element);
}

Value Decomposer::reshape(Value x, ArrayRef<int64_t> shape) {
  if (shapeOf(x) == shape)
    return x;
  auto type = RankedTensorType::get(
      shape, cast<ShapedType>(x.getType()).getElementType());
  return ReshapeOp::create(b, loc, type, x);
}

Value Decomposer::transpose(Value x, ArrayRef<int64_t> perm) {
  ArrayRef<int64_t> in = shapeOf(x);
  SmallVector<int64_t> shape;
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm)) {
    shape.push_back(in[p]);
    identity &= static_cast<int64_t>(i) == p;
  }
  if (identity)
    return x;
  return TransposeOp::create(b, loc, typeOf(shape), x,
                             b.getDenseI64ArrayAttr(perm));
}

Value Decomposer::slice(Value x, int64_t axis, int64_t start, int64_t end,
                        int64_t step) {
  ArrayRef<int64_t> in = shapeOf(x);
  SmallVector<int64_t> starts(in.size(), 0), ends(in), steps(in.size(), 1);
  starts[axis] = start;
  ends[axis] = end;
  steps[axis] = step;
  if (start == 0 && end == in[axis] && step == 1)
    return x;
  SmallVector<int64_t> shape(in);
  shape[axis] = sliceOutputDim(start, end, step);
  return SliceOp::create(
      b, loc, typeOf(shape), x, b.getDenseI64ArrayAttr(starts),
      b.getDenseI64ArrayAttr(ends), b.getDenseI64ArrayAttr(steps));
}

Value Decomposer::row(Value x, int64_t index) {
  Value one = slice(x, 0, index, index + 1);
  return reshape(one, shapeOf(x).drop_front());
}

Value Decomposer::concat(ArrayRef<Value> xs, int64_t axis) {
  if (xs.size() == 1)
    return xs[0];
  SmallVector<int64_t> shape(shapeOf(xs[0]));
  shape[axis] = 0;
  for (Value x : xs)
    shape[axis] += shapeOf(x)[axis];
  return ConcatOp::create(b, loc, typeOf(shape), xs, b.getI64IntegerAttr(axis));
}

Value Decomposer::clamp(Value x, float lo, float hi) {
  return ClampOp::create(b, loc, x.getType(), x, b.getF32FloatAttr(lo),
                         b.getF32FloatAttr(hi));
}

Value Decomposer::gemm(Value a, Value bm, Value c, bool transB) {
  int64_t m = shapeOf(a)[0];
  int64_t n = shapeOf(bm)[transB ? 0 : 1];
  return GemmOp::create(b, loc, typeOf({m, n}), a, bm, c,
                        b.getF32FloatAttr(1.0f), b.getF32FloatAttr(1.0f),
                        b.getBoolAttr(false), b.getBoolAttr(transB));
}

Value Decomposer::matmul(Value a, Value bm) {
  SmallVector<int64_t> shape(shapeOf(a).drop_back());
  shape.push_back(shapeOf(bm).back());
  return MatMulOp::create(b, loc, typeOf(shape), a, bm);
}

SmallVector<int64_t> Decomposer::reducedShape(Value x, ArrayRef<int64_t> axes,
                                              bool keepdims) {
  SmallVector<int64_t> shape;
  for (auto [d, size] : llvm::enumerate(shapeOf(x))) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(d)))
      shape.push_back(size);
    else if (keepdims)
      shape.push_back(1);
  }
  return shape;
}

Value Decomposer::splat(float value, ArrayRef<int64_t> shape) {
  if (shape.empty()) {
    Value &cached = scalars[llvm::bit_cast<uint32_t>(value)];
    if (!cached)
      cached = materializeFloats(im, {value}, {}, loc, "splat");
    return cached;
  }
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  SmallVector<float> values(n, value);
  return materializeFloats(im, values, shape, loc, "splat");
}

Value Decomposer::boolConstant(ArrayRef<bool> values, ArrayRef<int64_t> shape) {
  ConstTensor c;
  c.dtype = onnx::TensorProto::BOOL;
  c.shape.assign(shape.begin(), shape.end());
  for (bool v : values)
    c.ints.push_back(v);
  return im.materialize(c, loc, "mask");
}

Value Decomposer::intScalar(int32_t value) {
  ConstTensor c;
  c.dtype = onnx::TensorProto::INT32;
  c.ints = {value};
  return im.materialize(c, loc, "splat");
}

Value Decomposer::select(Value cond, Value onTrue, Value onFalse) {
  std::optional<SmallVector<int64_t>> values =
      broadcastShapes(shapeOf(onTrue), shapeOf(onFalse));
  assert(values && "the decompositions broadcast compatible shapes");
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes(shapeOf(cond), *values);
  assert(shape && "the decompositions broadcast compatible shapes");
  return SelectOp::create(b, loc, typeOf(*shape), cond, onTrue, onFalse);
}

Value Decomposer::compare(Value a, Value bv, ComparePredicate predicate) {
  return CompareOp::create(
      b, loc, broadcastType(a, bv, b.getI1Type()), a, bv,
      ComparePredicateAttr::get(b.getContext(), predicate));
}

Value Decomposer::castTo(Value x, Type element) {
  return CastOp::create(b, loc, RankedTensorType::get(shapeOf(x), element), x);
}

Value Decomposer::zeroExtend8(Value x) {
  // Sign-extend, then add 256 where that made it negative (in i32 whatever
  // the decomposer's element type).
  Value v = castTo(x, b.getI32Type());
  Value negative = CompareOp::create(
      b, loc, RankedTensorType::get(shapeOf(v), b.getI1Type()), v, intScalar(0),
      ComparePredicateAttr::get(b.getContext(), ComparePredicate::lt));
  Value wrapped = AddOp::create(b, loc, v.getType(), v, intScalar(256));
  return SelectOp::create(b, loc, v.getType(), negative, wrapped, v);
}
