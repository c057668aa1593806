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

/// The element type a QuantizeLinear/DequantizeLinear node describes:
/// storage `dtype` (INT8, UINT8, INT32), scales and zero points from the
/// node's constant inputs 1 and 2, per tensor or along `axis` of a tensor of
/// `shape`. Null after reporting.
quant::QuantizedType quantizedElementType(Importer &im,
                                          const onnx::NodeProto &node,
                                          int32_t dtype,
                                          ArrayRef<int64_t> shape) {
  const ConstTensor *scale = im.getConst(node, 1);
  const ConstTensor *zero = im.getConst(node, 2);
  if (!scale || !scale->isFloat()) {
    im.notSupported(node) << "the scale (input 1) must be a float constant";
    return {};
  }
  if (im.hasInput(node, 2) && !zero) {
    im.notSupported(node) << "the zero point (input 2) must be a constant";
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
  int64_t axis = attrInt(node, "axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank || shape[axis] != count) {
    im.nodeError(node) << "per-axis scales: " << count << " scales for axis "
                       << attrInt(node, "axis", 1) << " of a rank-" << rank
                       << " tensor";
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
  quant::QuantizedType element =
      quantizedElementType(im, node, dtype, xType.getShape());
  if (!element)
    return failure();
  im.setValue(node, 0,
              quant::QuantizeCastOp::create(im.getBuilder(), im.getLoc(node),
                                            xType.clone(element), *x));
  return success();
}

/// The storage constant of a quantized initializer, behind a quant.scast to
/// `type`.
Value quantizedConstant(Importer &im, const onnx::NodeProto &node,
                        const ConstTensor &data, RankedTensorType type) {
  OpBuilder &b = im.getBuilder();
  Location loc = im.getLoc(node);
  auto element = cast<quant::QuantizedType>(type.getElementType());
  RankedTensorType storageType = type.clone(
      IntegerType::get(b.getContext(), element.getStorageTypeIntegralWidth()));
  std::string blobName = node.input(0);
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

LogicalResult convertDequantizeLinear(Importer &im,
                                      const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> resultType = im.getResultType(node);
  if (failed(resultType))
    return failure();
  Value input;
  RankedTensorType inputType;
  if (const ConstTensor *data = im.getConst(node, 0)) {
    if (data->dtype != onnx::TensorProto::INT8 &&
        data->dtype != onnx::TensorProto::UINT8 &&
        data->dtype != onnx::TensorProto::INT32)
      return im.notSupported(node)
             << "dequantizes " << dtypeName(data->dtype)
             << "; only int8, uint8 and int32 are supported";
    quant::QuantizedType element =
        quantizedElementType(im, node, data->dtype, data->shape);
    if (!element)
      return failure();
    inputType = RankedTensorType::get(data->shape, element);
    input = quantizedConstant(im, node, *data, inputType);
  } else {
    FailureOr<Value> x = im.getValue(node, 0);
    if (failed(x))
      return failure();
    inputType = cast<RankedTensorType>(x->getType());
    auto element = dyn_cast<quant::QuantizedType>(inputType.getElementType());
    if (!element)
      return im.notSupported(node)
             << "dequantizes '" << node.input(0)
             << "', which is neither a QuantizeLinear output nor an integer "
                "initializer (quantized graph inputs are not supported)";
    int32_t dtype =
        element.isSigned() ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
    quant::QuantizedType expected =
        quantizedElementType(im, node, dtype, inputType.getShape());
    if (!expected)
      return failure();
    if (expected != element)
      return im.nodeError(node)
             << "dequantizes '" << node.input(0) << "' with " << expected
             << ", but it was quantized as " << element
             << "; quant needs the same scale and zero point on both sides";
    input = *x;
  }
  im.setValue(
      node, 0,
      quant::DequantizeCastOp::create(
          im.getBuilder(), im.getLoc(node),
          inputType.clone(Float32Type::get(im.getBuilder().getContext())),
          input));
  return success();
}

} // namespace

void mlir::qnt::detail::populateQuantConverters(OnnxOpRegistry &r) {
  // Opset 10 added both; 13 added per-axis scales (axis); opsets 19 and 21
  // (float8, int4, blocked) are past what quant reads.
  r.onOp("QuantizeLinear", 10, convertQuantizeLinear);
  r.onOp("DequantizeLinear", 10, convertDequantizeLinear);
}
