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

/// The command-line spellings of DynamicScaling (qnt.dynamic_linear).
inline auto dynamicScalingValues() {
  return llvm::cl::values(
      clEnumValN(DynamicScaling::per_token_absmax, "per-token-absmax",
                 "a symmetric scale per token (row): max |x| / 127"),
      clEnumValN(DynamicScaling::per_tensor_absmax, "per-tensor-absmax",
                 "one symmetric scale: max |x| / 127"),
      clEnumValN(DynamicScaling::per_token_minmax, "per-token-minmax",
                 "a scale and zero point per token from its min and max"),
      clEnumValN(DynamicScaling::per_tensor_minmax, "per-tensor-minmax",
                 "one scale and zero point from the min and max (ONNX "
                 "DynamicQuantizeLinear)"));
}

#define GEN_PASS_DECL
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"

/// Patterns that fold qnt.batch_norm into a preceding qnt.conv or qnt.gemm.
void populateFoldBatchNormPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"

} // namespace qnt
} // namespace mlir

#endif // QUANT_DIALECT_QNT_TRANSFORMS_PASSES_H
