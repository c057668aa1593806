//===- OnnxOpsConv.cpp - Convolution, pooling, norms, resize ----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The windowed ops (Conv, ConvTranspose, pools) with auto_pad and
// output_shape resolved into explicit pads, the normalizations, and every
// Resize/Upsample form (scales as attribute or input, or from sizes).
//
//===----------------------------------------------------------------------===//

#include "OnnxOpsCommon.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

//===----------------------------------------------------------------------===//
// Conv, ConvTranspose
//===----------------------------------------------------------------------===//

/// Resolves auto_pad into explicit ONNX-ordered pads for a window of
/// `extent = dilation * (k - 1) + 1`.
FailureOr<SmallVector<int64_t>>
resolvePads(Importer &im, const onnx::NodeProto &node,
            ArrayRef<int64_t> spatialIn, ArrayRef<int64_t> kernel,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  size_t n = spatialIn.size();
  if (kernel.size() != n || strides.size() != n || dilations.size() != n)
    return im.nodeError(node)
           << "expects " << n << " kernel, stride and dilation entries";
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  SmallVector<int64_t> pads(2 * n, 0);
  if (autoPad == "NOTSET") {
    if (auto given = attrInts(node, "pads")) {
      if (given->size() != 2 * n)
        return im.nodeError(node)
               << "expects " << 2 * n << " pads, got " << given->size();
      pads = *given;
    }
    return pads;
  }
  if (autoPad == "VALID")
    return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return im.nodeError(node) << "unknown auto_pad '" << autoPad << "'";
  for (size_t i = 0; i < n; ++i) {
    int64_t out = (spatialIn[i] + strides[i] - 1) / strides[i];
    int64_t extent = dilations[i] * (kernel[i] - 1) + 1;
    int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[i] + extent - spatialIn[i]);
    int64_t small = total / 2, large = total - small;
    // SAME_UPPER puts the extra padding at the end, SAME_LOWER at the start.
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[n + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

/// The operands of Conv and ConvTranspose: input, weight, optional bias.
struct ConvOperands {
  Value x, w, bias;
  RankedTensorType type;
  ArrayRef<int64_t> in, ws;
};

FailureOr<ConvOperands> getConvOperands(Importer &im,
                                        const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<Value> w = im.getValue(node, 1);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(w) || failed(type) ||
      failed(requireFloat(im, node, *type)))
    return failure();
  FailureOr<Value> bias = getOptionalValue(im, node, 2);
  if (failed(bias))
    return failure();
  ConvOperands ops{*x, *w, *bias, *type, shapeOf(*x), shapeOf(*w)};
  if (ops.in.size() < 3 || ops.ws.size() != ops.in.size())
    return im.nodeError(node) << "expects input and weight of one rank >= 3";
  return ops;
}

} // namespace

FailureOr<Value> mlir::qnt::detail::buildConv(Importer &im,
                                              const onnx::NodeProto &node,
                                              Value x, Value w, Value bias,
                                              RankedTensorType type) {
  ArrayRef<int64_t> in = shapeOf(x), ws = shapeOf(w);
  if (in.size() < 3 || ws.size() != in.size())
    return im.nodeError(node) << "expects input and weight of one rank >= 3";
  size_t n = in.size() - 2;
  SmallVector<int64_t> strides = intsOr(node, "strides", n, 1);
  SmallVector<int64_t> dilations = intsOr(node, "dilations", n, 1);
  if (auto k = attrInts(node, "kernel_shape"))
    if (ArrayRef<int64_t>(*k) != ws.drop_front(2))
      return im.nodeError(node) << "kernel_shape " << formatShape(*k)
                                << " does not match the weight's "
                                << formatShape(ws.drop_front(2));
  if (strides.size() != n || dilations.size() != n)
    return im.nodeError(node) << "expects " << n << " strides and dilations";
  FailureOr<SmallVector<int64_t>> pads = resolvePads(
      im, node, in.drop_front(2), ws.drop_front(2), strides, dilations);
  if (failed(pads))
    return failure();
  auto &b = im.getBuilder();
  return Value(ConvOp::create(
      b, im.getLoc(node), type, x, w, bias, b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(*pads), b.getDenseI64ArrayAttr(dilations),
      b.getI64IntegerAttr(attrInt(node, "group", 1))));
}

namespace {

LogicalResult convertConv(Importer &im, const onnx::NodeProto &node) {
  FailureOr<ConvOperands> ops = getConvOperands(im, node);
  if (failed(ops))
    return failure();
  FailureOr<Value> conv =
      buildConv(im, node, ops->x, ops->w, ops->bias, ops->type);
  if (failed(conv))
    return failure();
  im.setValue(node, 0, *conv);
  return success();
}

/// ConvTranspose's explicit pads: from output_shape or SAME_* (derived from
/// the requested output size, as the ONNX spec says), or the `pads`
/// attribute.
FailureOr<SmallVector<int64_t>>
convTransposePads(Importer &im, const onnx::NodeProto &node,
                  ArrayRef<int64_t> in, ArrayRef<int64_t> ws,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  ArrayRef<int64_t> outPad) {
  size_t n = in.size() - 2;
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  SmallVector<int64_t> pads(2 * n, 0);
  auto outputShape = attrInts(node, "output_shape");
  // output_shape lists the spatial dims, or (as some exporters write it)
  // the whole N x C x spatial shape.
  if (outputShape && outputShape->size() != n && outputShape->size() != n + 2)
    return im.nodeError(node) << "output_shape has " << outputShape->size()
                              << " entries; expected " << n << " or " << n + 2;
  if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      int64_t target = outputShape ? (*outputShape)[outputShape->size() - n + i]
                                   : in[2 + i] * strides[i];
      int64_t total = strides[i] * (in[2 + i] - 1) + outPad[i] +
                      ((ws[2 + i] - 1) * dilations[i] + 1) - target;
      if (total < 0)
        return im.notSupported(node)
               << "an output_shape that needs negative padding";
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? total / 2 : total - total / 2;
      pads[n + i] = upper ? total - total / 2 : total / 2;
    }
  } else if (autoPad == "NOTSET") {
    if (auto given = attrInts(node, "pads"))
      pads = *given;
  } else if (autoPad != "VALID") {
    return im.nodeError(node) << "unknown auto_pad '" << autoPad << "'";
  }
  return pads;
}

LogicalResult convertConvTranspose(Importer &im, const onnx::NodeProto &node) {
  FailureOr<ConvOperands> ops = getConvOperands(im, node);
  if (failed(ops))
    return failure();
  size_t n = ops->in.size() - 2;
  SmallVector<int64_t> strides = intsOr(node, "strides", n, 1);
  SmallVector<int64_t> dilations = intsOr(node, "dilations", n, 1);
  SmallVector<int64_t> outPad = intsOr(node, "output_padding", n, 0);
  if (strides.size() != n || dilations.size() != n || outPad.size() != n)
    return im.nodeError(node)
           << "expects " << n << " strides, dilations and output_padding";
  FailureOr<SmallVector<int64_t>> pads =
      convTransposePads(im, node, ops->in, ops->ws, strides, dilations, outPad);
  if (failed(pads))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(
      node, 0,
      ConvTransposeOp::create(
          b, im.getLoc(node), ops->type, ops->x, ops->w, ops->bias,
          b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
          b.getDenseI64ArrayAttr(dilations), b.getDenseI64ArrayAttr(outPad),
          b.getI64IntegerAttr(attrInt(node, "group", 1))));
  return success();
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

template <typename PoolOp>
LogicalResult convertPool(Importer &im, const onnx::NodeProto &node) {
  FailureOr<InputAndType> io = getInputAndType(im, node, /*floatResult=*/true);
  if (failed(io))
    return failure();
  if (node.output_size() > 1 && !node.output(1).empty())
    return im.notSupported(node) << "the Indices output";
  ArrayRef<int64_t> in = shapeOf(io->x);
  if (in.size() < 3)
    return im.nodeError(node) << "expects an input of rank >= 3";
  size_t n = in.size() - 2;
  auto kernel = attrInts(node, "kernel_shape");
  if (!kernel || kernel->size() != n)
    return im.nodeError(node) << "expects kernel_shape with " << n << " dims";
  SmallVector<int64_t> strides = intsOr(node, "strides", n, 1);
  SmallVector<int64_t> dilations = intsOr(node, "dilations", n, 1);
  FailureOr<SmallVector<int64_t>> pads =
      resolvePads(im, node, in.drop_front(2), *kernel, strides, dilations);
  if (failed(pads))
    return failure();
  auto &b = im.getBuilder();
  bool ceil = attrInt(node, "ceil_mode", 0) != 0;
  Value result;
  if constexpr (std::is_same_v<PoolOp, MaxPoolOp>) {
    if (attrInt(node, "storage_order", 0) != 0)
      return im.notSupported(node) << "storage_order 1";
    result = MaxPoolOp::create(
        b, im.getLoc(node), io->type, io->x, b.getDenseI64ArrayAttr(*kernel),
        b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
        b.getDenseI64ArrayAttr(dilations), b.getBoolAttr(ceil));
  } else {
    result = AveragePoolOp::create(
        b, im.getLoc(node), io->type, io->x, b.getDenseI64ArrayAttr(*kernel),
        b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
        b.getDenseI64ArrayAttr(dilations), b.getBoolAttr(ceil),
        b.getBoolAttr(attrInt(node, "count_include_pad", 0) != 0));
  }
  im.setValue(node, 0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

LogicalResult convertBatchNorm9(Importer &im, const onnx::NodeProto &node) {
  SmallVector<Value> operands;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = im.getValue(node, i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  if (attrInt(node, "training_mode", 0) != 0)
    return im.notSupported(node) << "training_mode";
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(type))
    return failure();
  auto &b = im.getBuilder();
  im.setValue(node, 0,
              BatchNormOp::create(
                  b, im.getLoc(node), *type, operands[0], operands[1],
                  operands[2], operands[3], operands[4],
                  b.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f))));
  return success();
}

/// BatchNormalization-7 has a `spatial` attribute; 0 normalizes each
/// element (statistics of shape C x D1 x ...), which qnt.batch_norm is not.
LogicalResult convertBatchNorm7(Importer &im, const onnx::NodeProto &node) {
  if (attrInt(node, "spatial", 1) != 1)
    return im.notSupported(node) << "spatial = 0 (per-element statistics)";
  return convertBatchNorm9(im, node);
}

LogicalResult convertLayerNorm(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<Value> scale = im.getValue(node, 1);
  FailureOr<Value> bias = getOptionalValue(im, node, 2);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(scale) || failed(bias) || failed(type))
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(im, node, attrInt(node, "axis", -1), shapeOf(*x).size());
  if (failed(axis))
    return failure();
  auto &b = im.getBuilder();
  Location loc = im.getLoc(node);
  float epsilon = attrFloat(node, "epsilon", 1e-5f);
  im.setValue(node, 0,
              LayerNormOp::create(b, loc, *type, *x, *scale, *bias,
                                  b.getI64IntegerAttr(*axis),
                                  b.getF32FloatAttr(epsilon)));
  // The optional outputs (training's saved statistics): Mean and
  // InvStdDev = 1 / sqrt(Var + epsilon) over axes [axis, rank), kept as
  // size-1 dims, computed as the layer_norm lowering does (two passes).
  bool wantMean = node.output_size() > 1 && !node.output(1).empty();
  bool wantInvStd = node.output_size() > 2 && !node.output(2).empty();
  if (!wantMean && !wantInvStd)
    return success();
  auto inType = cast<RankedTensorType>(x->getType());
  if (failed(requireFloat(im, node, inType)))
    return failure();
  SmallVector<int64_t> axes, statShape(inType.getShape());
  for (int64_t d = *axis; d < inType.getRank(); ++d) {
    axes.push_back(d);
    statShape[d] = 1;
  }
  auto statType = RankedTensorType::get(statShape, inType.getElementType());
  Value mean = ReduceMeanOp::create(
      b, loc, statType, *x, b.getDenseI64ArrayAttr(axes), b.getBoolAttr(true));
  if (wantMean)
    im.setValue(node, 1, mean);
  if (!wantInvStd)
    return success();
  Value centered = SubOp::create(b, loc, inType, *x, mean);
  Value squared = MulOp::create(b, loc, inType, centered, centered);
  Value variance =
      ReduceMeanOp::create(b, loc, statType, squared,
                           b.getDenseI64ArrayAttr(axes), b.getBoolAttr(true));
  Value eps = materializeFloats(im, {epsilon}, {}, loc, "epsilon");
  Value one = materializeFloats(im, {1.0f}, {}, loc, "one");
  Value stdDev = SqrtOp::create(b, loc, statType,
                                AddOp::create(b, loc, statType, variance, eps));
  im.setValue(node, 2, DivOp::create(b, loc, statType, one, stdDev));
  return success();
}

//===----------------------------------------------------------------------===//
// Resize, Upsample
//===----------------------------------------------------------------------===//

/// Binds output 0 to a qnt.resize of input 0 by `scales`.
LogicalResult buildResize(Importer &im, const onnx::NodeProto &node,
                          ArrayRef<float> scales, StringRef transform,
                          StringRef nearest) {
  FailureOr<InputAndType> io = getInputAndType(im, node);
  if (failed(io))
    return failure();
  std::string mode = attrString(node, "mode", "nearest");
  auto modeEnum = symbolizeResizeMode(mode);
  if (!modeEnum)
    return im.notSupported(node) << "mode '" << mode << "'";
  auto transformEnum = symbolizeCoordinateTransform(transform);
  if (!transformEnum)
    return im.notSupported(node)
           << "coordinate_transformation_mode '" << transform << "'";
  auto nearestEnum = symbolizeNearestMode(nearest);
  if (!nearestEnum)
    return im.notSupported(node) << "nearest_mode '" << nearest << "'";
  auto &b = im.getBuilder();
  MLIRContext *ctx = b.getContext();
  im.setValue(node, 0,
              ResizeOp::create(
                  b, im.getLoc(node), io->type, io->x,
                  b.getDenseF32ArrayAttr(scales),
                  ResizeModeAttr::get(ctx, *modeEnum),
                  CoordinateTransformAttr::get(ctx, *transformEnum),
                  NearestModeAttr::get(ctx, *nearestEnum),
                  b.getF32FloatAttr(attrFloat(node, "cubic_coeff_a", -0.75f)),
                  b.getBoolAttr(attrInt(node, "exclude_outside", 0) != 0)));
  return success();
}

/// Constant scales from input `i`, or nothing when it is absent or empty.
std::optional<SmallVector<float>>
constScales(Importer &im, const onnx::NodeProto &node, int i) {
  const ConstTensor *c = im.getConst(node, i);
  if (!c || c->numElements() == 0)
    return std::nullopt;
  SmallVector<float> scales;
  for (int64_t k = 0; k < c->numElements(); ++k)
    scales.push_back(static_cast<float>(c->getDouble(k)));
  return scales;
}

// Upsample and Resize-10 are asymmetric with floor rounding.
constexpr StringLiteral kLegacyTransform = "asymmetric";
constexpr StringLiteral kLegacyNearest = "floor";

/// Upsample-7: scales as an attribute.
LogicalResult convertUpsample7(Importer &im, const onnx::NodeProto &node) {
  auto scales = attrFloats(node, "scales");
  if (!scales)
    return im.nodeError(node) << "needs a scales attribute";
  return buildResize(im, node, *scales, kLegacyTransform, kLegacyNearest);
}

/// Upsample-9 and Resize-10: scales as input 1.
LogicalResult convertResize10(Importer &im, const onnx::NodeProto &node) {
  auto scales = constScales(im, node, 1);
  if (!scales)
    return im.notSupported(node) << "scales or sizes must be constants";
  return buildResize(im, node, *scales, kLegacyTransform, kLegacyNearest);
}

/// The size of each output dim of Resize from opset 11: the `sizes` input
/// when it is a constant, else the static result shape (what shape
/// inference gave it, e.g. from the graph output's type), with which a
/// run-time `sizes` must agree.
FailureOr<SmallVector<int64_t>> resizeSizes(Importer &im,
                                            const onnx::NodeProto &node) {
  if (!im.getConst(node, 3))
    if (auto shape = im.getStaticShape(node.output(0)))
      return *shape;
  return constInts(im, node, 3, "sizes");
}

/// Resize from opset 11: roi (input 1, read only by tf_crop_and_resize,
/// which quant does not implement), scales (input 2), or sizes (input 3:
/// scale = size / input dim). Run-time scales stay unsupported even with a
/// static result shape: the scale itself enters the coordinates (under
/// align_corners too, as length_in * scale).
LogicalResult convertResize11(Importer &im, const onnx::NodeProto &node) {
  std::optional<SmallVector<float>> scales = constScales(im, node, 2);
  if (!scales && im.hasInput(node, 3)) {
    FailureOr<SmallVector<int64_t>> sizes = resizeSizes(im, node);
    FailureOr<Value> x = im.getValue(node, 0);
    if (failed(sizes) || failed(x))
      return failure();
    ArrayRef<int64_t> in = shapeOf(*x);
    if (sizes->size() != in.size())
      return im.nodeError(node) << "expects " << in.size() << " sizes";
    scales.emplace();
    for (size_t i = 0; i < in.size(); ++i)
      scales->push_back(static_cast<float>((*sizes)[i]) /
                        static_cast<float>(in[i]));
  }
  if (!scales)
    return im.notSupported(node) << "scales or sizes must be constants";
  return buildResize(
      im, node, *scales,
      attrString(node, "coordinate_transformation_mode", "half_pixel"),
      attrString(node, "nearest_mode", "round_prefer_floor"));
}

} // namespace

void mlir::qnt::detail::populateConvConverters(OnnxOpRegistry &r) {
  r.onOp("Conv", 1, convertConv);
  r.onOp("ConvTranspose", 1, convertConvTranspose);
  r.onOp("MaxPool", 1, convertPool<MaxPoolOp>);
  r.onOp("AveragePool", 7, convertPool<AveragePoolOp>);
  r.onOp("GlobalAveragePool", 1, convertUnary<GlobalAveragePoolOp>);
  r.onOp("BatchNormalization", 7, convertBatchNorm7);
  r.onOp("BatchNormalization", 9, convertBatchNorm9);
  r.onOp("LayerNormalization", 17, convertLayerNorm);

  r.onOp("Upsample", 7, convertUpsample7);
  r.onOp("Upsample", 9, convertResize10);
  r.notSupportedFrom("Upsample", 10,
                     "deprecated from opset 10: Resize replaces it");
  r.onOp("Resize", 10, convertResize10);
  r.onOp("Resize", 11, convertResize11);
}
