//===- OnnxImporter.h - ONNX model to qnt IR --------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Turns an ONNX model into a module holding `func.func @main` in the qnt
// dialect, with static shapes: dynamic input dims are fixed by the caller,
// ONNX shape inference types every value, shape-only subgraphs (Shape ->
// Gather -> Concat -> Reshape) are evaluated at import time, initializers
// become `dense_resource` blobs and every op's location is its ONNX node
// name.
//
// Errors are diagnostics on the context; each names the model file, and the
// node (name and op type) where one is at fault.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_IMPORT_ONNXIMPORTER_H
#define QUANT_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <utility>
#include <vector>

namespace mlir::qnt {

/// A fixed shape for one model input: `NAME=1x3x224x224`.
struct InputShape {
  std::string name;
  llvm::SmallVector<int64_t> dims;
};

struct OnnxImportOptions {
  /// Shapes for inputs whose dims are dynamic in the model (or to confirm
  /// static ones). Every input dim must end up static.
  std::vector<InputShape> inputShapes;
  /// Name of the generated function.
  std::string functionName = "main";
};

/// Parses `NAME=D0xD1x...` (D > 0). On failure returns false and sets `error`.
bool parseInputShape(llvm::StringRef spec, InputShape &shape,
                     std::string &error);

/// An ONNX op type (default domain) the importer converts, and the opsets
/// in which it does: one inclusive range per converter, in order (Clip:
/// {7, 10} with min/max attributes, {11, 17} with min/max inputs).
struct SupportedOnnxOp {
  std::string opType;
  std::vector<std::pair<int64_t, int64_t>> opsets;

  /// The ranges as "7-10, 11-17" (a one-opset range as "9").
  std::string formatOpsets() const;
};

/// The ONNX op types (default domain) the importer converts, sorted.
std::vector<SupportedOnnxOp> getSupportedOnnxOps();

/// Imports the ONNX model at `path`. Returns null after emitting diagnostics
/// when the model cannot be imported.
OwningOpRef<ModuleOp> importOnnxModel(MLIRContext *context,
                                      llvm::StringRef path,
                                      const OnnxImportOptions &options);

/// Imports a model already in memory. `path` names it in diagnostics, and
/// its folder is where external data is looked for.
OwningOpRef<ModuleOp>
importOnnxModelFromBuffer(MLIRContext *context, llvm::StringRef bytes,
                          llvm::StringRef path,
                          const OnnxImportOptions &options);

} // namespace mlir::qnt

#endif // QUANT_IMPORT_ONNXIMPORTER_H
