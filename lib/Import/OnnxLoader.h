//===- OnnxLoader.h - Parse and shape-infer ONNX protobufs ------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The only code that calls into libonnx's C++ API that may throw. It lives in
// its own translation unit built with exceptions (the rest of quant, like
// LLVM, is built without), and reports failures as strings.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_LIB_IMPORT_ONNXLOADER_H
#define QUANT_LIB_IMPORT_ONNXLOADER_H

#include "onnx/onnx_pb.h"

#include <string>

namespace mlir::qnt::onnx_loader {

/// Largest model file protobuf can parse (2 GiB - 1); larger files are
/// rejected before they are read.
constexpr long long kMaxModelBytes = (1LL << 31) - 1;

/// Parses `bytes` into `model`. Returns an empty string on success, else why
/// it failed.
std::string parseModel(const std::string &bytes, onnx::ModelProto &model);

/// Checks every node of the main graph against its ONNX schema at the
/// model's opset (input and output counts, attribute types). libonnx's shape
/// inference assumes this and may crash on nodes that break it. Returns an
/// empty string on success, else "node '<name>' (<op>): <reason>".
std::string verifyNodes(const onnx::ModelProto &model);

/// Runs ONNX shape inference (with data propagation, so shape subgraphs feed
/// Reshape) on `model` in place. Returns an empty string on success.
std::string inferShapes(onnx::ModelProto &model);

} // namespace mlir::qnt::onnx_loader

#endif // QUANT_LIB_IMPORT_ONNXLOADER_H
