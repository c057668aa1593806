//===- CpuPasses.cpp - Bufferization and math passes for CPU codegen ------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Cpu/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotModuleBufferize.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::quant_compiler {
#define GEN_PASS_DEF_QUANTBUFFERIZE
#define GEN_PASS_DEF_QUANTAPPROXIMATEMATH
#include "quant/Target/Cpu/Passes.h.inc"
} // namespace mlir::quant_compiler

using namespace mlir;
using namespace mlir::quant_compiler;

namespace {
struct QuantBufferizePass
    : quant_compiler::impl::QuantBufferizeBase<QuantBufferizePass> {
  void runOnOperation() override {
    bufferization::OneShotBufferizationOptions options;
    options.bufferizeFunctionBoundaries = true;
    options.setFunctionBoundaryTypeConversion(
        bufferization::LayoutMapOption::IdentityLayoutMap);
    options.memCpyFn = [](OpBuilder &b, Location loc, Value from,
                          Value to) -> LogicalResult {
      linalg::CopyOp::create(b, loc, from, to);
      return success();
    };
    bufferization::BufferizationState state;
    if (failed(bufferization::runOneShotModuleBufferize(getOperation(),
                                                        options, state)))
      signalPassFailure();
  }
};

struct QuantApproximateMathPass
    : quant_compiler::impl::QuantApproximateMathBase<
          QuantApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // pow and sqrt stay exact (LLVM intrinsics); these four have
    // vectorizable approximations.
    // The predicates get full operation names ("math.erf").
    auto approximated = [](StringRef name) {
      return llvm::is_contained(
          {math::ErfOp::getOperationName(), math::TanhOp::getOperationName(),
           math::ExpOp::getOperationName(), math::LogOp::getOperationName()},
          name);
    };
    populateMathF32ExpansionPatterns(patterns, approximated);
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
