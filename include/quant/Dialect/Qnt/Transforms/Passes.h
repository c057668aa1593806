//===- Passes.h - Transformations on the qnt dialect ------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_TRANSFORMS_PASSES_H
#define QUANT_DIALECT_QNT_TRANSFORMS_PASSES_H

#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Quantization/Options.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace qnt {

#define GEN_PASS_DECL
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"

/// Patterns that fold qnt.batch_norm into a preceding qnt.conv or qnt.gemm.
void populateFoldBatchNormPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"

} // namespace qnt
} // namespace mlir

#endif // QUANT_DIALECT_QNT_TRANSFORMS_PASSES_H
