//===- OnnxOpsReduce.cpp - Reductions and Softmax ---------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// ReduceMean/Max/Min/Prod/Sum with axes as an attribute (ReduceSum before
// 13, the others through opset 17) or as input 1 (ReduceSum from 13);
// ReduceL1/L2/SumSquare/LogSum/LogSumExp as a qnt.reduce_sum with
// element-wise ops before and after; and Softmax with its two semantics
// (before 13: over the flattened trailing dims).
//
//===----------------------------------------------------------------------===//

#include "OnnxDecompose.h"
#include "OnnxOpsCommon.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

/// Binds output 0 to a reduction of input 0 over `axes` (every axis when
/// empty, unless `noopWithEmptyAxes`: then the identity).
/// What a reduction built from a sum applies to each element first
/// (ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSumExp) and to the sum
/// after (ReduceL2, ReduceLogSum, ReduceLogSumExp).
enum class Before { None, Abs, Square, Exp };
enum class After { None, Sqrt, Log };

template <typename ReduceOp>
LogicalResult buildReduce(Importer &im, const onnx::NodeProto &node,
                          SmallVector<int64_t> axes, bool noopWithEmptyAxes,
                          Before before = Before::None,
                          After after = After::None) {
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  auto &b = im.getBuilder();
  Location loc = im.getLoc(node);
  // qnt's reductions are float ops (integer ones would fail the verifier).
  if (failed(requireFloat(im, node, cast<RankedTensorType>(io->x.getType()))))
    return failure();
  if (before != Before::None || after != After::None) {
    auto inType = cast<RankedTensorType>(io->x.getType());
    switch (before) {
    case Before::None:
      break;
    case Before::Abs:
      io->x = AbsOp::create(b, loc, inType, io->x);
      break;
    case Before::Square:
      io->x = MulOp::create(b, loc, inType, io->x, io->x);
      break;
    case Before::Exp:
      io->x = ExpOp::create(b, loc, inType, io->x);
      break;
    }
  }
  int64_t rank = shapeOf(io->x).size();
  if (axes.empty()) {
    if (noopWithEmptyAxes) {
      im.setValue(node, 0, io->x);
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &a : axes) {
    FailureOr<int64_t> axis = normalizeAxis(im, node, a, rank);
    if (failed(axis))
      return failure();
    a = *axis;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  Value result =
      ReduceOp::create(b, loc, io->type, io->x, b.getDenseI64ArrayAttr(axes),
                       b.getBoolAttr(attrInt(node, "keepdims", 1) != 0));
  if (after == After::Sqrt)
    result = SqrtOp::create(b, loc, io->type, result);
  else if (after == After::Log)
    result = LogOp::create(b, loc, io->type, result);
  im.setValue(node, 0, result);
  return success();
}

/// Axes as an optional attribute.
template <typename ReduceOp>
LogicalResult convertReduceAxesAttr(Importer &im, const onnx::NodeProto &node) {
  return buildReduce<ReduceOp>(
      im, node, attrInts(node, "axes").value_or(SmallVector<int64_t>{}),
      /*noopWithEmptyAxes=*/false);
}

/// A sum-based reduction with axes as an optional attribute. ReduceLogSumExp
/// is log(sum(exp(x))) as ONNX defines it, without subtracting the maximum
/// first: it overflows where exp(x) does.
template <Before B, After A>
LogicalResult convertSumComposite(Importer &im, const onnx::NodeProto &node) {
  return buildReduce<ReduceSumOp>(
      im, node, attrInts(node, "axes").value_or(SmallVector<int64_t>{}),
      /*noopWithEmptyAxes=*/false, B, A);
}

/// Axes as optional input 1, and noop_with_empty_axes.
template <typename ReduceOp>
LogicalResult convertReduceAxesInput(Importer &im,
                                     const onnx::NodeProto &node) {
  auto axes = optionalConstInts(im, node, 1, "axes");
  if (failed(axes))
    return failure();
  return buildReduce<ReduceOp>(im, node, axes->value_or(SmallVector<int64_t>{}),
                               attrInt(node, "noop_with_empty_axes", 0) != 0);
}

/// Softmax-13 (`Legacy` false): along the `axis` attribute (default -1).
/// Softmax-1 (`Legacy`): over the input flattened to
/// [prod(dims[:axis]), prod(dims[axis:])], default axis 1; on the last axis
/// that is the same as Softmax-13.
template <bool Legacy>
LogicalResult convertSoftmax(Importer &im, const onnx::NodeProto &node) {
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(io->x);
  int64_t rank = shape.size();
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", Legacy ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  auto &b = im.getBuilder();
  Location loc = im.getLoc(node);
  if (!Legacy || *axis == rank - 1) {
    im.setValue(
        node, 0,
        SoftmaxOp::create(b, loc, io->type, io->x, b.getI64IntegerAttr(*axis)));
    return success();
  }
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < *axis ? rows : cols) *= shape[d];
  auto flatType =
      RankedTensorType::get({rows, cols}, io->type.getElementType());
  Value flat = ReshapeOp::create(b, loc, flatType, io->x);
  Value soft =
      SoftmaxOp::create(b, loc, flatType, flat, b.getI64IntegerAttr(1));
  im.setValue(node, 0, ReshapeOp::create(b, loc, io->type, soft));
  return success();
}

/// ArgMax/ArgMin: the i64 index of the extreme along `axis` (default 0);
/// select_last_index from opset 12.
template <typename ArgOp>
LogicalResult convertArg(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  auto inType = cast<RankedTensorType>(x->getType());
  if (failed(requireFloat(im, node, inType)))
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", 0), inType.getRank());
  if (failed(axis))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(
      node, 0,
      ArgOp::create(b, im.getLoc(node), *type, *x, b.getI64IntegerAttr(*axis),
                    b.getBoolAttr(attrInt(node, "keepdims", 1) != 0),
                    b.getBoolAttr(attrInt(node, "select_last_index", 0) != 0)));
  return success();
}

/// TopK: k is an attribute before opset 10 and a one-element input from
/// it, which must be known at import time; largest and sorted from opset
/// 11 (sorted = 0 leaves the order open: quant sorts anyway).
LogicalResult convertTopK(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> valuesType = im.getResultType(node, 0);
  FailureOr<RankedTensorType> indicesType = im.getResultType(node, 1);
  if (failed(x) || failed(valuesType) || failed(indicesType))
    return failure();
  auto inType = cast<RankedTensorType>(x->getType());
  // uint8 (i8 bits) is ordered by its zero-extended values.
  bool uint8 = inType.getElementType().isInteger(8) && im.isUint8Input(node, 0);
  if (failed(requireNumeric(im, node, inType, /*signMatters=*/!uint8)))
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", -1), inType.getRank());
  if (failed(axis))
    return failure();
  int64_t k = attrInt(node, "k", 0);
  if (im.opset() >= 10) {
    FailureOr<SmallVector<int64_t>> ks = constInts(im, node, 1, "k");
    if (failed(ks))
      return failure();
    if (ks->size() != 1)
      return im.nodeError(node) << "k must have one element, got "
                                << ks->size();
    k = (*ks)[0];
  }
  int64_t n = inType.getDimSize(*axis);
  if (k < 1 || k > n)
    return im.notSupported(node) << "k = " << k << " (quant takes 1 <= k <= "
                                 << n << ", the size of axis " << *axis << ")";
  auto &b = im.getBuilder();
  Decomposer wide(im, node, b.getI32Type());
  Value input = uint8 ? wide.zeroExtend8(*x) : *x;
  auto topK = TopKOp::create(
      b, im.getLoc(node),
      uint8 ? valuesType->clone(b.getI32Type()) : *valuesType,
      indicesType->clone(b.getI64Type()), input, b.getI64IntegerAttr(*axis),
      b.getI64IntegerAttr(k), b.getBoolAttr(attrInt(node, "largest", 1) != 0));
  Value values = topK.getValues();
  im.setValue(node, 0,
              uint8 ? wide.castTo(values, inType.getElementType()) : values);
  im.setValue(node, 1, topK.getIndices());
  return success();
}

} // namespace

void mlir::qnt::detail::populateReduceConverters(OnnxOpRegistry &r) {
  r.onOp("ArgMax", 1, convertArg<ArgMaxOp>);
  r.onOp("ArgMin", 1, convertArg<ArgMinOp>);
  r.onOp("TopK", 1, convertTopK);
  // ReduceMean and ReduceMax take axes as an input only from opset 18.
  r.onOp("ReduceMean", 1, convertReduceAxesAttr<ReduceMeanOp>);
  r.onOp("ReduceMax", 1, convertReduceAxesAttr<ReduceMaxOp>);
  r.onOp("ReduceSum", 1, convertReduceAxesAttr<ReduceSumOp>);
  r.onOp("ReduceSum", 13, convertReduceAxesInput<ReduceSumOp>);
  r.onOp("ReduceMin", 1, convertReduceAxesAttr<ReduceMinOp>);
  r.onOp("ReduceProd", 1, convertReduceAxesAttr<ReduceProdOp>);
  r.onOp("ReduceL1", 1, convertSumComposite<Before::Abs, After::None>);
  r.onOp("ReduceL2", 1, convertSumComposite<Before::Square, After::Sqrt>);
  r.onOp("ReduceSumSquare", 1,
         convertSumComposite<Before::Square, After::None>);
  r.onOp("ReduceLogSum", 1, convertSumComposite<Before::None, After::Log>);
  r.onOp("ReduceLogSumExp", 1, convertSumComposite<Before::Exp, After::Log>);
  r.onOp("Softmax", 1, convertSoftmax</*Legacy=*/true>);
  r.onOp("Softmax", 13, convertSoftmax</*Legacy=*/false>);
}
