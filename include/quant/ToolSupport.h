//===- ToolSupport.h - What every quant tool sets up ------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TOOLSUPPORT_H
#define QUANT_TOOLSUPPORT_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LLVM.h"

#include <memory>

namespace mlir::quant_compiler {

/// Prints every diagnostic as one line, "<where>: error: <message>", where
/// <where> is `inputFile` plus the ONNX node ("<file>: node 'X'") or the
/// file:line:col of the location.
void installToolDiagnostics(MLIRContext &context, StringRef inputFile);

/// A context with every dialect, extension and LLVM IR translation quant
/// uses, reporting through installToolDiagnostics.
std::unique_ptr<MLIRContext> createToolContext(StringRef inputFile);

} // namespace mlir::quant_compiler

#endif // QUANT_TOOLSUPPORT_H
