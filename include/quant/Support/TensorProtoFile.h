//===- TensorProtoFile.h - ONNX TensorProto (.pb) files ---------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Reads the serialized onnx.TensorProto files of ONNX's test data sets
// (input_0.pb, output_0.pb) into host tensors, with the same checks as
// .npy files: errors name the file, sizes are checked before allocation.
// The decoder is runtime/quant_tensor_file.cpp (protobuf wire format, no
// protobuf library), shared with the driver of compiled executables.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_SUPPORT_TENSORPROTOFILE_H
#define QUANT_SUPPORT_TENSORPROTOFILE_H

#include "quant/Support/Npy.h"

#include "llvm/Support/Error.h"

namespace mlir::qnt {

/// Parses serialized TensorProto bytes; `name` prefixes every error.
llvm::Expected<HostTensor> parseTensorProto(llvm::StringRef bytes,
                                            llvm::StringRef name);
/// Reads a TensorProto file.
llvm::Expected<HostTensor> readTensorProtoFile(llvm::StringRef path);

} // namespace mlir::qnt

#endif // QUANT_SUPPORT_TENSORPROTOFILE_H
