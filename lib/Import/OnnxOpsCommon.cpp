//===- OnnxOpsCommon.cpp - Helpers shared by the op converters --*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "OnnxOpsCommon.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *
mlir::qnt::detail::findAttr(const onnx::NodeProto &node, StringRef name) {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t mlir::qnt::detail::attrInt(const onnx::NodeProto &node, StringRef name,
                                   int64_t dflt) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->i() : dflt;
}

float mlir::qnt::detail::attrFloat(const onnx::NodeProto &node, StringRef name,
                                   float dflt) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->f() : dflt;
}

std::string mlir::qnt::detail::attrString(const onnx::NodeProto &node,
                                          StringRef name, StringRef dflt) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->s() : dflt.str();
}

std::optional<SmallVector<int64_t>>
mlir::qnt::detail::attrInts(const onnx::NodeProto &node, StringRef name) {
  const auto *attr = findAttr(node, name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<SmallVector<float>>
mlir::qnt::detail::attrFloats(const onnx::NodeProto &node, StringRef name) {
  const auto *attr = findAttr(node, name);
  if (!attr)
    return std::nullopt;
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

SmallVector<int64_t> mlir::qnt::detail::intsOr(const onnx::NodeProto &node,
                                               StringRef name, size_t n,
                                               int64_t dflt) {
  if (auto v = attrInts(node, name))
    return *v;
  return SmallVector<int64_t>(n, dflt);
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

FailureOr<int64_t> mlir::qnt::detail::normalizeAxis(Importer &im,
                                                    const onnx::NodeProto &node,
                                                    int64_t axis,
                                                    int64_t rank) {
  if (axis < -rank || axis >= rank)
    return im.nodeError(node)
           << "axis " << axis << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
mlir::qnt::detail::constInts(Importer &im, const onnx::NodeProto &node, int i,
                             StringRef what) {
  const ConstTensor *c = im.getConst(node, i);
  if (!c)
    return im.notSupported(node) << what
                                 << " must be known at import time (a "
                                    "constant or computed from static shapes)";
  SmallVector<int64_t> result;
  for (int64_t k = 0; k < c->numElements(); ++k)
    result.push_back(c->getInt(k));
  return result;
}

FailureOr<SmallVector<float>>
mlir::qnt::detail::constFloats(Importer &im, const onnx::NodeProto &node, int i,
                               StringRef what) {
  const ConstTensor *c = im.getConst(node, i);
  if (!c)
    return im.notSupported(node) << what << " must be a constant";
  SmallVector<float> result;
  for (int64_t k = 0; k < c->numElements(); ++k)
    result.push_back(static_cast<float>(c->getDouble(k)));
  return result;
}

FailureOr<std::optional<SmallVector<int64_t>>>
mlir::qnt::detail::optionalConstInts(Importer &im, const onnx::NodeProto &node,
                                     int i, StringRef what) {
  if (!im.hasInput(node, i))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> values = constInts(im, node, i, what);
  if (failed(values))
    return failure();
  return std::optional<SmallVector<int64_t>>(std::move(*values));
}

bool mlir::qnt::detail::allConst(Importer &im, const onnx::NodeProto &node) {
  for (int i = 0; i < node.input_size(); ++i)
    if (!im.isFoldableInput(node, i))
      return false;
  return true;
}

FailureOr<Value>
mlir::qnt::detail::getOptionalValue(Importer &im, const onnx::NodeProto &node,
                                    int i) {
  if (!im.hasInput(node, i))
    return Value();
  return im.getValue(node, i);
}

LogicalResult mlir::qnt::detail::requireFloat(Importer &im,
                                              const onnx::NodeProto &node,
                                              RankedTensorType type) {
  if (isa<FloatType>(type.getElementType()))
    return success();
  return im.notSupported(node)
         << "computing on " << type.getElementType() << " tensors at run time";
}

LogicalResult mlir::qnt::detail::requireNumeric(Importer &im,
                                                const onnx::NodeProto &node,
                                                RankedTensorType type,
                                                bool signMatters) {
  Type element = type.getElementType();
  if (element.isInteger(1))
    return im.notSupported(node)
           << "computing on " << element << " tensors at run time";
  if (!isa<IntegerType>(element) || !signMatters)
    return success();
  for (int i = 0; i < node.input_size(); ++i)
    if (im.isUint8Input(node, i))
      return im.notSupported(node)
             << "input " << i
             << " is uint8, which quant holds as i8 bits (Add, Sub, Mul, "
                "Div, Max, Min, Clip, TopK, the comparisons and Cast run on "
                "it; this op does not yet)";
  return success();
}

FailureOr<InputAndType>
mlir::qnt::detail::getInputAndType(Importer &im, const onnx::NodeProto &node,
                                   bool floatResult) {
  FailureOr<Value> x = im.getValue(node, 0);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(x) || failed(type) ||
      (floatResult && failed(requireFloat(im, node, *type))))
    return failure();
  return InputAndType{*x, *type};
}

//===----------------------------------------------------------------------===//
// Import-time evaluation
//===----------------------------------------------------------------------===//

SmallVector<int64_t> mlir::qnt::detail::stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

int64_t mlir::qnt::detail::broadcastIndex(int64_t flat,
                                          ArrayRef<int64_t> outShape,
                                          ArrayRef<int64_t> shape) {
  SmallVector<int64_t> outStrides = stridesOf(outShape);
  SmallVector<int64_t> inStrides = stridesOf(shape);
  int64_t offset = outShape.size() - shape.size();
  int64_t index = 0;
  for (size_t d = 0; d < outShape.size(); ++d) {
    int64_t coord = (flat / outStrides[d]) % outShape[d];
    if (static_cast<int64_t>(d) >= offset && shape[d - offset] != 1)
      index += coord * inStrides[d - offset];
  }
  return index;
}

// float16 through upstream's APFloat: exact widening, and round to nearest
// (ties to even, overflow to infinity) the other way.
static llvm::APFloat toHalf(float x) {
  llvm::APFloat f(x);
  bool lost = false;
  f.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return f;
}

static float widen(llvm::APFloat f) {
  bool lost = false;
  f.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return f.convertToFloat();
}

float mlir::qnt::detail::halfToFloat(uint16_t bits) {
  return widen(llvm::APFloat(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits)));
}

uint16_t mlir::qnt::detail::halfBits(float x) {
  return static_cast<uint16_t>(toHalf(x).bitcastToAPInt().getZExtValue());
}

float mlir::qnt::detail::roundToHalf(float x) { return widen(toHalf(x)); }

ConstTensor
mlir::qnt::detail::makeConst(int32_t dtype, ArrayRef<int64_t> shape,
                             function_ref<double(int64_t)> getDouble,
                             function_ref<int64_t(int64_t)> getInt) {
  ConstTensor c;
  c.dtype = dtype;
  c.shape.assign(shape.begin(), shape.end());
  int64_t n = *numElements(shape);
  if (c.isFloat())
    for (int64_t i = 0; i < n; ++i)
      c.floats.push_back(toFloat(getDouble(i)));
  else
    for (int64_t i = 0; i < n; ++i)
      c.ints.push_back(getInt(i));
  return c;
}

ConstTensor mlir::qnt::detail::reshapeConst(const ConstTensor &c,
                                            ArrayRef<int64_t> shape) {
  ConstTensor r = c;
  r.shape.assign(shape.begin(), shape.end());
  return r;
}

ConstTensor
mlir::qnt::detail::gatherConst(const ConstTensor &c, ArrayRef<int64_t> shape,
                               function_ref<int64_t(int64_t)> source) {
  return makeConst(
      c.dtype, shape, [&](int64_t i) { return c.getDouble(source(i)); },
      [&](int64_t i) { return c.getInt(source(i)); });
}

Value mlir::qnt::detail::materializeFloats(Importer &im, ArrayRef<float> values,
                                           ArrayRef<int64_t> shape,
                                           Location loc, StringRef nameHint) {
  ConstTensor c;
  c.dtype = onnx::TensorProto::FLOAT;
  c.shape.assign(shape.begin(), shape.end());
  c.floats.assign(values.begin(), values.end());
  return im.materialize(c, loc, nameHint);
}

//===----------------------------------------------------------------------===//
// Generic converters
//===----------------------------------------------------------------------===//

LogicalResult mlir::qnt::detail::convertIdentity(Importer &im,
                                                 const onnx::NodeProto &node) {
  if (const ConstTensor *c = im.getConst(node, 0)) {
    im.setConst(node, 0, *c);
    return success();
  }
  FailureOr<Value> x = im.getValue(node, 0);
  if (failed(x))
    return failure();
  im.setValue(node, 0, *x);
  return success();
}
