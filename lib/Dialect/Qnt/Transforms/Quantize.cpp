//===- Quantize.cpp - Calibrated float ops to quantized ops ---------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-quantize: conv/gemm/matmul with constant weights and calibrated
// ranges become the same ops on !quant.uniform tensors, between quant.qcast
// and quant.dcast; ReLUs fuse into the output grid; range-preserving ops
// follow their quantized input; qcast(dcast(x)) of one type folds to x.
// A transposed convolution whose windows tile its output, read by layers,
// is first written as the 1x1 conv and depth-to-space it is.
// Scales and zero points come from quant/Quantization/QuantMath.h.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/QuantMath.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Debug.h"

#include <cmath>
#include <limits>

#define DEBUG_TYPE "qnt-quantize"

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTQUANTIZE
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// The calibrated range of `value` (op attribute or @main argument), seen
/// through the quant.dcast of an op this pass already quantized.
RangeAttr rangeOf(Value value) {
  if (auto dcast = value.getDefiningOp<quant::DequantizeCastOp>())
    return rangeOf(dcast.getInput());
  return getValueRange(value);
}

quant::UniformQuantizedType activationType(MLIRContext *context,
                                           RangeAttr range, bool symmetric) {
  QuantParams p =
      chooseQuantParams(range.getMinValue(), range.getMaxValue(), 8, symmetric);
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(context, 8),
      Float32Type::get(context), p.scale, p.zeroPoint, p.qmin, p.qmax);
}

RankedTensorType withElementType(Type type, Type element) {
  return cast<RankedTensorType>(type).clone(element);
}

/// A constant weight, quantized symmetric int8 on [-127, 127] with one
/// scale per index of `axis` (or one in all), behind a quant.scast.
struct QuantizedWeight {
  Value value;
  SmallVector<double> scales; // one per output channel (repeated if global)
};

FailureOr<QuantizedWeight> quantizeWeight(OpBuilder &b, Value weight,
                                          int64_t axis, bool perChannel,
                                          double minScale, StringRef blobName,
                                          ArrayRef<float> givenScales) {
  std::optional<SmallVector<float>> values = getConstantF32Values(weight);
  auto type = cast<RankedTensorType>(weight.getType());
  if (!values || axis >= type.getRank())
    return failure();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t channels = shape[axis];
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= shape[d];
  SymmetricWeights quantized;
  if (givenScales.empty()) {
    quantized = quantizeSymmetricWeights(values->data(), values->size(),
                                         channels, inner, perChannel, minScale);
  } else {
    // A rounding pass's scales (qnt.weight_scales), floored as above.
    double floor = chooseQuantParams(-minScale * 127, minScale * 127, 8,
                                     /*symmetric=*/true)
                       .scale;
    for (int64_t c = 0; c < channels; ++c)
      quantized.scales.push_back(std::max<double>(
          givenScales[perChannel ? c : 0], minScale > 0 ? floor : 0.0));
    std::vector<int64_t> slotOf(values->size());
    for (size_t i = 0; i < slotOf.size(); ++i)
      slotOf[i] = static_cast<int64_t>(i) / inner % channels;
    quantized.values = quantizeWithScales(values->data(), values->size(),
                                          slotOf, quantized.scales, 8);
  }
  SmallVector<int8_t> q(quantized.values.begin(), quantized.values.end());

  MLIRContext *context = b.getContext();
  auto i8 = IntegerType::get(context, 8);
  auto f32 = Float32Type::get(context);
  quant::QuantizedType element;
  QuantizedWeight result;
  result.scales.assign(quantized.scales.begin(), quantized.scales.end());
  if (perChannel) {
    element = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, i8, f32, result.scales,
        SmallVector<int64_t>(channels, 0), axis, -127, 127);
  } else {
    element =
        quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed, i8,
                                         f32, result.scales[0], 0, -127, 127);
  }
  Location loc = weight.getLoc();
  auto storage = ConstantOp::create(
      b, loc, makeI8Elements(withElementType(type, i8), q, blobName));
  result.value = quant::StorageCastOp::create(
      b, loc, withElementType(type, element), storage);
  return result;
}

/// A 1-D f32 constant bias of `channels` values as int32 with per-channel
/// scale inputScale * weightScale[c] and zero point 0.
FailureOr<Value> quantizeBias(OpBuilder &b, Value bias, double inputScale,
                              ArrayRef<double> weightScales, bool perChannel,
                              StringRef blobName) {
  std::optional<SmallVector<float>> values = getConstantF32Values(bias);
  auto type = cast<RankedTensorType>(bias.getType());
  if (!values || type.getRank() != 1 ||
      type.getDimSize(0) != static_cast<int64_t>(weightScales.size()))
    return failure();
  SmallVector<double> scales;
  SmallVector<int32_t> q;
  for (auto [c, v] : llvm::enumerate(*values)) {
    double scale = inputScale * weightScales[c];
    scales.push_back(scale);
    QuantParams p;
    p.scale = scale;
    p.zeroPoint = 0;
    p.qmin = std::numeric_limits<int32_t>::min();
    p.qmax = std::numeric_limits<int32_t>::max();
    q.push_back(quantize(v, p));
  }
  MLIRContext *context = b.getContext();
  auto i32 = IntegerType::get(context, 32);
  auto f32 = Float32Type::get(context);
  int64_t lo = std::numeric_limits<int32_t>::min();
  int64_t hi = std::numeric_limits<int32_t>::max();
  quant::QuantizedType element =
      perChannel ? quant::QuantizedType(quant::UniformQuantizedPerAxisType::get(
                       quant::QuantizationFlags::Signed, i32, f32, scales,
                       SmallVector<int64_t>(scales.size(), 0), 0, lo, hi))
                 : quant::QuantizedType(quant::UniformQuantizedType::get(
                       quant::QuantizationFlags::Signed, i32, f32, scales[0], 0,
                       lo, hi));
  Location loc = bias.getLoc();
  auto storage = ConstantOp::create(
      b, loc, makeI32Elements(withElementType(type, i32), q, blobName));
  return Value(quant::StorageCastOp::create(
      b, loc, withElementType(type, element), storage));
}

/// `value` as a quantized tensor of `element`: the operand of a
/// quant.dcast of that type, or a new quant.qcast.
Value quantizeActivation(OpBuilder &b, Value value,
                         quant::UniformQuantizedType element) {
  RankedTensorType type = withElementType(value.getType(), element);
  if (auto dcast = value.getDefiningOp<quant::DequantizeCastOp>())
    if (dcast.getInput().getType() == type)
      return dcast.getInput();
  return quant::QuantizeCastOp::create(b, value.getLoc(), type, value);
}

/// A name for the blob of a quantized constant: the float blob's name (the
/// ONNX initializer) with `suffix`, else "quantized.<suffix>".
std::string blobNameFor(Value floatConstant, StringRef suffix) {
  if (auto constant = floatConstant.getDefiningOp<ConstantOp>())
    if (auto blob = dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      return (blob.getRawHandle().getKey() + "." + suffix).str();
  return ("quantized." + suffix).str();
}

struct QntQuantizePass : public qnt::impl::QntQuantizeBase<QntQuantizePass> {
  using QntQuantizeBase::QntQuantizeBase;

  void runOnOperation() override;

private:
  /// Quantizes one conv/gemm/matmul, or returns failure to keep it float.
  LogicalResult quantizeOp(Operation *op, bool perChannel);
  /// activations=dynamic: one gemm/matmul as qnt.dynamic_linear, or
  /// failure to keep it float.
  LogicalResult quantizeDynamic(Operation *op, bool perChannel);
  /// activations=dynamic: a matmul of two activations as
  /// qnt.dynamic_matmul.
  LogicalResult quantizeDynamicMatMul(MatMulOp op);
  /// Static int8: a matmul of two activations (attention's Q K^T and
  /// P V) on the calibrated per-tensor grids of both operands and result.
  LogicalResult quantizeActivationMatMul(MatMulOp op);
  LogicalResult quantizeBetweenLayers(Operation *op);
  /// An op's qnt.weight_scales did not fit its weight (an error).
  bool scalesMismatch = false;
};

/// The int4 form of `op` (weight-only, group-wise): the input is quantized
/// to int8 like an int8 layer's, the weight becomes an i4 constant behind a
/// quant.scast to a sub-channel type (one scale per output channel and
/// group of `groupSize` input-axis indices), the bias and the result stay
/// f32. Failure keeps the op float.
LogicalResult quantizeInt4(Operation *op, const LinearLayer &anchor,
                           quant::UniformQuantizedType inType,
                           int64_t groupSize, ArrayRef<float> givenScales) {
  Value weightValue = op->getOperand(anchor.weightIndex);
  auto weightType = cast<RankedTensorType>(weightValue.getType());
  std::optional<SmallVector<float>> values = getConstantF32Values(weightValue);
  if (!values)
    return failure();
  ArrayRef<int64_t> shape = weightType.getShape();
  SmallVector<int8_t> values4;
  GroupedI4Weight w;
  if (givenScales.empty()) {
    w = quantizeGroupedI4(weightType, anchor.outAxis, anchor.inAxis, groupSize,
                          *values, values4);
  } else {
    SmallVector<double> scales(givenScales.begin(), givenScales.end());
    FailureOr<GroupedI4Weight> given =
        quantizeGroupedI4WithScales(weightType, anchor.outAxis, anchor.inAxis,
                                    groupSize, *values, scales, values4);
    assert(succeeded(given) && "the caller checked the number of scales");
    w = *given;
  }

  MLIRContext *context = op->getContext();
  auto i4 = IntegerType::get(context, 4);
  SmallVector<APInt> storage;
  storage.reserve(values4.size());
  for (int8_t v : values4)
    storage.push_back(APInt(4, v, /*isSigned=*/true));
  OpBuilder b(op);
  Location loc = weightValue.getLoc();
  auto constant = ConstantOp::create(
      b, loc, DenseElementsAttr::get(withElementType(weightType, i4), storage));
  Value weight = quant::StorageCastOp::create(
      b, loc, withElementType(weightType, makeGroupedI4Type(context, shape, w)),
      constant);
  Value input = quantizeActivation(b, op->getOperand(0), inType);
  Operation *quantized = b.clone(*op);
  quantized->removeAttr(QntDialect::getWeightScalesAttrName());
  quantized->setOperand(0, input);
  quantized->setOperand(anchor.weightIndex, weight);
  op->replaceAllUsesWith(quantized);
  op->erase();
  return success();
}

/// Whether every reader of `value` reads it as the input of a linear layer
/// (a LinearLayerOpInterface op, or a conv_transpose, which is none): such
/// readers take it onto an int8 input grid, or read it as a float layer,
/// where one more requantization costs little. Not so a sigmoid or a model
/// output, whose precision an int8 grid on `value` would set (the
/// PaddleOCR detector's last conv_transpose feeds its probability map).
static bool readByLayers(Value value) {
  return !value.use_empty() &&
         llvm::all_of(value.getUses(), [](OpOperand &use) {
           Operation *user = use.getOwner();
           return use.getOperandNumber() == 0 &&
                  (isa<LinearLayerOpInterface>(user) ||
                   isa<ConvTransposeOp>(user));
         });
}

/// A 2-D qnt.conv_transpose whose windows tile its output (strides equal
/// to the kernel, no pads, output_padding or dilation, group 1) with a
/// constant f32 weight [C, M, kh, kw] (and bias [M]) is, in float, the 1x1
/// conv of x by W'[(m * kh + i) * kw + j][c] = W[c][m][i][j] (bias b[m]
/// repeated) followed by a depth-to-space: reshape [N, M, kh, kw, H, W],
/// transpose (0, 1, 4, 2, 5, 3), reshape [N, M, H kh, W kw]. Written that
/// way, the conv quantizes like any layer and the rearrangement follows
/// its int8 grid. Done when the result (through a ReLU that is its only
/// reader, which moves before the rearrangement so that it fuses into the
/// conv's grid) is read only by layers; the conv takes the calibrated
/// range of the conv_transpose (the same values). Returns whether it
/// rewrote `op`.
static bool splitTilingConvTranspose(ConvTransposeOp op,
                                     ArrayRef<std::string> keepFloat) {
  auto inType = dyn_cast<RankedTensorType>(op.getInput().getType());
  auto wType = dyn_cast<RankedTensorType>(op.getWeight().getType());
  auto outType = dyn_cast<RankedTensorType>(op.getType());
  if (!inType || !wType || !outType || inType.getRank() != 4 ||
      !inType.getElementType().isF32() || op.getGroup() != 1 ||
      locationNames(op.getLoc(), keepFloat))
    return false;
  ArrayRef<int64_t> strides = op.getStrides();
  int64_t c = wType.getDimSize(0), m = wType.getDimSize(1),
          kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  if (strides.size() != 2 || strides[0] != kh || strides[1] != kw ||
      llvm::any_of(op.getPads(), [](int64_t p) { return p != 0; }) ||
      llvm::any_of(op.getOutputPadding(), [](int64_t p) { return p != 0; }) ||
      llvm::any_of(op.getDilations(), [](int64_t d) { return d != 1; }))
    return false;
  Operation *relu = nullptr;
  if (op->hasOneUse() && isa<ReluOp>(*op->getUsers().begin()))
    relu = *op->getUsers().begin();
  RangeAttr range = rangeOf(op.getResult());
  if (!range || (relu && !rangeOf(relu->getResult(0))) ||
      !readByLayers(relu ? relu->getResult(0) : Value(op.getResult())))
    return false;
  std::optional<SmallVector<float>> w = getConstantF32Values(op.getWeight());
  std::optional<SmallVector<float>> bias;
  if (op.getBias()) {
    bias = getConstantF32Values(op.getBias());
    if (!bias || static_cast<int64_t>(bias->size()) != m)
      return false;
  }
  if (!w)
    return false;

  int64_t oc = m * kh * kw;
  SmallVector<float> w1(oc * c), b1(oc, 0.0f);
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t mi = 0; mi < m; ++mi)
      for (int64_t t = 0; t < kh * kw; ++t)
        w1[(mi * kh * kw + t) * c + ci] = (*w)[(ci * m + mi) * kh * kw + t];
  if (bias)
    for (int64_t o = 0; o < oc; ++o)
      b1[o] = (*bias)[o / (kh * kw)];

  OpBuilder b(op);
  Location loc = op.getLoc();
  Type f32 = b.getF32Type();
  auto w1Type = RankedTensorType::get({oc, c, 1, 1}, f32);
  Value weight = ConstantOp::create(
      b, loc, DenseElementsAttr::get(w1Type, ArrayRef<float>(w1)));
  Value biasValue;
  if (bias)
    biasValue = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({oc}, f32),
                               ArrayRef<float>(b1)));
  int64_t n = inType.getDimSize(0), h = inType.getDimSize(2),
          wd = inType.getDimSize(3);
  auto convType = RankedTensorType::get({n, oc, h, wd}, f32);
  Value y = ConvOp::create(
      b, loc, convType, op.getInput(), weight, biasValue,
      b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr({0, 0, 0, 0}),
      b.getDenseI64ArrayAttr({1, 1}), b.getI64IntegerAttr(1));
  StringAttr rangeName = b.getStringAttr(QntDialect::getRangeAttrName());
  y.getDefiningOp()->setAttr(rangeName, range);
  if (relu) {
    range = rangeOf(relu->getResult(0));
    y = ReluOp::create(b, relu->getLoc(), convType, y);
    y.getDefiningOp()->setAttr(rangeName, range);
  }
  auto split = RankedTensorType::get({n, m, kh, kw, h, wd}, f32);
  auto moved = RankedTensorType::get({n, m, h, kh, wd, kw}, f32);
  y = ReshapeOp::create(b, loc, split, y);
  y.getDefiningOp()->setAttr(rangeName, range);
  y = TransposeOp::create(b, loc, moved, y,
                          b.getDenseI64ArrayAttr({0, 1, 4, 2, 5, 3}));
  y.getDefiningOp()->setAttr(rangeName, range);
  y = ReshapeOp::create(b, loc, outType, y);
  y.getDefiningOp()->setAttr(rangeName, range);
  if (relu) {
    relu->getResult(0).replaceAllUsesWith(y);
    relu->erase();
  } else {
    op.getResult().replaceAllUsesWith(y);
  }
  op.erase();
  return true;
}

/// Leaves `op` float, saying why under -debug-only=qnt-quantize.
static LogicalResult staysFloat(Operation *op, const Twine &why) {
  LLVM_DEBUG(llvm::dbgs() << DEBUG_TYPE << ": " << op->getName() << " at "
                          << op->getLoc() << " stays float: " << why << "\n");
  return failure();
}

/// Whether `op` multiplies f32 operands of one rank >= 2 with equal batch
/// dims, the products the static and dynamic int8 forms take.
static bool isF32BatchedProduct(MatMulOp op) {
  auto a = cast<RankedTensorType>(op.getLhs().getType());
  auto b = cast<RankedTensorType>(op.getRhs().getType());
  return a.getElementType().isF32() && b.getElementType().isF32() &&
         op.getType().getElementType().isF32() && a.getRank() >= 2 &&
         a.getRank() == b.getRank() &&
         a.getShape().drop_back(2) == b.getShape().drop_back(2);
}

static constexpr const char *kNotBatchedProduct =
    "a product of activations needs f32 operands of one rank >= 2 with equal "
    "batch dims";

LogicalResult QntQuantizePass::quantizeActivationMatMul(MatMulOp op) {
  auto a = cast<RankedTensorType>(op.getLhs().getType());
  auto out = cast<RankedTensorType>(op.getType());
  if (weightBits != 8)
    return staysFloat(op, "products of activations are int8 only");
  if (!isF32BatchedProduct(op))
    return staysFloat(op, kNotBatchedProduct);
  if (a.getShape().back() > kMaxActivationProductK)
    return staysFloat(op, "K too large for int32 sums of int8 products");
  RangeAttr lhsRange = rangeOf(op.getLhs()), rhsRange = rangeOf(op.getRhs());
  RangeAttr outRange = rangeOf(op.getResult());
  if (!lhsRange || !rhsRange || !outRange)
    return staysFloat(op, "an operand or the result has no calibrated range");
  MLIRContext *context = op.getContext();
  auto lhsType = activationType(context, lhsRange, symmetricActivations);
  auto rhsType = activationType(context, rhsRange, symmetricActivations);
  auto outType = activationType(context, outRange, symmetricActivations);
  if (!toFixedPoint(lhsType.getScale() * rhsType.getScale() /
                    outType.getScale()))
    return staysFloat(op, "its requantization scale has no fixed-point form");
  OpBuilder builder(op);
  Value lhs = quantizeActivation(builder, op.getLhs(), lhsType);
  Value rhs = quantizeActivation(builder, op.getRhs(), rhsType);
  auto quantized = MatMulOp::create(builder, op.getLoc(),
                                    withElementType(out, outType), lhs, rhs);
  quantized->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  auto dcast = quant::DequantizeCastOp::create(builder, op.getLoc(), out,
                                               quantized.getResult());
  op.getResult().replaceAllUsesWith(dcast.getResult());
  op.erase();
  return success();
}

LogicalResult QntQuantizePass::quantizeOp(Operation *op, bool perChannel) {
  if (locationNames(op->getLoc(), keepFloat))
    return staysFloat(op, "named in keep-float");
  // A matmul whose right-hand side is not a constant multiplies two
  // activations.
  if (auto matmul = dyn_cast<MatMulOp>(op))
    if (!matmul.getRhs().getDefiningOp<ConstantOp>())
      return quantizeActivationMatMul(matmul);
  std::optional<LinearLayer> anchor = getQuantizableLayer(op);
  if (!anchor)
    return staysFloat(op, "not a form the int8/int4 lowerings take");
  Value input = op->getOperand(0);
  Value result = op->getResult(0);
  if (!cast<RankedTensorType>(input.getType()).getElementType().isF32() ||
      !cast<RankedTensorType>(result.getType()).getElementType().isF32())
    return staysFloat(op, "not f32");
  RangeAttr inputRange = rangeOf(input);
  if (!inputRange)
    return staysFloat(op, "its input has no calibrated range");
  unsigned bits = weightBits;
  if (auto chosen =
          op->getAttrOfType<IntegerAttr>(QntDialect::getWeightBitsAttrName()))
    bits = chosen.getInt();
  if (bits == 32)
    return staysFloat(op, "qnt.weight_bits = 32");
  if (bits == 4 && anchor->depthwise)
    return staysFloat(op, "a depthwise conv has no int4 form");

  // Scales a rounding pass chose: as many as this weight's grid has.
  ArrayRef<float> givenScales;
  if (auto given = op->getAttrOfType<DenseF32ArrayAttr>(
          QntDialect::getWeightScalesAttrName())) {
    auto weightType =
        cast<RankedTensorType>(op->getOperand(anchor->weightIndex).getType());
    int64_t outChannels = weightType.getDimSize(anchor->outAxis);
    int64_t inChannels = weightType.getDimSize(anchor->inAxis);
    int64_t expected = outChannels;
    std::string what = "one per output channel";
    if (bits == 4) {
      int64_t groups = groupSize > 0 && inChannels % groupSize == 0
                           ? inChannels / groupSize
                           : 1;
      expected = outChannels * groups;
      what = "output channels x groups of " +
             std::to_string(groups > 1 ? groupSize.getValue() : inChannels);
    } else if (!perChannel) {
      expected = 1;
      what = "per-tensor";
    }
    if (static_cast<int64_t>(given.size()) != expected) {
      op->emitError() << "qnt-quantize: qnt.weight_scales has " << given.size()
                      << " scales; this int" << bits << " weight has "
                      << expected << " (" << what
                      << "): it was rounded with other options";
      scalesMismatch = true;
      return failure();
    }
    givenScales = given.asArrayRef();
  }

  if (bits == 4) {
    if (failed(quantizeInt4(
            op, *anchor,
            activationType(op->getContext(), inputRange, symmetricActivations),
            groupSize, givenScales)))
      return staysFloat(op, "its weight is not a constant");
    ++numInt4;
    return success();
  }

  // A single ReLU (or clamp from 0) after the op fuses: its range's
  // (asymmetric) grid starts at real 0, so requantization's clamp computes
  // it. A symmetric grid has negative values, so nothing fuses there.
  Operation *fused = nullptr;
  if (result.hasOneUse() && !symmetricActivations) {
    Operation *user = *result.getUsers().begin();
    auto clamp = dyn_cast<ClampOp>(user);
    bool fromZero =
        clamp && clamp.getMin() && clamp.getMin()->convertToDouble() == 0.0;
    if ((isa<ReluOp>(user) || fromZero) && rangeOf(user->getResult(0)) &&
        !locationNames(user->getLoc(), keepFloat))
      fused = user;
  }
  RangeAttr outputRange = rangeOf(fused ? fused->getResult(0) : result);
  if (!outputRange)
    return staysFloat(op, "its result has no calibrated range");
  // A fused clamp's upper bound holds only if the grid ends below it.
  if (auto clamp = dyn_cast_or_null<ClampOp>(fused))
    if (clamp.getMax() &&
        outputRange.getMaxValue() > clamp.getMax()->convertToDouble())
      return staysFloat(op, "the fused clamp's bound is inside its grid");

  // The bias must be a 1-D constant per output channel.
  if (anchor->biasIndex) {
    Value biasValue = op->getOperand(*anchor->biasIndex);
    auto biasType = cast<RankedTensorType>(biasValue.getType());
    auto weightType =
        cast<RankedTensorType>(op->getOperand(anchor->weightIndex).getType());
    if (!getConstantF32Values(biasValue) || biasType.getRank() != 1 ||
        biasType.getDimSize(0) != weightType.getDimSize(anchor->outAxis))
      return staysFloat(op, "its bias is not a constant per output channel");
  }

  OpBuilder b(op);
  auto inType =
      activationType(op->getContext(), inputRange, symmetricActivations);
  auto outType =
      activationType(op->getContext(), outputRange, symmetricActivations);
  // Requantization multipliers (in * w / out) must be >= 2^-32 for a
  // fixed-point form (QuantMath's toFixedPoint); 2^-30 leaves room for the
  // rounding of the scales.
  double minWeightScale =
      std::ldexp(1.0, -30) * outType.getScale() / inType.getScale();
  FailureOr<QuantizedWeight> weight = quantizeWeight(
      b, op->getOperand(anchor->weightIndex), anchor->outAxis, perChannel,
      minWeightScale, blobNameFor(op->getOperand(anchor->weightIndex), "i8"),
      givenScales);
  if (failed(weight))
    return staysFloat(op, "its weight is not a constant");
  FailureOr<Value> bias = failure();
  if (anchor->biasIndex) {
    bias = quantizeBias(b, op->getOperand(*anchor->biasIndex),
                        inType.getScale(), weight->scales, perChannel,
                        blobNameFor(op->getOperand(*anchor->biasIndex), "i32"));
    assert(succeeded(bias) && "checked above");
  }

  Value inputQ = quantizeActivation(b, input, inType);
  Operation *quantized = b.clone(*op);
  quantized->removeAttr(QntDialect::getWeightScalesAttrName());
  quantized->setOperand(0, inputQ);
  quantized->setOperand(anchor->weightIndex, weight->value);
  if (anchor->biasIndex)
    quantized->setOperand(*anchor->biasIndex, *bias);
  quantized->getResult(0).setType(withElementType(result.getType(), outType));
  if (fused)
    quantized->setAttr(QntDialect::getRangeAttrName(),
                       fused->getAttr(QntDialect::getRangeAttrName()));
  auto dcast = quant::DequantizeCastOp::create(
      b, op->getLoc(), result.getType(), quantized->getResult(0));
  if (fused) {
    fused->getResult(0).replaceAllUsesWith(dcast.getResult());
    fused->erase();
    ++numFused;
  }
  result.replaceAllUsesWith(dcast.getResult());
  op->erase();
  return success();
}

LogicalResult QntQuantizePass::quantizeDynamicMatMul(MatMulOp op) {
  auto out = cast<RankedTensorType>(op.getType());
  if (!isF32BatchedProduct(op))
    return staysFloat(op, kNotBatchedProduct);
  OpBuilder builder(op);
  auto dynamic = DynamicMatMulOp::create(
      builder, op.getLoc(), out, op.getLhs(), op.getRhs(),
      DynamicScalingAttr::get(op.getContext(), dynamicScaling));
  op.getResult().replaceAllUsesWith(dynamic.getResult());
  op.erase();
  return success();
}

LogicalResult QntQuantizePass::quantizeDynamic(Operation *op, bool perChannel) {
  if (locationNames(op->getLoc(), keepFloat))
    return staysFloat(op, "named in keep-float");
  if (auto bits =
          op->getAttrOfType<IntegerAttr>(QntDialect::getWeightBitsAttrName()))
    if (bits.getInt() != 8)
      return staysFloat(op, "qnt.weight_bits is not 8");
  // The input, the weight as [N, K] and the bias (N values), from a matmul
  // with a constant [K, N] weight or a plain gemm.
  Value input, weight, bias;
  bool weightIsNK = false;
  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    input = matmul.getLhs();
    weight = matmul.getRhs();
    if (!getConstantF32Values(weight))
      return quantizeDynamicMatMul(matmul);
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f ||
        (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f))
      return staysFloat(op, "gemm with trans_a or alpha/beta != 1");
    input = gemm.getA();
    weight = gemm.getB();
    weightIsNK = gemm.getTransB();
    bias = gemm.getC();
  } else {
    return staysFloat(op, "only gemm and matmul take dynamic activations");
  }
  auto inType = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  std::optional<SmallVector<float>> wValues = getConstantF32Values(weight);
  if (!inType.getElementType().isF32() || !outType.getElementType().isF32() ||
      inType.getRank() < 2 || wType.getRank() != 2 || !wValues)
    return staysFloat(op, "needs an f32 input of rank >= 2 and a constant "
                          "2-D f32 weight");
  int64_t k = weightIsNK ? wType.getDimSize(1) : wType.getDimSize(0);
  int64_t n = weightIsNK ? wType.getDimSize(0) : wType.getDimSize(1);
  std::optional<SmallVector<float>> biasValues;
  if (bias) {
    biasValues = getConstantF32Values(bias);
    if (!biasValues || static_cast<int64_t>(biasValues->size()) != n ||
        cast<RankedTensorType>(bias.getType()).getNumElements() != n)
      return staysFloat(op, "its bias is not a constant of N values");
  }
  SmallVector<float> nk(n * k);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      nk[r * k + c] =
          weightIsNK ? (*wValues)[r * k + c] : (*wValues)[c * n + r];

  // The int8 weight: absmax scales, or the ones a rounding pass chose.
  SymmetricWeights quantized;
  if (auto given = op->getAttrOfType<DenseF32ArrayAttr>(
          QntDialect::getWeightScalesAttrName())) {
    int64_t expected = perChannel ? n : 1;
    if (static_cast<int64_t>(given.size()) != expected) {
      op->emitError() << "qnt-quantize: qnt.weight_scales has " << given.size()
                      << " scales; this int8 weight has " << expected
                      << ": it was rounded with other options";
      scalesMismatch = true;
      return failure();
    }
    for (int64_t c = 0; c < n; ++c)
      quantized.scales.push_back(given[perChannel ? c : 0]);
    std::vector<int64_t> slotOf(nk.size());
    for (size_t i = 0; i < slotOf.size(); ++i)
      slotOf[i] = static_cast<int64_t>(i) / k;
    quantized.values =
        quantizeWithScales(nk.data(), nk.size(), slotOf, quantized.scales, 8);
  } else {
    quantized = quantizeSymmetricWeights(nk.data(), nk.size(), n, k, perChannel,
                                         /*minScale=*/0.0);
  }
  MLIRContext *context = op->getContext();
  auto i8 = IntegerType::get(context, 8);
  auto f32 = Float32Type::get(context);
  quant::QuantizedType element;
  SmallVector<double> scales(quantized.scales.begin(), quantized.scales.end());
  if (perChannel)
    element = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, i8, f32, scales,
        SmallVector<int64_t>(n, 0), /*quantizedDimension=*/0, -127, 127);
  else
    element = quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, i8, f32, scales[0], 0, -127, 127);
  OpBuilder b(op);
  Location loc = weight.getLoc();
  auto nkType = RankedTensorType::get({n, k}, f32);
  SmallVector<int8_t> q(quantized.values.begin(), quantized.values.end());
  auto storage =
      ConstantOp::create(b, loc,
                         makeI8Elements(withElementType(nkType, i8), q,
                                        blobNameFor(weight, "i8")));
  Value weightQ = quant::StorageCastOp::create(
      b, loc, withElementType(nkType, element), storage);
  Value biasVec;
  if (bias)
    biasVec = ConstantOp::create(
        b, bias.getLoc(),
        makeF32Elements(RankedTensorType::get({n}, f32), *biasValues,
                        blobNameFor(bias, "vector")));
  auto dynamic =
      DynamicLinearOp::create(b, op->getLoc(), outType, input, weightQ, biasVec,
                              DynamicScalingAttr::get(context, dynamicScaling));
  op->getResult(0).replaceAllUsesWith(dynamic.getResult());
  op->erase();
  return success();
}

/// Ops that run on their input's int8 grid unchanged: the PreservesGrid
/// ops and a nearest resize (which copies elements).
static bool preservesGrid(Operation *op) {
  if (auto resize = dyn_cast<ResizeOp>(op))
    return resize.getMode() == ResizeMode::nearest;
  return op->hasTrait<PreservesGrid>();
}

/// `op` on the int8 tensor behind its input's quant.dcast (per tensor),
/// with that grid, and a dcast for its float readers.
static void followInputGrid(Operation *op) {
  auto dcast = op->getOperand(0).getDefiningOp<quant::DequantizeCastOp>();
  if (!dcast)
    return;
  auto element = dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(dcast.getInput().getType()).getElementType());
  if (!element)
    return;
  OpBuilder b(op);
  Operation *quantized = b.clone(*op);
  quantized->setOperand(0, dcast.getInput());
  Value result = op->getResult(0);
  quantized->getResult(0).setType(withElementType(result.getType(), element));
  auto back = quant::DequantizeCastOp::create(b, op->getLoc(), result.getType(),
                                              quantized->getResult(0));
  result.replaceAllUsesWith(back.getResult());
  op->erase();
}

/// The quant.dcast of a signed per-tensor int8 tensor that `value` is a
/// function of: the dcast itself, or the one dcast behind a chain of f32
/// element-wise ops whose other inputs are constants (at most 32 ops, what
/// qnt-int8-tables can make a table of). Null otherwise.
static quant::DequantizeCastOp int8Source(Value value) {
  constexpr size_t kMaxOps = 32;
  quant::DequantizeCastOp source;
  llvm::SmallPtrSet<Operation *, 8> seen;
  SmallVector<Value> worklist{value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    Operation *def = v.getDefiningOp();
    if (!def)
      return nullptr; // a function argument
    if (auto dcast = dyn_cast<quant::DequantizeCastOp>(def)) {
      auto q = dyn_cast<quant::UniformQuantizedType>(
          cast<RankedTensorType>(dcast.getInput().getType()).getElementType());
      if (!q || !q.isSigned() || q.getStorageTypeIntegralWidth() != 8 ||
          (source && source != dcast))
        return nullptr;
      source = dcast;
      continue;
    }
    if (isa<ConstantOp>(def))
      continue;
    if (!isa<ElementwiseOpInterface>(def) || def->getNumResults() != 1 ||
        !cast<RankedTensorType>(v.getType()).getElementType().isF32())
      return nullptr;
    if (!seen.insert(def).second)
      continue;
    if (seen.size() > kMaxOps)
      return nullptr;
    llvm::append_range(worklist, def->getOperands());
  }
  return source;
}

/// Whether `operand` broadcasts against `result`: fewer dims, or a 1
/// where the result's dim is larger.
static bool broadcasts(Value operand, Value result) {
  ArrayRef<int64_t> a = cast<RankedTensorType>(operand.getType()).getShape();
  ArrayRef<int64_t> r = cast<RankedTensorType>(result.getType()).getShape();
  if (a.size() < r.size())
    return true;
  for (auto [x, y] : llvm::zip_equal(a, r))
    if (x == 1 && y > 1)
      return true;
  return false;
}

/// The range of the concat that is the only reader of `value`, through
/// single-use ops that keep the grid (a nearest resize, a reshape), or
/// null.
static RangeAttr rangeOfOnlyConcatReader(Value value) {
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    if (isa<ConcatOp>(user))
      return rangeOf(user->getResult(0));
    if (!preservesGrid(user) || user->getNumResults() != 1 ||
        user->getOperand(0) != value)
      return nullptr;
    value = user->getResult(0);
  }
  return nullptr;
}

/// `value` quantized to `type` for `user`: an earlier quant.qcast of it
/// to that type in user's block, else a new one before `user`.
static Value quantizeBefore(Operation *user, Value value,
                            RankedTensorType type) {
  for (Operation *other : value.getUsers())
    if (auto qcast = dyn_cast<quant::QuantizeCastOp>(other))
      if (qcast.getType() == type && qcast->getBlock() == user->getBlock() &&
          qcast->isBeforeInBlock(user))
        return qcast.getResult();
  OpBuilder b(user);
  return quant::QuantizeCastOp::create(b, user->getLoc(), type, value)
      .getResult();
}

/// A squeeze-excitation residual `x + x * g` (x an int8 value, g a
/// broadcast float function of another one, as quantizeBetweenLayers takes
/// it, the mul read only by the add) as `x * (1 + g)`:
/// the same value in real arithmetic, one int8 product instead of a
/// product rounded to its grid and a sum. The new add of 1 takes g's range
/// plus 1, the product the add's range. Not when `keepFloat` names the
/// add or the mul. Returns whether it rewrote.
static bool foldGatedResidual(AddOp add, ArrayRef<std::string> keepFloat) {
  if (locationNames(add.getLoc(), keepFloat))
    return false;
  for (unsigned i = 0; i < 2; ++i) {
    Value x = add->getOperand(i);
    auto mul = add->getOperand(1 - i).getDefiningOp<MulOp>();
    if (!mul || !mul->hasOneUse() || mul->getBlock() != add->getBlock() ||
        !x.getDefiningOp<quant::DequantizeCastOp>() ||
        locationNames(mul.getLoc(), keepFloat))
      continue;
    Value gate = mul.getLhs() == x   ? mul.getRhs()
                 : mul.getRhs() == x ? mul.getLhs()
                                     : Value();
    RangeAttr gateRange = gate ? rangeOf(gate) : RangeAttr();
    RangeAttr sumRange = rangeOf(add.getResult());
    quant::DequantizeCastOp source = gate ? int8Source(gate) : nullptr;
    if (!gateRange || !sumRange || !source ||
        source == x.getDefiningOp<quant::DequantizeCastOp>() ||
        x.getType() != mul.getType() || x.getType() != add.getType() ||
        !broadcasts(gate, x))
      continue;
    auto gateType = cast<RankedTensorType>(gate.getType());
    if (!gateType.getElementType().isF32())
      continue;
    OpBuilder b(add);
    Location loc = add.getLoc();
    MLIRContext *context = add.getContext();
    Value one = ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                               1.0f));
    auto shifted = AddOp::create(b, loc, gateType, gate, one);
    shifted->setAttr(QntDialect::getRangeAttrName(),
                     RangeAttr::get(context, gateRange.getMinValue() + 1.0,
                                    gateRange.getMaxValue() + 1.0));
    auto product = MulOp::create(b, loc, add.getType(), x, shifted);
    product->setAttr(QntDialect::getRangeAttrName(), sumRange);
    add.getResult().replaceAllUsesWith(product.getResult());
    add.erase();
    mul.erase();
    return true;
  }
  return false;
}

/// An add/sub/mul/concat/global_average_pool whose operands are int8
/// values or float functions of one int8 value each (distinct ones) as the
/// same op on int8, its result on the grid of its calibrated range; float
/// operands are quantized to their own ranges (a concat's to its grid).
/// Failure leaves `op` as it was.
LogicalResult QntQuantizePass::quantizeBetweenLayers(Operation *op) {
  Value result = op->getResult(0);
  auto resultType = cast<RankedTensorType>(result.getType());
  RangeAttr resultRange = rangeOf(result);
  if (!resultType.getElementType().isF32() || !resultRange)
    return failure();
  MLIRContext *context = op->getContext();
  // A value only a concat reads (directly or through ops that keep its
  // grid) is computed on the concat's grid: one rounding, not one on its
  // own grid and another when the concat requantizes it, and no clipping
  // to a range narrower than the concat's (a percentile range cuts a
  // branch's largest values; the concat's range, the hull of its
  // operands', keeps them).
  if (RangeAttr concatRange = rangeOfOnlyConcatReader(result))
    resultRange = concatRange;
  quant::UniformQuantizedType outQ =
      activationType(context, resultRange, /*symmetric=*/false);
  bool isConcat = isa<ConcatOp>(op);
  // Every operand a function of its own int8 value: one of a single int8
  // value (x + x, x * hardswish(x)) is a table's job.
  SmallVector<quant::DequantizeCastOp> sources;
  SmallVector<quant::UniformQuantizedType> operandQ;
  for (Value operand : op->getOperands()) {
    quant::DequantizeCastOp source = int8Source(operand);
    if (!source || llvm::is_contained(sources, source))
      return failure();
    // A float operand is quantized to its calibrated range only when it
    // broadcasts (a squeeze-excitation gate, [N, C, 1, 1]): one that is
    // full-size would be rounded and clipped where the float graph
    // read it exact (a mean of it biased by the clipped tail).
    if (operand != source.getResult() && !broadcasts(operand, result))
      return staysFloat(op, "a full-size operand is a float function");
    sources.push_back(source);
    quant::UniformQuantizedType q;
    if (isConcat) {
      q = outQ;
    } else if (operand == source.getResult()) {
      q = cast<quant::UniformQuantizedType>(
          cast<RankedTensorType>(source.getInput().getType()).getElementType());
    } else if (RangeAttr range = rangeOf(operand)) {
      q = activationType(context, range, /*symmetric=*/false);
    } else {
      return failure();
    }
    operandQ.push_back(q);
  }
  // What the integer arithmetic can represent (the lowering asks again).
  SmallVector<double> scales;
  for (quant::UniformQuantizedType q : operandQ)
    scales.push_back(q.getScale());
  if (std::optional<std::string> why =
          whyNoInt8Arithmetic(op, scales, outQ.getScale()))
    return staysFloat(op, *why);

  OpBuilder b(op);
  Location loc = op->getLoc();
  SmallVector<Value> operands;
  for (auto [operand, source, q] :
       llvm::zip_equal(op->getOperands(), sources, operandQ)) {
    auto type = withElementType(operand.getType(), q);
    if (operand == source.getResult() && source.getInput().getType() == type)
      operands.push_back(source.getInput());
    else
      operands.push_back(quantizeBefore(op, operand, type));
  }
  Operation *quantized = b.clone(*op);
  quantized->setOperands(operands);
  quantized->getResult(0).setType(withElementType(resultType, outQ));
  auto back = quant::DequantizeCastOp::create(b, loc, resultType,
                                              quantized->getResult(0));
  result.replaceAllUsesWith(back.getResult());
  op->erase();
  return success();
}

void QntQuantizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  bool perChannel = granularity == Granularity::PerChannel;
  if (weightBits != 4 && weightBits != 8) {
    func.emitError("qnt-quantize: weight-bits=")
        << weightBits.getValue() << " is not 4 or 8";
    return signalPassFailure();
  }

  if (activations == Activations::Static) {
    SmallVector<ConvTransposeOp> transposed;
    func.walk([&](ConvTransposeOp op) { transposed.push_back(op); });
    for (ConvTransposeOp op : transposed)
      numSplit += splitTilingConvTranspose(op, keepFloat);
  }

  SmallVector<Operation *> anchors;
  func.walk([&](LinearLayerOpInterface op) { anchors.push_back(op); });
  if (activations == Activations::Dynamic) {
    if (weightBits != 8) {
      func.emitError("qnt-quantize: activations=dynamic takes int8 weights "
                     "(weight-bits=8)");
      return signalPassFailure();
    }
    for (Operation *op : anchors) {
      if (succeeded(quantizeDynamic(op, perChannel)))
        ++numDynamic;
      else
        ++numKeptFloat;
    }
    if (scalesMismatch)
      return signalPassFailure();
    func.walk([&](ConstantOp op) {
      if (op->use_empty())
        op->erase();
    });
    return;
  }
  for (Operation *op : anchors) {
    if (succeeded(quantizeOp(op, perChannel)))
      ++numQuantized;
    else
      ++numKeptFloat;
  }
  if (scalesMismatch)
    return signalPassFailure();

  if (elementwise) {
    SmallVector<AddOp> adds;
    func.walk([&](AddOp add) { adds.push_back(add); });
    for (AddOp add : adds)
      numGatedResiduals += foldGatedResidual(add, keepFloat);
  }
  // The ops between layers, in program order so that chains carry through
  // (max_pool -> reshape, resize -> add -> concat): grid-preserving ops
  // follow a quantized (per-tensor) input; sums, products, means and
  // concats of int8 values become int8 on their own ranges.
  SmallVector<Operation *> between;
  func.walk([&](Operation *op) {
    if (preservesGrid(op) ||
        (elementwise &&
         isa<AddOp, SubOp, MulOp, ConcatOp, GlobalAveragePoolOp>(op)))
      between.push_back(op);
  });
  for (Operation *op : between) {
    if (locationNames(op->getLoc(), keepFloat))
      continue;
    if (preservesGrid(op))
      followInputGrid(op);
    else if (succeeded(quantizeBetweenLayers(op)))
      ++numInt8Elementwise;
  }

  // qcast(dcast(x)) with the type of x is x: quant.qcast's folder, applied
  // to the qcasts alone (dcast's folder would drop dcast(qcast(x)), a
  // rounding step, so no canonicalizer runs here). Then unused dcasts go.
  SmallVector<Operation *> qcasts;
  func.walk([&](quant::QuantizeCastOp op) { qcasts.push_back(op); });
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingOps);
  (void)applyOpPatternsGreedily(qcasts, RewritePatternSet(&getContext()),
                                config);
  func.walk([&](quant::DequantizeCastOp op) {
    if (op->use_empty())
      op->erase();
  });
  // The float weights and biases the quantized ops replaced.
  func.walk([&](ConstantOp op) {
    if (op->use_empty())
      op->erase();
  });
}

} // namespace
