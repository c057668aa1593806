//===- OnnxLoader.cpp - Parse and shape-infer ONNX protobufs ------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Built with -fexceptions: libonnx reports shape-inference failures by
// throwing, and an exception escaping into code built without exceptions
// would terminate the process. Nothing here includes LLVM or MLIR headers.
//
//===----------------------------------------------------------------------===//

#include "OnnxLoader.h"

#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>

#include <exception>

namespace mlir::qnt::onnx_loader {

std::string parseModel(const std::string &bytes, onnx::ModelProto &model) {
  if (bytes.empty())
    return "the file is empty";
  if (static_cast<long long>(bytes.size()) > kMaxModelBytes)
    return "the file is larger than protobuf's 2 GiB limit";
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(bytes.data()),
      static_cast<int>(bytes.size()));
  stream.SetTotalBytesLimit(static_cast<int>(kMaxModelBytes));
  // Deeply nested garbage must not exhaust the stack.
  stream.SetRecursionLimit(64);
  try {
    if (!model.ParseFromCodedStream(&stream) ||
        !stream.ConsumedEntireMessage())
      return "not a valid ONNX protobuf (ModelProto)";
  } catch (const std::exception &e) {
    return std::string("not a valid ONNX protobuf: ") + e.what();
  }
  if (!model.has_graph())
    return "the model has no graph";
  return {};
}

std::string inferShapes(onnx::ModelProto &model) {
  // check_type: catch type errors early; error_mode 1: stop at the first
  // node whose shape cannot be inferred; data propagation: evaluate
  // Shape/Gather/Concat/... chains so Reshape targets become static.
  onnx::ShapeInferenceOptions options(/*check_type_val=*/true,
                                      /*strict_mode_val=*/1,
                                      /*data_prop_val=*/true);
  try {
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    return std::string("ONNX shape inference failed: ") + e.what();
  }
  return {};
}

} // namespace mlir::qnt::onnx_loader
