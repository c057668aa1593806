//===- QntQuantTypes.cpp - Quantized tensor types on qnt ops --------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"

#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/Dialect/Quant/IR/Quant.h"

using namespace mlir;

quant::QuantizedType mlir::qnt::getQuantizedElementType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor ? dyn_cast<quant::QuantizedType>(tensor.getElementType())
                : quant::QuantizedType();
}

RankedTensorType mlir::qnt::getStorageTensorType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return tensor.clone(getQuantizedElementType(tensor).getStorageType());
}

quant::UniformQuantizedType mlir::qnt::getPerTensorI8Type(Type type) {
  auto q = dyn_cast_or_null<quant::UniformQuantizedType>(
      getQuantizedElementType(type));
  // Unsigned (uint8) grids are not the int8 lowering's: qnt-fuse-qdq makes
  // imported ones signed first.
  return q && q.getStorageType().isInteger(8) && q.isSigned()
             ? q
             : quant::UniformQuantizedType();
}

std::optional<SmallVector<double>>
mlir::qnt::getSymmetricI8WeightScales(Type type) {
  quant::QuantizedType q = getQuantizedElementType(type);
  if (!q || !q.getStorageType().isInteger(8))
    return std::nullopt;
  if (auto axis = dyn_cast<quant::UniformQuantizedPerAxisType>(q)) {
    if (llvm::any_of(axis.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return std::nullopt;
    return SmallVector<double>(axis.getScales());
  }
  auto uniform = dyn_cast<quant::UniformQuantizedType>(q);
  if (!uniform || uniform.getZeroPoint() != 0)
    return std::nullopt;
  return SmallVector<double>{uniform.getScale()};
}

std::optional<qnt::GroupedI4Weight> mlir::qnt::getGroupedI4Weight(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  auto q = dyn_cast_or_null<quant::UniformQuantizedSubChannelType>(
      getQuantizedElementType(type));
  if (!q || !q.getStorageType().isSignlessInteger(4) ||
      !q.getExpressedType().isF32() || !tensor.hasStaticShape())
    return std::nullopt;
  if (llvm::any_of(q.getZeroPoints().getValues<APInt>(),
                   [](const APInt &z) { return !z.isZero(); }))
    return std::nullopt;
  // Two blocked axes: the output axis (block 1) and the input axis (block
  // groupSize); every other axis is one block (MLIR's default).
  ArrayRef<int64_t> shape = tensor.getShape();
  ArrayRef<int32_t> dims = q.getQuantizedDimensions();
  ArrayRef<int64_t> blocks = q.getBlockSizes();
  if (dims.size() != 2 || dims[0] >= tensor.getRank() ||
      dims[1] >= tensor.getRank())
    return std::nullopt;
  GroupedI4Weight w;
  int first = 0;
  if (blocks[0] == 1 && blocks[1] == 1) {
    // groupSize 1 only where the input axis has one element.
    if (shape[dims[0]] > 1 && shape[dims[1]] > 1)
      return std::nullopt;
    first = shape[dims[0]] > 1 || shape[dims[1]] == 1 ? 0 : 1;
  } else if (blocks[0] == 1) {
    first = 0;
  } else if (blocks[1] == 1) {
    first = 1;
  } else {
    return std::nullopt;
  }
  w.outAxis = dims[first];
  w.inAxis = dims[1 - first];
  int64_t groupSize = blocks[1 - first];
  if (groupSize <= 0 || shape[w.inAxis] % groupSize != 0)
    return std::nullopt;
  w.outChannels = shape[w.outAxis];
  w.inChannels = shape[w.inAxis];
  w.groupSize = groupSize;
  w.groups = w.inChannels / w.groupSize;
  // The scales tensor has outChannels and groups on those axes, 1 elsewhere.
  SmallVector<double> all;
  for (const APFloat &s : q.getScales().getValues<APFloat>())
    all.push_back(s.convertToDouble());
  if (static_cast<int64_t>(all.size()) != w.outChannels * w.groups)
    return std::nullopt;
  w.scales.resize(all.size());
  for (int64_t o = 0; o < w.outChannels; ++o)
    for (int64_t g = 0; g < w.groups; ++g)
      w.scales[o * w.groups + g] = w.outAxis < w.inAxis
                                       ? all[o * w.groups + g]
                                       : all[g * w.outChannels + o];
  return w;
}

quant::UniformQuantizedSubChannelType
mlir::qnt::makeGroupedI4Type(MLIRContext *context, ArrayRef<int64_t> shape,
                             const GroupedI4Weight &w) {
  SmallVector<int64_t> scaleShape(shape.size(), 1);
  scaleShape[w.outAxis] = w.outChannels;
  scaleShape[w.inAxis] = w.groups;
  SmallVector<float> scales(w.scales.size());
  for (int64_t o = 0; o < w.outChannels; ++o)
    for (int64_t g = 0; g < w.groups; ++g)
      scales[w.outAxis < w.inAxis ? o * w.groups + g : g * w.outChannels + o] =
          static_cast<float>(w.scales[o * w.groups + g]);
  auto f32 = Float32Type::get(context);
  auto i4 = IntegerType::get(context, 4);
  auto scaleType = RankedTensorType::get(scaleShape, f32);
  auto zeroType = RankedTensorType::get(scaleShape, i4);
  SmallVector<int32_t> dims = {static_cast<int32_t>(w.outAxis),
                               static_cast<int32_t>(w.inAxis)};
  SmallVector<int64_t> blocks = {1, w.groupSize};
  if (w.inAxis < w.outAxis) {
    std::swap(dims[0], dims[1]);
    std::swap(blocks[0], blocks[1]);
  }
  return quant::UniformQuantizedSubChannelType::get(
      quant::QuantizationFlags::Signed, i4, f32,
      DenseElementsAttr::get(scaleType, ArrayRef<float>(scales)),
      DenseElementsAttr::get(zeroType, APInt(4, 0)), dims, blocks, -8, 7);
}

SmallVector<int8_t> mlir::qnt::packGroupedI4Weight(RankedTensorType type,
                                                   const GroupedI4Weight &w,
                                                   ArrayRef<int64_t> values) {
  ArrayRef<int64_t> shape = type.getShape();
  int64_t taps = 1;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != w.outAxis && d != w.inAxis)
      taps *= shape[d];
  // Only a conv's trailing kernel axes are "taps": they follow both others.
  int64_t outStride = 1, inStride = 1;
  for (int64_t d = type.getRank() - 1; d > w.outAxis; --d)
    outStride *= shape[d];
  for (int64_t d = type.getRank() - 1; d > w.inAxis; --d)
    inStride *= shape[d];
  auto at = [&](int64_t o, int64_t i, int64_t t) {
    return values[o * outStride + i * inStride + t];
  };
  int64_t pairs = (w.outChannels + 1) / 2;
  SmallVector<int8_t> packed;
  packed.reserve(pairs * w.inChannels * taps);
  for (int64_t p = 0; p < pairs; ++p)
    for (int64_t i = 0; i < w.inChannels; ++i)
      for (int64_t t = 0; t < taps; ++t) {
        int64_t lo = at(2 * p, i, t);
        int64_t hi = 2 * p + 1 < w.outChannels ? at(2 * p + 1, i, t) : 0;
        packed.push_back(static_cast<int8_t>((lo & 0xF) | ((hi & 0xF) << 4)));
      }
  return packed;
}

/// The scale (index into GroupedI4Weight::scales) of each element of a
/// weight of `type` grouped as `w` says.
static std::vector<int64_t> groupSlots(RankedTensorType type,
                                       const qnt::GroupedI4Weight &w) {
  qnt::LinearLayer layer;
  layer.outAxis = w.outAxis;
  layer.inAxis = w.inAxis;
  qnt::WeightLayout layout(type.getShape(), layer);
  std::vector<int64_t> slots(layout.getNumElements());
  for (size_t k = 0; k < slots.size(); ++k)
    slots[k] = layout.outputOf(k) * w.groups + layout.inputOf(k) / w.groupSize;
  return slots;
}

SmallVector<float> mlir::qnt::dequantizeGroupedI4(RankedTensorType type,
                                                  const GroupedI4Weight &w,
                                                  ArrayRef<int8_t> q) {
  std::vector<int64_t> slots = groupSlots(type, w);
  SmallVector<float> values(q.size());
  for (size_t i = 0; i < q.size(); ++i)
    values[i] = static_cast<float>(q[i] * w.scales[slots[i]]);
  return values;
}

qnt::GroupedI4Weight
mlir::qnt::quantizeGroupedI4(RankedTensorType type, int64_t outAxis,
                             int64_t inAxis, int64_t groupSize,
                             ArrayRef<float> values, SmallVector<int8_t> &q) {
  ArrayRef<int64_t> shape = type.getShape();
  GroupedI4Weight w;
  w.outAxis = outAxis;
  w.inAxis = inAxis;
  w.outChannels = shape[outAxis];
  w.inChannels = shape[inAxis];
  w.groupSize =
      groupSize > 0 && w.inChannels % groupSize == 0 ? groupSize : w.inChannels;
  w.groups = w.inChannels / w.groupSize;
  std::vector<int64_t> groupOf = groupSlots(type, w);
  SymmetricWeights quantized = quantizeGroupedWeights(
      values.data(), values.size(), groupOf, w.outChannels * w.groups, 4);
  w.scales.assign(quantized.scales.begin(), quantized.scales.end());
  q.assign(quantized.values.begin(), quantized.values.end());
  return w;
}

FailureOr<qnt::GroupedI4Weight> mlir::qnt::quantizeGroupedI4WithScales(
    RankedTensorType type, int64_t outAxis, int64_t inAxis, int64_t groupSize,
    ArrayRef<float> values, ArrayRef<double> scales, SmallVector<int8_t> &q) {
  ArrayRef<int64_t> shape = type.getShape();
  GroupedI4Weight w;
  w.outAxis = outAxis;
  w.inAxis = inAxis;
  w.outChannels = shape[outAxis];
  w.inChannels = shape[inAxis];
  w.groupSize =
      groupSize > 0 && w.inChannels % groupSize == 0 ? groupSize : w.inChannels;
  w.groups = w.inChannels / w.groupSize;
  if (static_cast<int64_t>(scales.size()) != w.outChannels * w.groups)
    return failure();
  w.scales.assign(scales.begin(), scales.end());
  std::vector<double> given(scales.begin(), scales.end());
  std::vector<int8_t> quantized = quantizeWithScales(
      values.data(), values.size(), groupSlots(type, w), given, 4);
  q.assign(quantized.begin(), quantized.end());
  return w;
}

Value mlir::qnt::castToStorage(OpBuilder &b, Location loc, Value value) {
  if (!getQuantizedElementType(value.getType()))
    return value;
  RankedTensorType storage = getStorageTensorType(value.getType());
  if (auto cast = value.getDefiningOp<quant::StorageCastOp>())
    if (cast.getInput().getType() == storage)
      return cast.getInput();
  return quant::StorageCastOp::create(b, loc, storage, value);
}

std::optional<SmallVector<qnt::FixedPointMultiplier>>
mlir::qnt::getRequantMultipliers(double inputScale,
                                 ArrayRef<double> weightScales,
                                 double outputScale, int64_t channels,
                                 int64_t &badChannel) {
  SmallVector<FixedPointMultiplier> multipliers;
  for (int64_t c = 0; c < channels; ++c) {
    double ws = weightScales.size() == 1 ? weightScales[0] : weightScales[c];
    std::optional<FixedPointMultiplier> m =
        toFixedPoint(inputScale * ws / outputScale);
    if (!m) {
      badChannel = c;
      return std::nullopt;
    }
    multipliers.push_back(*m);
  }
  return multipliers;
}

std::optional<std::string>
mlir::qnt::whyNoInt8Arithmetic(Operation *op, ArrayRef<double> operandScales,
                               double resultScale) {
  if (isa<AddOp, SubOp>(op)) {
    if (!toSumMultipliers(operandScales[0] / resultScale,
                          operandScales[1] / resultScale, isa<SubOp>(op)))
      return std::string("the operand and result scales are too far apart "
                         "(operand scale / result scale outside "
                         "[2^-11, 2^20])");
  } else if (isa<MulOp>(op)) {
    if (!toFixedPoint(operandScales[0] * operandScales[1] / resultScale))
      return std::string("sa * sb / so has no fixed-point form");
  } else if (auto pool = dyn_cast<GlobalAveragePoolOp>(op)) {
    int64_t count = 1;
    for (int64_t d : pool.getInput().getType().getShape().drop_front(2))
      count *= d;
    if (count > kMaxPoolWindow)
      return "the mean of " + std::to_string(count) +
             " int8 values could overflow its int32 sum";
    if (!toFixedPoint(operandScales[0] / (resultScale * count)))
      return std::string(
          "scale / (result scale * count) has no fixed-point form");
  }
  return std::nullopt;
}
