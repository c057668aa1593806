//===- QntConstants.cpp - Reading and making qnt constants ------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntConstants.h"

#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

std::optional<SmallVector<float>> mlir::qnt::getConstantF32Values(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<ShapedType>(constant.getType());
  if (!type.getElementType().isF32())
    return std::nullopt;
  Attribute attr = constant.getValue();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    return SmallVector<float>(values.begin(), values.end());
  }
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    // A blob whose data was dropped (e.g. elided on print) has none to read.
    std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef();
    if (!data || static_cast<int64_t>(data->size()) != type.getNumElements())
      return std::nullopt;
    return SmallVector<float>(data->begin(), data->end());
  }
  return std::nullopt;
}

template <typename ResourceAttr>
static std::optional<SmallVector<int64_t>> blobValues(Attribute attr,
                                                      int64_t count) {
  auto blob = dyn_cast<ResourceAttr>(attr);
  if (!blob)
    return std::nullopt;
  auto data = blob.tryGetAsArrayRef();
  if (!data || static_cast<int64_t>(data->size()) != count)
    return std::nullopt;
  return SmallVector<int64_t>(data->begin(), data->end());
}

std::optional<SmallVector<int64_t>>
mlir::qnt::getConstantIntValues(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<ShapedType>(constant.getType());
  Type element = type.getElementType();
  if (!element.isInteger(4) && !element.isInteger(8) &&
      !element.isInteger(32))
    return std::nullopt;
  Attribute attr = constant.getValue();
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    SmallVector<int64_t> values;
    values.reserve(type.getNumElements());
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(v.getSExtValue());
    return values;
  }
  if (element.isInteger(4))
    return std::nullopt; // int4 constants are always inline
  if (element.isInteger(8))
    return blobValues<DenseI8ResourceElementsAttr>(attr,
                                                   type.getNumElements());
  return blobValues<DenseI32ResourceElementsAttr>(attr, type.getNumElements());
}

/// Inline up to kMaxInlineConstantElements, a `ResourceAttr` blob beyond.
template <typename ResourceAttr, typename T>
static ElementsAttr makeElements(RankedTensorType type, ArrayRef<T> values,
                                 StringRef blobName) {
  assert(static_cast<int64_t>(values.size()) == type.getNumElements() &&
         "values must fill the tensor type");
  if (type.getNumElements() <= qnt::kMaxInlineConstantElements)
    return DenseElementsAttr::get(type, values);
  return cast<ElementsAttr>(ResourceAttr::get(
      type, blobName, HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
}

ElementsAttr mlir::qnt::makeF32Elements(RankedTensorType type,
                                        ArrayRef<float> values,
                                        StringRef blobName) {
  assert(type.getElementType().isF32() && "an f32 tensor type");
  return makeElements<DenseF32ResourceElementsAttr>(type, values, blobName);
}

ElementsAttr mlir::qnt::makeI8Elements(RankedTensorType type,
                                       ArrayRef<int8_t> values,
                                       StringRef blobName) {
  assert(type.getElementType().isInteger(8) && "an i8 tensor type");
  return makeElements<DenseI8ResourceElementsAttr>(type, values, blobName);
}

ElementsAttr mlir::qnt::makeI32Elements(RankedTensorType type,
                                        ArrayRef<int32_t> values,
                                        StringRef blobName) {
  assert(type.getElementType().isInteger(32) && "an i32 tensor type");
  return makeElements<DenseI32ResourceElementsAttr>(type, values, blobName);
}

std::string mlir::qnt::derivedBlobName(Operation *op, StringRef suffix,
                                       StringRef fallback) {
  std::string name = fallback.str();
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    name = loc.getName().str();
  else if (auto fused = dyn_cast<FusedLoc>(op->getLoc()))
    for (Location l : fused.getLocations())
      if (auto named = dyn_cast<NameLoc>(l)) {
        name = named.getName().str();
        break;
      }
  return name + suffix.str();
}

void mlir::qnt::replaceOperandWithF32Constant(Operation *op, unsigned index,
                                              ArrayRef<float> values,
                                              StringRef suffix) {
  Value old = op->getOperand(index);
  auto type = cast<RankedTensorType>(old.getType());
  OpBuilder b(op);
  Value replacement = ConstantOp::create(
      b, old.getLoc(),
      makeF32Elements(type, values, derivedBlobName(op, suffix, "layer")));
  op->setOperand(index, replacement);
  if (Operation *def = old.getDefiningOp(); def && def->use_empty())
    def->erase();
}
