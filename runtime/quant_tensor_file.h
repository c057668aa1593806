//===- quant_tensor_file.h - .npy and TensorProto .pb tensors ---*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// The one reader and writer of tensor files in quant: numpy .npy (read and
// write) and ONNX TensorProto .pb (read, decoded from the protobuf wire
// format). It uses only the C++ standard library, so the command-line
// driver linked into --emit=exe executables uses it as well as the compiler
// (quant/Support/Npy.h and TensorProtoFile.h wrap it in llvm::Expected).
//
// Every error is one line, "<name>: <reason>", where <name> is the file.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TENSOR_FILE_H
#define QUANT_TENSOR_FILE_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quant_io {

/// Element types of host tensors, named after numpy's type codes.
enum class ElementKind { F32, F64, F16, I64, I32, I16, I8, U8, Bool };

/// Bytes per element.
size_t getElementSize(ElementKind kind);
/// numpy's descr ("<f4", "|u1", ...).
const char *getNpyDescr(ElementKind kind);
/// numpy's dtype name ("float32", "uint8", ...).
const char *getTypeName(ElementKind kind);
/// "AxBxC", or "scalar" for rank 0: how every quant message writes a shape.
std::string formatShape(const std::vector<int64_t> &shape);
/// The kind for a numpy descr; nullopt for big-endian or unknown types.
std::optional<ElementKind> parseNpyDescr(std::string_view descr);

/// A read-only view of a tensor's elements.
template <typename T>
struct ElementView {
  const T *ptr;
  size_t count;
  const T &operator[](size_t i) const { return ptr[i]; }
  size_t size() const { return count; }
  const T *begin() const { return ptr; }
  const T *end() const { return ptr + count; }
};

/// A tensor in host memory: row-major, little-endian elements.
struct HostTensor {
  ElementKind kind = ElementKind::F32;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t getNumElements() const;
  /// The elements reinterpreted as T (the caller checks `kind`).
  template <typename T>
  ElementView<T> getValues() const {
    return {reinterpret_cast<const T *>(data.data()), data.size() / sizeof(T)};
  }
};

/// Parses .npy bytes into `out`; false with `error` set on failure.
bool parseNpy(std::string_view bytes, std::string_view name, HostTensor &out,
              std::string &error);
/// The .npy (version 1.0) encoding of `tensor`, header padded as numpy pads.
std::string serializeNpy(const HostTensor &tensor);

/// Parses a serialized ONNX TensorProto (raw_data or the typed fields).
bool parseTensorProto(std::string_view bytes, std::string_view name,
                      HostTensor &out, std::string &error);

/// Reads a whole file; false with "<path>: cannot read: <reason>".
bool readFileBytes(const std::string &path, std::string &bytes,
                   std::string &error);
/// Writes a whole file; false with "<path>: cannot write: <reason>".
bool writeFileBytes(const std::string &path, std::string_view bytes,
                    std::string &error);

} // namespace quant_io

#endif // QUANT_TENSOR_FILE_H
