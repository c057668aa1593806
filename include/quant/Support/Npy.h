//===- Npy.h - Read and write numpy .npy tensors ----------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The .npy format (numpy.lib.format, versions 1.0 to 3.0) for the tensors
// quant's tools read and write: model inputs and outputs, calibration
// samples. Little-endian, C-order arrays of the element types ONNX models
// use. Every error names the file and says what is wrong; sizes are checked
// against the file before data is allocated.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_SUPPORT_NPY_H
#define QUANT_SUPPORT_NPY_H

#include "quant_tensor_file.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace mlir::qnt {

// The implementation is runtime/quant_tensor_file.h (standard library only,
// shared with the driver of compiled executables); these are its
// llvm::Expected forms for the compiler.
using quant_io::ElementKind;
using quant_io::getElementSize;
using quant_io::HostTensor;

/// numpy's descr ("<f4", "|u1", ...).
inline llvm::StringRef getNpyDescr(ElementKind kind) {
  return quant_io::getNpyDescr(kind);
}
/// The kind for a numpy descr; nullopt for big-endian or unknown types.
inline std::optional<ElementKind> parseNpyDescr(llvm::StringRef descr) {
  return quant_io::parseNpyDescr(std::string_view(descr.data(), descr.size()));
}

/// Parses .npy bytes; `name` (the file) prefixes every error.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes,
                                    llvm::StringRef name);
/// Reads a .npy file.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);
/// The .npy (version 1.0) encoding of `tensor`, header padded as numpy pads.
using quant_io::serializeNpy;
/// Writes `tensor` to `path`.
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

} // namespace mlir::qnt

#endif // QUANT_SUPPORT_NPY_H
