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

/// Verifies the nodes of `graph` and, recursively, of its subgraphs.
static std::string
verifyGraph(const onnx::GraphProto &graph,
            const std::unordered_map<std::string, int> &opsets, int depth) {
  if (depth > 8)
    return "subgraphs are nested more than 8 deep";
  const auto *registry = onnx::OpSchemaRegistry::Instance();
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(i)
                           : node.name();
    std::string where = "node '" + name + "' (" + node.op_type() + "): ";
    std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    auto it = opsets.find(domain);
    if (it == opsets.end())
      return where + "its domain is not imported by the model";
    const onnx::OpSchema *schema =
        registry->GetSchema(node.op_type(), it->second, domain);
    if (!schema)
      return where + "no such op in opset " + std::to_string(it->second);
    try {
      schema->Verify(node);
    } catch (const std::exception &e) {
      std::string message = e.what();
      // Drop libonnx's multi-line context: one line per error.
      return where + message.substr(0, message.find('\n'));
    }
    for (const auto &attr : node.attribute()) {
      if (attr.has_g()) {
        std::string error = verifyGraph(attr.g(), opsets, depth + 1);
        if (!error.empty())
          return error;
      }
    }
  }
  return {};
}

std::string verifyNodes(const onnx::ModelProto &model) {
  std::unordered_map<std::string, int> opsets;
  for (const auto &opset : model.opset_import())
    opsets[opset.domain() == "ai.onnx" ? "" : opset.domain()] =
        static_cast<int>(opset.version());
  return verifyGraph(model.graph(), opsets, 0);
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
