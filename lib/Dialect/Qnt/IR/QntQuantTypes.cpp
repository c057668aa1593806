//===- QntQuantTypes.cpp - Quantized tensor types on qnt ops --------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"

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
  return q && q.getStorageType().isInteger(8) ? q
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
