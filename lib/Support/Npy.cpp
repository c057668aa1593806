//===- Npy.cpp - Read and write numpy .npy tensors --------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// llvm::Expected wrappers over runtime/quant_tensor_file.cpp, where the
// format is implemented.
//
//===----------------------------------------------------------------------===//

#include "quant/Support/Npy.h"

using namespace llvm;

namespace mlir::qnt {

static std::string_view view(StringRef s) { return {s.data(), s.size()}; }

static Error makeError(const std::string &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

Expected<HostTensor> parseNpy(StringRef bytes, StringRef name) {
  HostTensor tensor;
  std::string error;
  if (!quant_io::parseNpy(view(bytes), view(name), tensor, error))
    return makeError(error);
  return tensor;
}

Expected<HostTensor> readNpy(StringRef path) {
  std::string bytes, error;
  if (!quant_io::readFileBytes(path.str(), bytes, error))
    return makeError(error);
  return parseNpy(bytes, path);
}

Error writeNpy(StringRef path, const HostTensor &tensor) {
  std::string error;
  if (!quant_io::writeFileBytes(path.str(), serializeNpy(tensor), error))
    return makeError(error);
  return Error::success();
}

} // namespace mlir::qnt
