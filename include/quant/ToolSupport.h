//===- ToolSupport.h - What every quant tool sets up ------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TOOLSUPPORT_H
#define QUANT_TOOLSUPPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <memory>
#include <string>

namespace mlir::quant_compiler {

/// Prints every diagnostic as one line, "<where>: error: <message>", where
/// <where> is `inputFile` plus the ONNX node ("<file>: node 'X'") or the
/// file:line:col of the location.
void installToolDiagnostics(MLIRContext &context, StringRef inputFile);

/// A context with every dialect, extension and LLVM IR translation quant
/// uses, reporting through installToolDiagnostics.
std::unique_ptr<MLIRContext> createToolContext(StringRef inputFile);

/// Loads a model: ONNX (imported with `inputShapes`, NAME=D0xD1... specs) or
/// MLIR text/bytecode. Errors are reported through the context's
/// diagnostics.
OwningOpRef<ModuleOp> loadModelFile(MLIRContext *context, StringRef path,
                                    ArrayRef<std::string> inputShapes);

} // namespace mlir::quant_compiler

#endif // QUANT_TOOLSUPPORT_H
