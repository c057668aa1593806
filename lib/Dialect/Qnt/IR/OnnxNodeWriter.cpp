//===- OnnxNodeWriter.cpp - What an op needs to write itself as ONNX ------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/OnnxNodeWriter.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::qnt;

OnnxNodeWriter::~OnnxNodeWriter() = default;

LogicalResult
OnnxNodeWriter::addNodeWithAttributes(Operation *op, StringRef opType,
                                      ArrayRef<std::string> inputs,
                                      ArrayRef<std::string> outputs) {
  SmallVector<OnnxAttribute> attributes;
  std::optional<RegisteredOperationName> info = op->getRegisteredInfo();
  for (StringAttr name :
       info ? info->getAttributeNames() : ArrayRef<StringAttr>()) {
    Attribute attr = op->getInherentAttr(name).value_or(Attribute());
    if (!attr)
      continue; // a default-valued attribute left at its default
    OnnxAttribute onnx{name.str(), int64_t(0)};
    if (auto b = dyn_cast<BoolAttr>(attr))
      onnx.value = int64_t(b.getValue());
    else if (auto i = dyn_cast<IntegerAttr>(attr))
      onnx.value = i.getInt();
    else if (auto f = dyn_cast<FloatAttr>(attr))
      onnx.value = static_cast<float>(f.getValueAsDouble());
    else if (auto ints = dyn_cast<DenseI64ArrayAttr>(attr))
      onnx.value = SmallVector<int64_t>(ints.asArrayRef());
    else if (auto floats = dyn_cast<DenseF32ArrayAttr>(attr))
      onnx.value = SmallVector<float>(floats.asArrayRef());
    else
      return op->emitError("ONNX export: attribute '")
             << name.getValue() << "' has no ONNX form";
    attributes.push_back(std::move(onnx));
  }
  addNode(op, opType, inputs, outputs, attributes);
  return success();
}
