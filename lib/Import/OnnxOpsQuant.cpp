//===- OnnxOpsQuant.cpp - QuantizeLinear and DequantizeLinear ---*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Explicit quantization (QDQ models, as ONNX Runtime's quantize_static and
// PyTorch's exporters write them) imports as the upstream quant dialect's
// casts: QuantizeLinear is a quant.qcast to a !quant.uniform tensor with the
// model's scale and zero point (int8 signed, uint8 unsigned; per tensor, or
// per axis), DequantizeLinear a quant.dcast back to f32. A DequantizeLinear
// of an integer initializer (a quantized weight or bias) reads a qnt.constant
// of the storage integers through a quant.scast. qnt-fuse-qdq then makes the
// dq -> op -> q patterns int8 ops (docs/QdqImport.md).
//
//===----------------------------------------------------------------------===//

#include "OnnxOpRegistry.h"
#include "OnnxOpsCommon.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

std::string dtypeName(int32_t dtype) {
  if (onnx::TensorProto::DataType_IsValid(dtype))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dtype));
  return "data type " + std::to_string(dtype);
}

/// Where a node keeps one quantized operand's grid: the inputs holding its
/// scale and zero point, and the axis a 1-D scale runs along.
struct GridInputs {
  int scale = 1, zero = 2;
  int64_t axis = 1;
};

/// The element type of a quantized tensor of `shape` with storage `dtype`
/// (INT8, UINT8, INT32) whose scales and zero points are `node`'s constant
/// inputs `g.scale` and `g.zero`, per tensor or along `g.axis`. Null after
/// reporting.
quant::QuantizedType
quantizedElementType(Importer &im, const onnx::NodeProto &node, int32_t dtype,
                     ArrayRef<int64_t> shape, GridInputs g = {}) {
  const ConstTensor *scale = im.getConst(node, g.scale);
  const ConstTensor *zero = im.getConst(node, g.zero);
  if (!scale || !scale->isFloat()) {
    im.notSupported(node) << "the scale (input " << g.scale
                          << ") must be a float constant";
    return {};
  }
  if (im.hasInput(node, g.zero) && !zero) {
    im.notSupported(node) << "the zero point (input " << g.zero
                          << ") must be a constant";
    return {};
  }
  if (zero && zero->dtype != dtype) {
    im.nodeError(node) << "the zero point's data type does not match the "
                          "quantized tensor's";
    return {};
  }
  MLIRContext *context = im.getBuilder().getContext();
  bool isSigned = dtype != onnx::TensorProto::UINT8;
  unsigned width = dtype == onnx::TensorProto::INT32 ? 32 : 8;
  int64_t qmin = isSigned ? -(int64_t(1) << (width - 1)) : 0;
  int64_t qmax = isSigned ? (int64_t(1) << (width - 1)) - 1 : 255;
  if (width == 32) {
    qmin = std::numeric_limits<int32_t>::min();
    qmax = std::numeric_limits<int32_t>::max();
  }
  auto storage = IntegerType::get(context, width);
  auto f32 = Float32Type::get(context);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t count = scale->numElements();
  if (zero && zero->numElements() != count) {
    im.nodeError(node) << "the zero point has " << zero->numElements()
                       << " elements and the scale " << count;
    return {};
  }
  if (count == 0) {
    im.nodeError(node) << "the scale (input " << g.scale << ") is empty";
    return {};
  }
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  for (int64_t i = 0; i < count; ++i) {
    double s = scale->getDouble(i);
    if (!(s > 0) || !std::isfinite(s)) {
      im.nodeError(node) << "scale " << s << " is not a positive finite "
                         << "number";
      return {};
    }
    scales.push_back(s);
    zeroPoints.push_back(zero ? zero->getInt(i) : 0);
  }
  // A scalar scale, or a 1-D one with one element, is per tensor.
  if (scale->shape.size() <= 1 && count == 1)
    return quant::UniformQuantizedType::get(flags, storage, f32, scales[0],
                                            zeroPoints[0], qmin, qmax);
  if (scale->shape.size() != 1) {
    im.nodeError(node) << "the scale must be a scalar or 1-D";
    return {};
  }
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t axis = g.axis;
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank || shape[axis] != count) {
    im.nodeError(node) << "per-axis scales: " << count << " scales for axis "
                       << g.axis << " of a rank-" << rank << " tensor";
    return {};
  }
  return quant::UniformQuantizedPerAxisType::get(flags, storage, f32, scales,
                                                 zeroPoints, axis, qmin, qmax);
}

LogicalResult convertQuantizeLinear(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type))
    return failure();
  auto xType = cast<RankedTensorType>(x->getType());
  if (!xType.getElementType().isF32())
    return im.notSupported(node) << "quantizes a " << xType.getElementType()
                                 << " tensor; only float32 is supported";
  // Without a zero point the output is uint8 (the ONNX default).
  const ConstTensor *zero = im.getConst(node, 2);
  int32_t dtype = zero ? zero->dtype : onnx::TensorProto::UINT8;
  if (dtype != onnx::TensorProto::INT8 && dtype != onnx::TensorProto::UINT8)
    return im.notSupported(node) << "quantizes to " << dtypeName(dtype)
                                 << "; only int8 and uint8 are supported";
  GridInputs grid;
  grid.axis = attrInt(node, "axis", 1);
  quant::QuantizedType element =
      quantizedElementType(im, node, dtype, xType.getShape(), grid);
  if (!element)
    return failure();
  im.setValue(node, 0,
              quant::QuantizeCastOp::create(im.getBuilder(), im.getLoc(node),
                                            xType.clone(element), *x));
  return success();
}

/// The storage constant of a quantized initializer, behind a quant.scast to
/// `type`.
Value quantizedConstant(Importer &im, const onnx::NodeProto &node, int input,
                        const ConstTensor &data, RankedTensorType type) {
  OpBuilder &b = im.getBuilder();
  Location loc = im.getLoc(node);
  auto element = cast<quant::QuantizedType>(type.getElementType());
  RankedTensorType storageType = type.clone(
      IntegerType::get(b.getContext(), element.getStorageTypeIntegralWidth()));
  std::string blobName = node.input(input);
  ElementsAttr attr;
  if (element.getStorageTypeIntegralWidth() == 32) {
    SmallVector<int32_t> values(data.ints.begin(), data.ints.end());
    attr = makeI32Elements(storageType, values, blobName);
  } else {
    // uint8 values keep their bits in i8 storage (the type says unsigned).
    SmallVector<int8_t> values;
    values.reserve(data.ints.size());
    for (int64_t v : data.ints)
      values.push_back(static_cast<int8_t>(static_cast<uint8_t>(v)));
    attr = makeI8Elements(storageType, values, blobName);
  }
  Value storage = ConstantOp::create(b, loc, attr);
  return quant::StorageCastOp::create(b, loc, type, storage);
}

/// Operand `data` of `node` as a quantized tensor with the grid of
/// `grid`'s inputs: an integer initializer becomes a storage constant behind
/// a quant.scast; a run-time value must already be quantized on that grid
/// (a QuantizeLinear or QLinear* output). Fails after reporting.
FailureOr<Value> quantizedOperand(Importer &im, const onnx::NodeProto &node,
                                  int data, GridInputs grid) {
  if (const ConstTensor *constant = im.getConst(node, data)) {
    if (constant->dtype != onnx::TensorProto::INT8 &&
        constant->dtype != onnx::TensorProto::UINT8 &&
        constant->dtype != onnx::TensorProto::INT32)
      return im.notSupported(node)
             << "dequantizes " << dtypeName(constant->dtype)
             << "; only int8, uint8 and int32 are supported";
    quant::QuantizedType element =
        quantizedElementType(im, node, constant->dtype, constant->shape, grid);
    if (!element)
      return failure();
    return quantizedConstant(im, node, data, *constant,
                             RankedTensorType::get(constant->shape, element));
  }
  FailureOr<Value> x = im.getValue(node, data);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  auto element = dyn_cast<quant::QuantizedType>(type.getElementType());
  if (!element)
    return im.notSupported(node)
           << "dequantizes '" << node.input(data)
           << "', which is neither a QuantizeLinear output nor an integer "
              "initializer (quantized graph inputs are not supported)";
  int32_t dtype =
      element.isSigned() ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
  quant::QuantizedType expected =
      quantizedElementType(im, node, dtype, type.getShape(), grid);
  if (!expected)
    return failure();
  if (expected != element)
    return im.nodeError(node)
           << "dequantizes '" << node.input(data) << "' with " << expected
           << ", but it was quantized as " << element
           << "; quant needs the same scale and zero point on both sides";
  return *x;
}

Value dequantize(Importer &im, const onnx::NodeProto &node, Value q) {
  auto type = cast<RankedTensorType>(q.getType());
  return quant::DequantizeCastOp::create(
      im.getBuilder(), im.getLoc(node),
      type.clone(Float32Type::get(im.getBuilder().getContext())), q);
}

LogicalResult convertDequantizeLinear(Importer &im,
                                      const onnx::NodeProto &node) {
  if (failed(im.getResultType(node)))
    return failure();
  GridInputs grid;
  grid.axis = attrInt(node, "axis", 1);
  FailureOr<Value> q = quantizedOperand(im, node, 0, grid);
  if (failed(q))
    return failure();
  im.setValue(node, 0, dequantize(im, node, *q));
  return success();
}

/// Binds `node`'s output to `y` (f32) quantized to the per-tensor grid of
/// its inputs `scale` and `zero` (int8 or uint8, as the zero point's type
/// says). Fails after reporting.
LogicalResult setQuantizedResult(Importer &im, const onnx::NodeProto &node,
                                 FailureOr<Value> y, int scale, int zero) {
  if (failed(y))
    return failure();
  const ConstTensor *z = im.getConst(node, zero);
  int32_t dtype = z ? z->dtype : onnx::TensorProto::UINT8;
  if (dtype != onnx::TensorProto::INT8 && dtype != onnx::TensorProto::UINT8)
    return im.notSupported(node) << "quantizes to " << dtypeName(dtype)
                                 << "; only int8 and uint8 are supported";
  auto type = cast<RankedTensorType>(y->getType());
  GridInputs grid{scale, zero, 1};
  quant::QuantizedType element =
      quantizedElementType(im, node, dtype, type.getShape(), grid);
  if (!element)
    return failure();
  if (!isa<quant::UniformQuantizedType>(element))
    return im.notSupported(node) << "a per-axis output grid";
  im.setValue(node, 0,
              quant::QuantizeCastOp::create(im.getBuilder(), im.getLoc(node),
                                            type.clone(element), *y));
  return success();
}

/// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B): the
/// QDQ form it stands for, dq(x), dq(w), dq(B) -> Conv -> q, which
/// qnt-fuse-qdq then makes one int8 conv.
LogicalResult convertQLinearConv(Importer &im, const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  FailureOr<Value> x = quantizedOperand(im, node, 0, GridInputs{1, 2, 1});
  if (failed(x))
    return failure();
  // ONNX gives x one scale (the bias's scale below depends on it).
  auto xq = dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(x->getType()).getElementType());
  if (!xq)
    return im.notSupported(node) << "x_scale must be a scalar (one grid for "
                                    "the input)";
  // Weight scales are per output channel (axis 0) when 1-D.
  FailureOr<Value> w = quantizedOperand(im, node, 3, GridInputs{4, 5, 0});
  if (failed(w))
    return failure();
  Value bias;
  if (im.hasInput(node, 8)) {
    const ConstTensor *b = im.getConst(node, 8);
    if (!b || b->dtype != onnx::TensorProto::INT32 || b->shape.size() != 1)
      return im.notSupported(node) << "the bias must be a 1-D int32 constant";
    // B's scale is x_scale * w_scale (per channel), zero point 0.
    quant::QuantizedType wq = cast<quant::QuantizedType>(
        cast<RankedTensorType>(w->getType()).getElementType());
    MLIRContext *context = im.getBuilder().getContext();
    auto i32 = IntegerType::get(context, 32);
    auto f32 = Float32Type::get(context);
    int64_t lo = std::numeric_limits<int32_t>::min();
    int64_t hi = std::numeric_limits<int32_t>::max();
    quant::QuantizedType element;
    if (auto axis = dyn_cast<quant::UniformQuantizedPerAxisType>(wq)) {
      SmallVector<double> scales;
      for (double s : axis.getScales())
        scales.push_back(xq.getScale() * s);
      if (static_cast<int64_t>(scales.size()) != b->shape[0])
        return im.nodeError(node)
               << "the bias has " << b->shape[0] << " values for "
               << scales.size() << " weight scales";
      element = quant::UniformQuantizedPerAxisType::get(
          quant::QuantizationFlags::Signed, i32, f32, scales,
          SmallVector<int64_t>(scales.size(), 0), 0, lo, hi);
    } else {
      element = quant::UniformQuantizedType::get(
          quant::QuantizationFlags::Signed, i32, f32,
          xq.getScale() * cast<quant::UniformQuantizedType>(wq).getScale(), 0,
          lo, hi);
    }
    bias =
        dequantize(im, node,
                   quantizedConstant(im, node, 8, *b,
                                     RankedTensorType::get(b->shape, element)));
  }
  FailureOr<Value> conv = buildConv(
      im, node, dequantize(im, node, *x), dequantize(im, node, *w), bias,
      type->clone(Float32Type::get(im.getBuilder().getContext())));
  return setQuantizedResult(im, node, conv, 6, 7);
}

/// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp): dq(a),
/// dq(b) -> MatMul -> q (a's scales per row and b's per column when 1-D).
LogicalResult convertQLinearMatMul(Importer &im, const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  // The row axis of `a` and the column axis of `b`, from their ranks.
  auto axisFromEnd = [&](int input, int64_t fromEnd) -> int64_t {
    int64_t rank = 2;
    if (const ConstTensor *c = im.getConst(node, input))
      rank = static_cast<int64_t>(c->shape.size());
    else if (auto shape = im.getStaticShape(node.input(input)))
      rank = static_cast<int64_t>(shape->size());
    return std::max<int64_t>(0, rank - fromEnd);
  };
  FailureOr<Value> a =
      quantizedOperand(im, node, 0, GridInputs{1, 2, axisFromEnd(0, 2)});
  if (failed(a))
    return failure();
  FailureOr<Value> b =
      quantizedOperand(im, node, 3, GridInputs{4, 5, axisFromEnd(3, 1)});
  if (failed(b))
    return failure();
  Value product = MatMulOp::create(
      im.getBuilder(), im.getLoc(node),
      type->clone(Float32Type::get(im.getBuilder().getContext())),
      dequantize(im, node, *a), dequantize(im, node, *b));
  return setQuantizedResult(im, node, product, 6, 7);
}

} // namespace

void mlir::qnt::detail::populateQuantConverters(OnnxOpRegistry &r) {
  // Opset 10 added both; 13 added per-axis scales (axis); opsets 19 and 21
  // (float8, int4, blocked) are past what quant reads.
  r.onOp("QuantizeLinear", 10, convertQuantizeLinear);
  r.onOp("DequantizeLinear", 10, convertDequantizeLinear);
  r.onOp("QLinearConv", 10, convertQLinearConv);
  r.onOp("QLinearMatMul", 10, convertQLinearMatMul);
}
