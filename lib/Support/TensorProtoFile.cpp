//===- TensorProtoFile.cpp - ONNX TensorProto (.pb) files -------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// llvm::Expected wrappers over runtime/quant_tensor_file.cpp.
//
//===----------------------------------------------------------------------===//

#include "quant/Support/TensorProtoFile.h"

using namespace llvm;

namespace mlir::qnt {

Expected<HostTensor> parseTensorProto(StringRef bytes, StringRef name) {
  HostTensor tensor;
  std::string error;
  if (!quant_io::parseTensorProto({bytes.data(), bytes.size()},
                                  {name.data(), name.size()}, tensor, error))
    return createStringError(inconvertibleErrorCode(), error);
  return tensor;
}

Expected<HostTensor> readTensorProtoFile(StringRef path) {
  std::string bytes, error;
  if (!quant_io::readFileBytes(path.str(), bytes, error))
    return createStringError(inconvertibleErrorCode(), error);
  return parseTensorProto(bytes, path);
}

} // namespace mlir::qnt
