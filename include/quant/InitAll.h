//===- InitAll.h - Register quant's dialects and passes ---------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// Tools call these once before parsing: quant's own dialects, passes and
// pipelines, plus every upstream dialect, extension and pass (the lowering
// produces linalg, tensor, memref, scf, vector, omp and llvm IR, and
// quant-opt should be able to run any upstream pass on it).
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_INITALL_H
#define QUANT_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::quant_compiler {

/// Registers qnt and all upstream dialects with their interface models.
void registerAllDialects(DialectRegistry &registry);

/// Registers quant's passes and pipelines and all upstream passes.
void registerAllPasses();

/// Registers the MLIR -> LLVM IR translations the CPU targets need.
void registerAllTranslations(DialectRegistry &registry);

} // namespace mlir::quant_compiler

#endif // QUANT_INITALL_H
