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
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::quant_compiler {
#define GEN_PASS_DEF_QUANTBUFFERIZE
#define GEN_PASS_DEF_QUANTAPPROXIMATEMATH
#define GEN_PASS_DEF_QUANTFUSEELEMENTWISE
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

namespace {
/// Fusing `fused` (a producer's result) into its consumer computes the
/// producer inside the consumer's loops: allowed when that evaluates each
/// producer element once.
bool fusesWithoutRecompute(OpOperand *fused) {
  // As upstream: only a producer with one use (no duplicated work across
  // consumers).
  Operation *producer = fused->get().getDefiningOp();
  if (!producer || !producer->hasOneUse())
    return false;
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!consumer)
    return false;
  if (consumer.getNumReductionLoops() == 0)
    return true;
  AffineMap map = consumer.getMatchingIndexingMap(fused);
  return map.isPermutation();
}

/// A `linalg.transpose` read only by a matrix-vector contraction (fewer
/// than 4 output rows, e.g. a decoder's q [1,Dh] times its key cache
/// transposed [Dh,T]) is folded into the contraction's indexing map, when
/// that makes the innermost reduction loop the innermost dim of the folded
/// operand: the contraction then reads the transpose's input in place, and
/// quant-cpu-tile-and-vectorize runs it as dot products along that
/// contiguous dim (planTiles' dot form) instead of copying the transpose
/// with strided reads first. A contraction with 4 or more rows keeps the
/// copy: its outer-product register tiles need the right-hand side's rows
/// contiguous along the output's columns. (Upstream's
/// populateLinalgFoldIntoElementwisePatterns folds transposes into
/// `linalg.elementwise` ops only, and unconditionally.)
struct FoldTransposeIntoMatrixVector : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1 ||
        !op.hasPureTensorSemantics())
      return failure();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return failure();
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (!outMap.isProjectedPermutation() || outMap.getNumResults() == 0)
      return failure();
    // Output rows: the second-innermost output dim (1 for a vector).
    int64_t rows = 1;
    if (outMap.getNumResults() >= 2)
      rows = ranges[outMap.getDimPosition(outMap.getNumResults() - 2)];
    if (rows >= 4)
      return failure();
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    std::optional<unsigned> innermostReduction;
    for (unsigned i = 0; i < iterators.size(); ++i)
      if (iterators[i] == utils::IteratorType::reduction)
        innermostReduction = i;
    for (OpOperand *input : op.getDpsInputOperands()) {
      auto transpose = input->get().getDefiningOp<linalg::TransposeOp>();
      if (!transpose || !transpose->hasOneUse() ||
          !transpose.hasPureTensorSemantics())
        continue;
      AffineMap map = op.getMatchingIndexingMap(input);
      if (!map.isProjectedPermutation() || map.getNumResults() == 0)
        continue;
      // Element (x_0, ..., x_n) of the transpose is element y of its input
      // with y[perm[k]] = x_k: the folded map's result j is result
      // inverse[j] of the consumer's.
      ArrayRef<int64_t> perm = transpose.getPermutation();
      SmallVector<AffineExpr> results(perm.size());
      for (auto [k, j] : llvm::enumerate(perm))
        results[j] = map.getResult(k);
      AffineMap folded =
          AffineMap::get(map.getNumDims(), 0, results, op.getContext());
      if (folded.getDimPosition(folded.getNumResults() - 1) !=
          *innermostReduction)
        continue;
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      maps[input->getOperandNumber()] = folded;
      rewriter.modifyOpInPlace(op, [&] {
        input->set(transpose.getInput());
        op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      });
      return success();
    }
    return failure();
  }
};

struct QuantFuseElementwisePass
    : quant_compiler::impl::QuantFuseElementwiseBase<
          QuantFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns,
                                                 fusesWithoutRecompute);
    patterns.add<FoldTransposeIntoMatrixVector>(ctx);
    auto oneUse = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse();
    };
    // Reshapes are not pushed through contractions: a matmul whose result
    // is reshaped into heads would become a 5-D contraction whose rows are
    // not the left-hand side's rows, which the vectorizer handles badly.
    auto reshapeFusion = [oneUse](OpOperand *fused) {
      auto hasReduction = [](Operation *op) {
        auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
        return linalgOp && linalgOp.getNumReductionLoops() > 0;
      };
      return oneUse(fused) && !hasReduction(fused->getOwner()) &&
             !hasReduction(fused->get().getDefiningOp());
    };
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, reshapeFusion);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, oneUse);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
