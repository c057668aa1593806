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

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::qnt {

/// Element types of host tensors, named after numpy's type codes.
enum class ElementKind { F32, F64, F16, I64, I32, I16, I8, U8, Bool };

/// Bytes per element.
size_t getElementSize(ElementKind kind);
/// numpy's descr ("<f4", "|u1", ...).
llvm::StringRef getNpyDescr(ElementKind kind);
/// The kind for a numpy descr; nullopt for big-endian or unknown types.
std::optional<ElementKind> parseNpyDescr(llvm::StringRef descr);

/// A tensor in host memory: row-major, little-endian elements.
struct HostTensor {
  ElementKind kind = ElementKind::F32;
  llvm::SmallVector<int64_t> shape;
  std::vector<char> data;

  int64_t getNumElements() const;
  /// The elements reinterpreted as T (the caller checks `kind`).
  template <typename T>
  llvm::ArrayRef<T> getValues() const {
    return llvm::ArrayRef<T>(reinterpret_cast<const T *>(data.data()),
                             data.size() / sizeof(T));
  }
};

/// Parses .npy bytes; `name` (the file) prefixes every error.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes,
                                    llvm::StringRef name);
/// Reads a .npy file.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);
/// The .npy (version 1.0) encoding of `tensor`, header padded as numpy pads.
std::string serializeNpy(const HostTensor &tensor);
/// Writes `tensor` to `path`.
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

} // namespace mlir::qnt

#endif // QUANT_SUPPORT_NPY_H
