//===- TileAndVectorize.cpp - SIMD register tiles for linalg on tensors ---===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// quant-cpu-tile-and-vectorize: see the pass description in Passes.td. The
// pass works on tensors (before bufferization) so that tiling is expressed
// with scf.forall + tensor slices and accumulators can be hoisted as loop-
// carried vectors.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::quant_compiler {
#define GEN_PASS_DEF_QUANTCPUTILEANDVECTORIZE
#include "quant/Target/Cpu/Passes.h.inc"
} // namespace mlir::quant_compiler

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// Convolutions as contractions
//===----------------------------------------------------------------------===//

bool hasUnitValues(DenseIntElementsAttr attr) {
  return llvm::all_of(attr.getValues<int64_t>(),
                      [](int64_t v) { return v == 1; });
}

/// The largest divisor of `n` up to `limit` that makes a good vector length
/// for `vectorWidth` lanes: a multiple of the width, or a power of two of at
/// least 4 (odd lengths like 28 legalize into shuffles). 1 when none.
int64_t largestVectorTile(int64_t n, int64_t limit, int64_t vectorWidth) {
  for (int64_t d = std::min(n, limit); d >= 4; --d)
    if (n % d == 0 && (d % vectorWidth == 0 || llvm::isPowerOf2_64(d)))
      return d;
  return 1;
}

/// The statically shaped tensor types of a conv's image, filter and output.
struct ConvTypes {
  RankedTensorType x, w, out;
};

/// The types of a conv on tensors with static shapes and batch 1 (the pass
/// tiles larger batches to 1 before the conv rewrites run); failure
/// otherwise.
FailureOr<ConvTypes> getSingleImageConvTypes(linalg::Conv2DNchwFchwOp op) {
  if (!op.hasPureTensorSemantics())
    return failure();
  auto x = dyn_cast<RankedTensorType>(op.getInputs()[0].getType());
  auto w = dyn_cast<RankedTensorType>(op.getInputs()[1].getType());
  auto out = dyn_cast<RankedTensorType>(op.getOutputs()[0].getType());
  if (!x || !w || !out || !x.hasStaticShape() || !w.hasStaticShape() ||
      !out.hasStaticShape() || x.getDimSize(0) != 1)
    return failure();
  return ConvTypes{x, w, out};
}

/// Replaces a batch-1 conv by `lhs` [F,K] x `rhs` [K,OH*OW] accumulated
/// into its output (collapsed to [F,OH*OW]) and expanded back.
void replaceByImageMatmul(PatternRewriter &rewriter,
                          linalg::Conv2DNchwFchwOp op, Value lhs, Value rhs) {
  Location loc = op.getLoc();
  SmallVector<ReassociationIndices> image = {{0, 1}, {2, 3}};
  Value init =
      tensor::CollapseShapeOp::create(rewriter, loc, op.getOutputs()[0], image);
  Value product =
      linalg::MatmulOp::create(rewriter, loc, TypeRange{init.getType()},
                               ValueRange{lhs, rhs}, ValueRange{init})
          .getResult(0);
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
      op, op.getOutputs()[0].getType(), product, image);
}

/// The filter [F,C,KH,KW] as the matmul's left-hand side [F, C*KH*KW].
Value filterAsMatrix(PatternRewriter &rewriter, linalg::Conv2DNchwFchwOp op) {
  return tensor::CollapseShapeOp::create(
      rewriter, op.getLoc(), op.getInputs()[1],
      SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
}

/// conv_2d_nchw_fchw, batch 1, 1x1 kernel, unit strides: a matmul of the
/// weights [F,C] and the image [C,H*W].
struct PointwiseConvToMatmul : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<ConvTypes> types = getSingleImageConvTypes(op);
    if (failed(types))
      return failure();
    RankedTensorType xType = types->x, wType = types->w, oType = types->out;
    if (wType.getDimSize(2) != 1 || wType.getDimSize(3) != 1 ||
        !hasUnitValues(op.getStrides()) ||
        xType.getDimSize(2) != oType.getDimSize(2) ||
        xType.getDimSize(3) != oType.getDimSize(3))
      return failure();
    Value x = tensor::CollapseShapeOp::create(
        rewriter, op.getLoc(), op.getInputs()[0],
        SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    replaceByImageMatmul(rewriter, op, filterAsMatrix(rewriter, op), x);
    return success();
  }
};

/// Kernels with more taps than this (e.g. an STFT as a 1x512 conv) use
/// upstream's im2col (one gather generic) instead of a slice per tap.
constexpr int64_t kMaxSliceTaps = 64;

/// conv_2d_nchw_fchw, batch 1, unit strides and dilations: no im2col
/// buffer. An scf.forall over output rows accumulates, for each kernel tap
/// (kh, kw), the matmul W[:, :, kh, kw] [F,C] x x[0, :, oh + kh, kw : kw+OW]
/// [C,OW] into out[0, :, oh, :] [F,OW]; the image rows are read in place
/// (strided views), and the matmuls vectorize like any other.
/// Used when the im2col buffer would not fit in a typical L2 cache (1 MiB)
/// and output rows are whole vectors; smaller convs do better as one matmul.
struct RowTapConv : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  RowTapConv(MLIRContext *ctx, int64_t vectorWidth, PatternBenefit benefit)
      : OpRewritePattern(ctx, benefit), vectorWidth(vectorWidth) {}
  int64_t vectorWidth;
  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<ConvTypes> types = getSingleImageConvTypes(op);
    // Its scf.forall over rows would nest in the one over images of a batch.
    if (failed(types) || op->getParentOfType<scf::ForallOp>() ||
        !hasUnitValues(op.getStrides()) || !hasUnitValues(op.getDilations()))
      return failure();
    MLIRContext *ctx = rewriter.getContext();
    Location loc = op.getLoc();
    Type f = types->out.getElementType();
    int64_t fs = types->w.getDimSize(0), c = types->w.getDimSize(1),
            kh = types->w.getDimSize(2), kw = types->w.getDimSize(3);
    int64_t oh = types->out.getDimSize(2), ow = types->out.getDimSize(3);
    if (kh * kw == 1 || kh * kw > kMaxSliceTaps ||
        largestVectorTile(ow, 2 * vectorWidth, vectorWidth) < vectorWidth ||
        c * kh * kw * oh * ow * 4 < (int64_t(1) << 20))
      return failure();
    Value x = op.getInputs()[0], w = op.getInputs()[1];
    auto forall = scf::ForallOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(oh)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)},
        ValueRange{op.getOutputs()[0]}, std::nullopt);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(forall.getBody());
    Value row = forall.getInductionVars()[0];
    Value shared = forall.getRegionIterArgs()[0];
    auto rowType = RankedTensorType::get({fs, ow}, f);
    OpFoldResult one = rewriter.getIndexAttr(1),
                 zero = rewriter.getIndexAttr(0);
    SmallVector<OpFoldResult> outOffsets = {zero, zero, row, zero};
    SmallVector<OpFoldResult> outSizes =
        getAsIndexOpFoldResult(ctx, {1, fs, 1, ow});
    SmallVector<OpFoldResult> unit(4, one);
    Value acc = tensor::ExtractSliceOp::create(rewriter, loc, rowType, shared,
                                               outOffsets, outSizes, unit);
    for (int64_t i = 0; i < kh; ++i) {
      Value inRow = affine::AffineApplyOp::create(
          rewriter, loc, AffineMap::get(1, 0, getAffineDimExpr(0, ctx) + i),
          ValueRange{row});
      for (int64_t j = 0; j < kw; ++j) {
        Value lhs = tensor::ExtractSliceOp::create(
            rewriter, loc, RankedTensorType::get({fs, c}, f), w,
            getAsIndexOpFoldResult(ctx, {0, 0, i, j}),
            getAsIndexOpFoldResult(ctx, {fs, c, 1, 1}), unit);
        Value rhs = tensor::ExtractSliceOp::create(
            rewriter, loc, RankedTensorType::get({c, ow}, f), x,
            SmallVector<OpFoldResult>{zero, zero, inRow,
                                      rewriter.getIndexAttr(j)},
            getAsIndexOpFoldResult(ctx, {1, c, 1, ow}), unit);
        acc = linalg::MatmulOp::create(rewriter, loc, TypeRange{rowType},
                                       ValueRange{lhs, rhs}, ValueRange{acc})
                  .getResult(0);
      }
    }
    rewriter.setInsertionPointToEnd(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(rewriter, loc, acc, shared,
                                          outOffsets, outSizes, unit);
    rewriter.replaceOp(op, forall.getResults());
    return success();
  }
};

/// Upstream im2col for NCHW gives [N, C*KH*KW, OH*OW] columns and a batched
/// contraction generic; with N = 1 the contraction is replaced by a
/// linalg.matmul on the collapsed operands, which vectorizes.
LogicalResult im2colByGather(PatternRewriter &rewriter,
                             linalg::Conv2DNchwFchwOp op) {
  FailureOr<std::pair<Operation *, Operation *>> rewritten =
      linalg::rewriteInIm2Col(rewriter, op);
  if (failed(rewritten))
    return failure();
  // The second op is the contraction or the reshape of its result.
  Operation *result = rewritten->second;
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(result))
    result = result->getOperand(0).getDefiningOp();
  auto contraction = dyn_cast_or_null<linalg::GenericOp>(result);
  if (!contraction || contraction.getNumDpsInputs() != 2)
    return success();
  Value filter = contraction.getInputs()[0], col = contraction.getInputs()[1];
  Value out = contraction.getOutputs()[0];
  auto colType = cast<RankedTensorType>(col.getType());
  auto outType = cast<RankedTensorType>(out.getType());
  if (colType.getRank() != 3 || colType.getDimSize(0) != 1 ||
      cast<RankedTensorType>(filter.getType()).getRank() != 2)
    return success();
  Location loc = contraction.getLoc();
  rewriter.setInsertionPoint(contraction);
  SmallVector<ReassociationIndices> dropBatch = {{0, 1}, {2}};
  Value rhs = tensor::CollapseShapeOp::create(rewriter, loc, col, dropBatch);
  Value init = tensor::CollapseShapeOp::create(rewriter, loc, out, dropBatch);
  Value product =
      linalg::MatmulOp::create(rewriter, loc, TypeRange{init.getType()},
                               ValueRange{filter, rhs}, ValueRange{init})
          .getResult(0);
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(contraction, outType,
                                                     product, dropBatch);
  return success();
}

/// Other conv_2d_nchw_fchw with batch 1: im2col by strided slices, one per
/// kernel tap, inserted into a [C, KH*KW, OH, OW] tensor that collapses to
/// the [C*KH*KW, OH*OW] right-hand side of a linalg.matmul with the weights
/// [F, C*KH*KW]; the matmul then vectorizes like any other.
struct Im2ColConv : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<ConvTypes> types = getSingleImageConvTypes(op);
    if (failed(types))
      return failure();
    RankedTensorType wType = types->w, oType = types->out;
    MLIRContext *ctx = rewriter.getContext();
    Location loc = op.getLoc();
    int64_t c = wType.getDimSize(1), kh = wType.getDimSize(2),
            kw = wType.getDimSize(3);
    if (kh * kw > kMaxSliceTaps)
      return im2colByGather(rewriter, op);
    int64_t oh = oType.getDimSize(2), ow = oType.getDimSize(3);
    SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
    Type f = oType.getElementType();
    Value col = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{c, kh * kw, oh, ow}, f);
    for (int64_t i = 0; i < kh; ++i) {
      for (int64_t j = 0; j < kw; ++j) {
        Value tap = tensor::ExtractSliceOp::create(
            rewriter, loc, RankedTensorType::get({c, oh, ow}, f),
            op.getInputs()[0],
            getAsIndexOpFoldResult(ctx,
                                   {0, 0, i * dilations[0], j * dilations[1]}),
            getAsIndexOpFoldResult(ctx, {1, c, oh, ow}),
            getAsIndexOpFoldResult(ctx, {1, 1, strides[0], strides[1]}));
        col = tensor::InsertSliceOp::create(
            rewriter, loc, tap, col,
            getAsIndexOpFoldResult(ctx, {0, i * kw + j, 0, 0}),
            getAsIndexOpFoldResult(ctx, {c, 1, oh, ow}),
            getAsIndexOpFoldResult(ctx, {1, 1, 1, 1}));
      }
    }
    Value rhs = tensor::CollapseShapeOp::create(
        rewriter, loc, col, SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
    replaceByImageMatmul(rewriter, op, filterAsMatrix(rewriter, op), rhs);
    return success();
  }
};

/// The full-rank type of a slice op's static sizes when the op would
/// bufferize to a memref.subview that upstream cannot rank-reduce: it drops
/// unit dims, has a stride other than 1, and has more size-1 dims than it
/// drops. Such a subview's dropped dims are found by matching the result's
/// strides against the source's (`computeMemRefRankReductionMask`),
/// ignoring the subview's own strides: an im2col tap of a stride-2 conv
/// with one output column (`1x32x1x2` -> `32x1x1` with strides
/// [1, 1, 1, 2]) matches nothing, and LLVM 22, built without assertions,
/// dereferences the failed result in `SubViewOp::getDroppedDims`
/// (expand-strided-metadata crashed). With as many size-1 dims as dropped
/// ones upstream needs no strides, and such slices are left alone.
std::optional<RankedTensorType>
ambiguousStridedRankReduction(OffsetSizeAndStrideOpInterface op,
                              RankedTensorType reduced) {
  SmallVector<int64_t> sizes;
  for (OpFoldResult size : op.getMixedSizes()) {
    std::optional<int64_t> value = getConstantIntValue(size);
    if (!value)
      return std::nullopt;
    sizes.push_back(*value);
  }
  int64_t dropped = int64_t(sizes.size()) - reduced.getRank();
  if (dropped <= 0 || llvm::count(sizes, 1) <= dropped ||
      llvm::all_of(op.getMixedStrides(), [](OpFoldResult stride) {
        return isConstantIntValue(stride, 1);
      }))
    return std::nullopt;
  return RankedTensorType::get(sizes, reduced.getElementType());
}

/// Such a tensor.extract_slice (ambiguousStridedRankReduction) becomes a
/// slice of full rank and a collapse_shape of its unit dims: its buffer is a
/// subview of full rank and a memref.collapse_shape.
struct FullRankStridedExtractSlice : OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ExtractSliceOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType reduced = op.getType();
    std::optional<RankedTensorType> full =
        ambiguousStridedRankReduction(op, reduced);
    if (!full)
      return rewriter.notifyMatchFailure(op, "upstream can rank-reduce it");
    std::optional<SmallVector<ReassociationIndices>> groups =
        getReassociationIndicesForReshape(*full, reduced);
    if (!groups)
      return rewriter.notifyMatchFailure(op, "no reassociation");
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, op.getLoc(), *full, op.getSource(), op.getMixedOffsets(),
        op.getMixedSizes(), op.getMixedStrides());
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, reduced, slice,
                                                         *groups);
    return success();
  }
};

/// The same for tensor.insert_slice: the source is expanded to full rank.
struct FullRankStridedInsertSlice : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::InsertSliceOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType reduced = op.getSourceType();
    std::optional<RankedTensorType> full =
        ambiguousStridedRankReduction(op, reduced);
    if (!full)
      return rewriter.notifyMatchFailure(op, "upstream can rank-reduce it");
    std::optional<SmallVector<ReassociationIndices>> groups =
        getReassociationIndicesForReshape(reduced, *full);
    if (!groups)
      return rewriter.notifyMatchFailure(op, "no reassociation");
    Value source = tensor::ExpandShapeOp::create(rewriter, op.getLoc(), *full,
                                                 op.getSource(), *groups);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, source, op.getDest(), op.getMixedOffsets(), op.getMixedSizes(),
        op.getMixedStrides());
    return success();
  }
};

/// depthwise_conv_2d_nchw_chw: one elementwise generic over the output that
/// adds x[kh,kw] * w[c,kh,kw] for every tap in the reference loop order
/// (kh outer, kw inner), reading each tap as a strided slice of the input.
struct DepthwiseConvAsTaps
    : OpRewritePattern<linalg::DepthwiseConv2DNchwChwOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::DepthwiseConv2DNchwChwOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    auto wType = dyn_cast<RankedTensorType>(op.getInputs()[1].getType());
    auto oType = dyn_cast<RankedTensorType>(op.getOutputs()[0].getType());
    if (!wType || !oType || !wType.hasStaticShape() || !oType.hasStaticShape())
      return failure();
    // Float taps only (an i32 depthwise conv, from ONNX ConvInteger, keeps
    // linalg's own loops).
    if (!isa<FloatType>(oType.getElementType()))
      return failure();
    int64_t kh = wType.getDimSize(1), kw = wType.getDimSize(2);
    if (kh * kw > 49)
      return failure();
    SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
    Location loc = op.getLoc();
    Value x = op.getInputs()[0], w = op.getInputs()[1];
    ArrayRef<int64_t> out = oType.getShape();
    SmallVector<Value> taps, weights;
    for (int64_t i = 0; i < kh; ++i) {
      for (int64_t j = 0; j < kw; ++j) {
        taps.push_back(tensor::ExtractSliceOp::create(
            rewriter, loc, RankedTensorType::get(out, oType.getElementType()),
            x,
            getAsIndexOpFoldResult(rewriter.getContext(),
                                   {0, 0, i * dilations[0], j * dilations[1]}),
            getAsIndexOpFoldResult(rewriter.getContext(), out),
            getAsIndexOpFoldResult(rewriter.getContext(),
                                   {1, 1, strides[0], strides[1]})));
        weights.push_back(tensor::ExtractSliceOp::create(
            rewriter, loc,
            RankedTensorType::get({out[1]}, wType.getElementType()), w,
            getAsIndexOpFoldResult(rewriter.getContext(), {0, i, j}),
            getAsIndexOpFoldResult(rewriter.getContext(), {out[1], 1, 1}),
            getAsIndexOpFoldResult(rewriter.getContext(), {1, 1, 1})));
      }
    }
    MLIRContext *ctx = rewriter.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap channel = AffineMap::get(4, 0, getAffineDimExpr(1, ctx));
    SmallVector<AffineMap> maps(taps.size(), id);
    maps.append(weights.size(), channel);
    maps.push_back(id);
    SmallVector<Value> inputs(taps);
    llvm::append_range(inputs, weights);
    size_t count = taps.size();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{oType}, inputs, op.getOutputs(), maps,
        SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
        [count](OpBuilder &b, Location l, ValueRange args) {
          Value acc = args.back();
          for (size_t k = 0; k < count; ++k) {
            Value product =
                arith::MulFOp::create(b, l, args[k], args[count + k]);
            acc = arith::AddFOp::create(b, l, acc, product);
          }
          linalg::YieldOp::create(b, l, acc);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Tiling plan
//===----------------------------------------------------------------------===//

/// A static tensor.pad with a constant value as fills of its borders plus
/// the source inserted in the middle. Upstream's decomposition fills the
/// whole padded tensor first: a full extra write of (typically) a padded
/// image that the copy overwrites again, which in the detector was a
/// memset of a few MB per padded depthwise conv.
struct PadAsBorderFills : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::PadOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType source = op.getSourceType();
    RankedTensorType result = op.getResultType();
    Value value = op.getConstantPaddingValue();
    if (!value || !source.hasStaticShape() || !result.hasStaticShape())
      return failure();
    SmallVector<int64_t> low = llvm::to_vector(op.getStaticLow());
    SmallVector<int64_t> high = llvm::to_vector(op.getStaticHigh());
    if (llvm::any_of(llvm::concat<int64_t>(low, high), [](int64_t v) {
          return ShapedType::isDynamic(v) || v < 0;
        }))
      return failure();
    Location loc = op.getLoc();
    int64_t rank = result.getRank();
    Value padded = tensor::EmptyOp::create(rewriter, loc, result.getShape(),
                                           result.getElementType());
    // Each border slab spans the whole tensor in the other dims (corners
    // are filled twice).
    auto fillSlab = [&](int64_t dim, int64_t offset, int64_t size) {
      if (size == 0)
        return;
      SmallVector<int64_t> offsets(rank, 0), sizes(result.getShape()),
          strides(rank, 1);
      offsets[dim] = offset;
      sizes[dim] = size;
      // A slice of the padded tensor (not a new one): bufferizes in place.
      MLIRContext *ctx = rewriter.getContext();
      Value slab = tensor::ExtractSliceOp::create(
          rewriter, loc, padded, getAsIndexOpFoldResult(ctx, offsets),
          getAsIndexOpFoldResult(ctx, sizes),
          getAsIndexOpFoldResult(ctx, strides));
      Value filled =
          linalg::FillOp::create(rewriter, loc, value, slab).getResult(0);
      padded = tensor::InsertSliceOp::create(
          rewriter, loc, filled, padded, ValueRange{}, ValueRange{},
          ValueRange{}, offsets, sizes, strides);
    };
    for (int64_t d = 0; d < rank; ++d) {
      fillSlab(d, 0, low[d]);
      fillSlab(d, low[d] + source.getDimSize(d), high[d]);
    }
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, op.getSource(), padded, ValueRange{}, ValueRange{}, ValueRange{},
        low, source.getShape(), SmallVector<int64_t>(rank, 1));
    return success();
  }
};

int64_t largestDivisor(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

struct TilePlan {
  /// scf.forall tile sizes (0 for reduction loops).
  SmallVector<int64_t> parallel;
  /// scf.for tile sizes for the reduction loops (0 for parallel loops);
  /// empty when the op has no reduction.
  SmallVector<int64_t> reduction;
  /// Loop order of the scf.forall (empty: the op's). Contractions iterate
  /// over column tiles outermost, so that one column panel of the
  /// right-hand side stays in cache while every row tile uses it.
  SmallVector<int64_t> interchange;
};

/// The dot form of a matrix-vector contraction (a linalg contraction: the
/// sum of products of two float inputs) with fewer than 4 output rows:
/// every input that the innermost reduction loop indexes has that loop as
/// its innermost dim, and the matrix operand is strided along the output's
/// innermost dim (a decoder's q [1,Dh] times its key cache [T,Dh] read
/// transposed, as quant-fuse-elementwise folds it). Vectors along the
/// output's columns would be strided gathers. The tile is instead one
/// vector of outputs by up to 4 vectors of the reduction: the matrix block
/// is read row by row (contiguous), transposed in registers, and
/// VectorMatrixContraction adds one broadcast FMA per reduction step, in
/// the reduction's order as every other contraction. None when `op` is not
/// in that form.
std::optional<TilePlan> planDotTiles(linalg::LinalgOp op,
                                     ArrayRef<int64_t> ranges, unsigned vdim,
                                     std::optional<unsigned> mdim,
                                     int64_t vectorWidth) {
  if ((mdim && ranges[*mdim] >= 4) || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  // Float operands only: VectorMatrixContraction lowers float contractions
  // (the int4 reference lowering's group steps, i32 sums times f32 scales,
  // keep the plan below).
  if (!llvm::all_of(op->getOperandTypes(), [](Type t) {
        auto shaped = dyn_cast<ShapedType>(t);
        return shaped && isa<FloatType>(shaped.getElementType());
      }))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  std::optional<unsigned> reduction;
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] == utils::IteratorType::reduction)
      reduction = i;
  if (!reduction)
    return std::nullopt;
  bool stridedMatrix = false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!map.isFunctionOfDim(*reduction))
      continue;
    if (map.getNumResults() == 0 ||
        map.getResults().back() !=
            getAffineDimExpr(*reduction, op.getContext()))
      return std::nullopt;
    stridedMatrix |= map.isFunctionOfDim(vdim);
  }
  int64_t depth =
      largestVectorTile(ranges[*reduction], 4 * vectorWidth, vectorWidth);
  if (!stridedMatrix || depth < 8)
    return std::nullopt;
  TilePlan plan;
  for (unsigned i = 0; i < ranges.size(); ++i) {
    bool reduces = iterators[i] == utils::IteratorType::reduction;
    plan.parallel.push_back(reduces     ? 0
                            : i == vdim ? largestDivisor(ranges[i], vectorWidth)
                                        : 1);
    plan.reduction.push_back(!reduces ? 0 : i == *reduction ? depth : 1);
  }
  return plan;
}

std::optional<TilePlan> planTiles(linalg::LinalgOp op, int64_t vectorWidth,
                                  int64_t rows, int64_t reductionTile) {
  if (!(op.hasPureTensorSemantics() || op.hasPureBufferSemantics()) ||
      op.getNumDpsInits() != 1 || op.getNumLoops() == 0)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  // i1 buffers hold a byte per element, but vector<Nxi1> loads and stores
  // are bit-packed in LLVM: keep ops on i1 scalar.
  if (llvm::any_of(op->getOperandTypes(), [](Type t) {
        auto shaped = dyn_cast<ShapedType>(t);
        return shaped && shaped.getElementType().isInteger(1);
      }))
    return std::nullopt;
  if (!llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) {
        return m.isProjectedPermutation(/*allowZeroInResults=*/true);
      }))
    return std::nullopt;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  // The plan indexes loops by the output's dims: an output written at a
  // constant index (a reduction into one element, `(d0, d1) -> (0)`) stays
  // scalar.
  if (outMap.getNumResults() == 0 ||
      !llvm::all_of(outMap.getResults(),
                    [](AffineExpr e) { return isa<AffineDimExpr>(e); }))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned vdim = cast<AffineDimExpr>(outMap.getResults().back()).getPosition();
  bool hasReduction = op.getNumReductionLoops() > 0;
  if (hasReduction) {
    std::optional<unsigned> rowDim;
    if (outMap.getNumResults() >= 2)
      rowDim = cast<AffineDimExpr>(outMap.getResults().drop_back().back())
                   .getPosition();
    if (std::optional<TilePlan> dot =
            planDotTiles(op, ranges, vdim, rowDim, vectorWidth)) {
      if (failed(linalg::vectorizeOpPrecondition(op, {}, {},
                                                 /*vectorizeNDExtract=*/true)))
        return std::nullopt;
      return dot;
    }
  }
  int64_t nr = largestVectorTile(ranges[vdim], 2 * vectorWidth, vectorWidth);
  // A transposing op whose output rows are too short for vectors (a
  // depth-to-space writes rows of kw = 2) takes its vectors along the
  // innermost dim of an input instead, with the short output dim whole in
  // the tile: contiguous reads, and writes of short runs.
  std::optional<unsigned> readDim;
  if (nr < 4 && !hasReduction && ranges[vdim] < 4) {
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      if (map.getNumResults() == 0)
        continue;
      auto last = dyn_cast<AffineDimExpr>(map.getResults().back());
      if (!last || last.getPosition() == vdim)
        continue;
      int64_t tile = largestVectorTile(ranges[last.getPosition()],
                                       2 * vectorWidth, vectorWidth);
      if (tile >= 4) {
        readDim = last.getPosition();
        nr = tile;
        break;
      }
    }
  }
  if (nr < 4)
    return std::nullopt;
  std::optional<unsigned> mdim;
  if (hasReduction && outMap.getNumResults() >= 2)
    mdim = cast<AffineDimExpr>(outMap.getResults().drop_back().back())
               .getPosition();
  if (failed(linalg::vectorizeOpPrecondition(op, {}, {},
                                             /*vectorizeNDExtract=*/true)))
    return std::nullopt;
  // A reduction with fewer than 4 rows per tile would chain every FMA on one
  // or two accumulators (latency-bound): widen the tile to 4 vectors.
  if (hasReduction && (!mdim || largestDivisor(ranges[*mdim], rows) < 4))
    nr = std::max(
        nr, largestVectorTile(ranges[vdim], 4 * vectorWidth, vectorWidth));

  TilePlan plan;
  std::optional<unsigned> innermostReduction;
  for (unsigned i = 0; i < ranges.size(); ++i) {
    if (iterators[i] == utils::IteratorType::reduction) {
      plan.parallel.push_back(0);
      innermostReduction = i;
      continue;
    }
    if (readDim) {
      plan.parallel.push_back(i == *readDim ? nr : i == vdim ? ranges[i] : 1);
      continue;
    }
    plan.parallel.push_back(i == vdim ? nr
                            : mdim && i == *mdim
                                ? largestDivisor(ranges[i], rows)
                                : 1);
  }
  if (mdim) {
    plan.interchange.push_back(vdim);
    for (unsigned i = 0; i < ranges.size(); ++i)
      if (i != vdim)
        plan.interchange.push_back(i);
  }
  if (innermostReduction) {
    for (unsigned i = 0; i < ranges.size(); ++i)
      plan.reduction.push_back(
          iterators[i] != utils::IteratorType::reduction ? 0
          : i == *innermostReduction ? largestDivisor(ranges[i], reductionTile)
                                     : 1);
  }
  return plan;
}

/// An elementwise op (every indexing map the identity, identity layouts) of
/// rank > 1 whose innermost range divides badly into vectors is rewritten to
/// run over one flattened dim; returns the new op, or null.
Operation *flattenElementwise(RewriterBase &rewriter, linalg::LinalgOp op,
                              int64_t vectorWidth) {
  if (op.getNumLoops() < 2 || op.getNumReductionLoops() != 0 ||
      op.getNumDpsInits() != 1)
    return nullptr;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic) ||
      largestVectorTile(ranges.back(), 2 * vectorWidth, vectorWidth) >=
          std::min<int64_t>(vectorWidth, ranges.back()))
    return nullptr;
  // A fill's scalar operand has an empty map; every shaped operand must be
  // indexed by the identity.
  for (OpOperand &operand : op->getOpOperands())
    if (isa<ShapedType>(operand.get().getType()) &&
        !op.getMatchingIndexingMap(&operand).isIdentity())
      return nullptr;
  for (Value v : op->getOperands())
    if (auto m = dyn_cast<MemRefType>(v.getType());
        m && !m.getLayout().isIdentity())
      return nullptr;
  // Nor a slice of a larger tensor (PadAsBorderFills' border slabs): its
  // buffer is strided, and a collapsed view of it would be a copy.
  if (op.getDpsInitOperand(0)->get().getDefiningOp<tensor::ExtractSliceOp>())
    return nullptr;
  ReassociationIndices all;
  for (int64_t i = 0, e = ranges.size(); i < e; ++i)
    all.push_back(i);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  if (auto fill = dyn_cast<linalg::FillOp>(op.getOperation())) {
    Value out = fill.getOutputs()[0];
    SmallVector<ReassociationIndices> flat = {all};
    if (isa<MemRefType>(out.getType())) {
      Value collapsed =
          memref::CollapseShapeOp::create(rewriter, loc, out, flat);
      auto newFill = linalg::FillOp::create(rewriter, loc, fill.getInputs(),
                                            ValueRange{collapsed});
      rewriter.eraseOp(fill);
      return newFill;
    }
    Value collapsed = tensor::CollapseShapeOp::create(rewriter, loc, out, flat);
    auto newFill = linalg::FillOp::create(rewriter, loc, fill.getInputs(),
                                          ValueRange{collapsed});
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        fill, out.getType(), newFill.getResult(0), flat);
    return newFill;
  }
  if (!isa<linalg::GenericOp, linalg::CopyOp>(op.getOperation()))
    return nullptr;
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(op, {all}, rewriter);
  if (failed(collapsed))
    return nullptr;
  rewriter.replaceOp(op, collapsed->results);
  return collapsed->collapsedOp;
}

/// Splits a tensor op along loop `dim` at the largest multiple of `step`
/// when the dim's best tile (largest divisor up to `step`; with a
/// `vectorWidth`, largest good vector length) is below `minTile`; returns
/// the parts (or just `op`).
SmallVector<linalg::LinalgOp> splitDim(RewriterBase &rewriter,
                                       linalg::LinalgOp op, unsigned dim,
                                       int64_t step, int64_t minTile,
                                       int64_t vectorWidth = 0) {
  int64_t range = op.getStaticLoopRanges()[dim];
  if (ShapedType::isDynamic(range) || range <= step)
    return {op};
  int64_t best = vectorWidth ? largestVectorTile(range, step, vectorWidth)
                             : largestDivisor(range, step);
  if (best >= minTile)
    return {op};
  rewriter.setInsertionPoint(op);
  auto [head, tail] =
      linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()), dim,
                      rewriter.getIndexAttr(range / step * step));
  SmallVector<linalg::LinalgOp> parts;
  for (TilingInterface part : {head, tail})
    if (auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(part.getOperation()))
      parts.push_back(linalgOp);
  return parts;
}

/// When the innermost output dim of a tensor op divides badly into vectors
/// (its best tile is under one vector, e.g. 97 = prime), splits the op along
/// it into a multiple of two vectors and the remainder; a contraction's row
/// dim that divides badly into `rows` (e.g. 257) is split the same way, so
/// the bulk gets full register tiles. Returns the parts.
SmallVector<linalg::LinalgOp> splitRagged(RewriterBase &rewriter,
                                          linalg::LinalgOp op,
                                          int64_t vectorWidth, int64_t rows) {
  // Fills are not split: linalg::splitOp hands back a freed op for them
  // (found by ASan); a fill just gets shorter vector tiles.
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      isa<linalg::FillOp>(op.getOperation()))
    return {op};
  // Only ops the tiling plan can take (windowed ops like pooling are not).
  if (!llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) {
        return m.isProjectedPermutation(/*allowZeroInResults=*/true);
      }))
    return {op};
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() == 0 ||
      !llvm::all_of(outMap.getResults(),
                    [](AffineExpr e) { return isa<AffineDimExpr>(e); }))
    return {op};
  unsigned vdim = cast<AffineDimExpr>(outMap.getResults().back()).getPosition();
  SmallVector<linalg::LinalgOp> parts =
      splitDim(rewriter, op, vdim, 2 * vectorWidth, vectorWidth, vectorWidth);
  if (op.getNumReductionLoops() == 0 || outMap.getNumResults() < 2)
    return parts;
  unsigned mdim =
      cast<AffineDimExpr>(outMap.getResults().drop_back().back()).getPosition();
  SmallVector<linalg::LinalgOp> result;
  for (linalg::LinalgOp part : parts)
    llvm::append_range(result, splitDim(rewriter, part, mdim, rows, rows / 2));
  return result;
}

FailureOr<Operation *> tile(RewriterBase &rewriter, Operation *op,
                            ArrayRef<int64_t> sizes,
                            scf::SCFTilingOptions::LoopType loopType,
                            ArrayRef<int64_t> interchange = {}) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes));
  if (!interchange.empty())
    options.setInterchange(interchange);
  options.setLoopType(loopType);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.front();
}

/// Whether `op` reduces over i8 tensors (the reference lowering's integer
/// convolutions, contractions and pools).
static bool reducesInt8(linalg::LinalgOp op) {
  return op.getNumReductionLoops() > 0 &&
         llvm::any_of(op->getOperandTypes(), [](Type t) {
           auto shaped = dyn_cast<ShapedType>(t);
           return shaped && shaped.getElementType().isInteger(8);
         });
}

/// A float vector.contract of a vector and a matrix, acc[n] + sum over k
/// of x[k] * B[k, n] (a contraction tile with one output row, e.g.
/// attention's probabilities times the value cache), becomes one broadcast
/// FMA per k, as the outer-product lowering does for matrix tiles. By the
/// time contractions are lowered, the cleanup patterns have put such a
/// tile in the form (n, k) x (n, k) -> (n): x read broadcast to [n, k] and
/// B read transposed (transfer_reads with those permutation maps, or
/// vector.broadcast / vector.transpose of plain reads). Upstream lowers
/// that form by transposing B and summing every output's lanes one by one;
/// this pattern reads x [k] and B [k, n] as they lie in memory instead.
struct VectorMatrixContraction : OpRewritePattern<vector::ContractionOp> {
  using OpRewritePattern::OpRewritePattern;

  /// Whether `v` [n, k] is a vector x [k] broadcast along n: a
  /// vector.broadcast of a vector<k>, or an unmasked transfer_read whose
  /// permutation map is (0, d).
  static bool isBroadcastOfVector(Value v, int64_t k) {
    if (auto broadcast = v.getDefiningOp<vector::BroadcastOp>()) {
      auto source = dyn_cast<VectorType>(broadcast.getSourceType());
      // Not a vector<1> stretched along k.
      return source && source.getRank() == 1 && source.getDimSize(0) == k;
    }
    auto read = v.getDefiningOp<vector::TransferReadOp>();
    if (!read || read.getMask())
      return false;
    AffineMap map = read.getPermutationMap();
    if (map.getNumResults() != 2)
      return false;
    auto zero = dyn_cast<AffineConstantExpr>(map.getResult(0));
    return zero && zero.getValue() == 0 && isa<AffineDimExpr>(map.getResult(1));
  }

  /// Whether `v` [n, k] is a matrix B [k, n] transposed: a vector.transpose
  /// [1, 0], or an unmasked transfer_read whose map has two dims.
  static bool isTransposeOfMatrix(Value v) {
    if (auto transpose = v.getDefiningOp<vector::TransposeOp>())
      return transpose.getPermutation() == ArrayRef<int64_t>{1, 0};
    auto read = v.getDefiningOp<vector::TransferReadOp>();
    return read && !read.getMask() &&
           read.getPermutationMap().getNumResults() == 2 &&
           llvm::all_of(read.getPermutationMap().getResults(),
                        [](AffineExpr e) { return isa<AffineDimExpr>(e); });
  }

  /// x [k] of an operand isBroadcastOfVector accepted (a new read of it
  /// for a transfer_read).
  static Value broadcastSource(PatternRewriter &rewriter, Value v) {
    if (auto broadcast = v.getDefiningOp<vector::BroadcastOp>())
      return broadcast.getSource();
    auto read = v.getDefiningOp<vector::TransferReadOp>();
    VectorType type = read.getVectorType();
    rewriter.setInsertionPoint(read);
    return vector::TransferReadOp::create(
        rewriter, read.getLoc(),
        VectorType::get({type.getDimSize(1)}, type.getElementType()),
        read.getBase(), read.getIndices(), read.getPadding(),
        read.getPermutationMap().getSubMap({1}),
        ArrayRef<bool>{read.getInBoundsValues()[1]});
  }

  /// B [k, n] of an operand isTransposeOfMatrix accepted (a new read with
  /// the two dims swapped for a transfer_read).
  static Value transposeSource(PatternRewriter &rewriter, Value v) {
    if (auto transpose = v.getDefiningOp<vector::TransposeOp>())
      return transpose.getVector();
    auto read = v.getDefiningOp<vector::TransferReadOp>();
    VectorType type = read.getVectorType();
    SmallVector<bool> inBounds = read.getInBoundsValues();
    rewriter.setInsertionPoint(read);
    return vector::TransferReadOp::create(
        rewriter, read.getLoc(),
        VectorType::get({type.getDimSize(1), type.getDimSize(0)},
                        type.getElementType()),
        read.getBase(), read.getIndices(), read.getPadding(),
        read.getPermutationMap().getSubMap({1, 0}),
        ArrayRef<bool>{inBounds[1], inBounds[0]});
  }

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    auto accType = dyn_cast<VectorType>(op.getAccType());
    if (!accType || accType.isScalable() || accType.getRank() != 1 ||
        !isa<FloatType>(accType.getElementType()) ||
        op.getKind() != vector::CombiningKind::ADD ||
        op.getLhsType() != op.getRhsType() ||
        op.getLhsType().getElementType() != accType.getElementType())
      return failure();
    MLIRContext *ctx = op.getContext();
    AffineExpr n = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    if (maps[0] != AffineMap::get(2, 0, {n, k}, ctx) || maps[1] != maps[0] ||
        maps[2] != AffineMap::get(2, 0, {n}, ctx))
      return failure();
    // Everything is matched before any op is created.
    int64_t depth = op.getLhsType().getDimSize(1);
    Value xOperand = op.getLhs(), bOperand = op.getRhs();
    if (!isBroadcastOfVector(xOperand, depth))
      std::swap(xOperand, bOperand);
    if (!isBroadcastOfVector(xOperand, depth) ||
        isBroadcastOfVector(bOperand, depth) || !isTransposeOfMatrix(bOperand))
      return failure();
    Value x = broadcastSource(rewriter, xOperand);
    Value b = transposeSource(rewriter, bOperand);
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    Value result = op.getAcc();
    for (int64_t i = 0; i < depth; ++i) {
      Value xi = vector::ExtractOp::create(rewriter, loc, x, i);
      Value splat = vector::BroadcastOp::create(rewriter, loc, accType, xi);
      Value row = vector::ExtractOp::create(rewriter, loc, b, i);
      result = vector::FMAOp::create(rewriter, loc, splat, row, result);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TileAndVectorizePass
    : quant_compiler::impl::QuantCpuTileAndVectorizeBase<TileAndVectorizePass> {
  using Base::Base;

  /// The iterations of `op`'s loops, saturated at `cap`; `cap` for dynamic
  /// ranges.
  static int64_t loopWork(linalg::LinalgOp op, int64_t cap) {
    int64_t work = 1;
    for (int64_t range : op.getStaticLoopRanges()) {
      if (ShapedType::isDynamic(range))
        return cap;
      work = work > cap / std::max<int64_t>(range, 1) ? cap : work * range;
    }
    return work;
  }

  /// Whether `op` does too little work to be worth an OpenMP region.
  bool isSmall(linalg::LinalgOp op) {
    return loopWork(op, parallelThreshold) < parallelThreshold;
  }

  /// How the images of a batched conv are looped over: in parallel
  /// (scf.forall, the conv of each image then sequential inside) when one
  /// image's conv is under kImageRegionFactor x parallel-threshold
  /// iterations, else sequentially with each image's conv parallel inside.
  /// A small image's parallel region is short against the cost of waking
  /// the threads (the batch-256 Fashion-MNIST CNN entered two regions per
  /// image, 512 per run, of 113K and 903K iterations, and its im2col copies
  /// ran on one thread), while the images give every thread whole images.
  /// Large images keep their in-image parallelism, which does not depend on
  /// the batch being at least the thread count.
  static constexpr int64_t kImageRegionFactor = 16;
  scf::SCFTilingOptions::LoopType batchLoopType(linalg::LinalgOp op,
                                                int64_t batch) {
    if (isSmall(op))
      return scf::SCFTilingOptions::LoopType::ForOp;
    int64_t cap = kImageRegionFactor * parallelThreshold;
    int64_t perImage = loopWork(op, cap * batch) / batch;
    return perImage < cap ? scf::SCFTilingOptions::LoopType::ForallOp
                          : scf::SCFTilingOptions::LoopType::ForOp;
  }

  /// Tiles `op` as planTiles says and vectorizes the tile; does nothing for
  /// ops the plan does not take. Fails (after an error) only when a step the
  /// plan promised does not apply.
  LogicalResult tileAndVectorize(RewriterBase &rewriter, linalg::LinalgOp op) {
    std::optional<TilePlan> plan =
        planTiles(op, vectorWidth, rows, reductionTile);
    if (!plan)
      return success();
    bool sequential = isSmall(op) || op->getParentOfType<scf::ForallOp>();
    FailureOr<Operation *> inner =
        tile(rewriter, op, plan->parallel,
             sequential ? scf::SCFTilingOptions::LoopType::ForOp
                        : scf::SCFTilingOptions::LoopType::ForallOp,
             plan->interchange);
    if (failed(inner))
      return op->emitError("quant-cpu-tile-and-vectorize: tiling failed");
    if (!plan->reduction.empty()) {
      inner = tile(rewriter, *inner, plan->reduction,
                   scf::SCFTilingOptions::LoopType::ForOp);
      if (failed(inner))
        return op->emitError(
            "quant-cpu-tile-and-vectorize: reduction tiling failed");
    }
    rewriter.setInsertionPoint(*inner);
    bool contraction =
        linalg::isaContractionOpInterface(cast<linalg::LinalgOp>(*inner));
    FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
        rewriter, *inner, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
        /*vectorizeNDExtract=*/true, /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false,
        /*createNamedContraction=*/contraction);
    if (failed(vectorized))
      return (*inner)->emitError("quant-cpu-tile-and-vectorize: cannot "
                                 "vectorize a tile the plan accepted");
    rewriter.replaceOp(*inner, vectorized->replacements);
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    if (vectorWidth < 1 || rows < 1 || reductionTile < 1) {
      func.emitError("quant-cpu-tile-and-vectorize: vector-width, rows and "
                     "reduction-tile must be positive");
      return signalPassFailure();
    }

    // 1. Convolutions as contractions (pointwise first: it beats im2col).
    // Batched convolutions first become a loop over single images, parallel
    // when the images are small (batchLoopType).
    IRRewriter rewriter(ctx);
    SmallVector<linalg::Conv2DNchwFchwOp> batched;
    func.walk([&](linalg::Conv2DNchwFchwOp op) {
      auto type = dyn_cast<RankedTensorType>(op.getInputs()[0].getType());
      if (op.hasPureTensorSemantics() && type && type.hasStaticShape() &&
          type.getDimSize(0) > 1)
        batched.push_back(op);
    });
    for (linalg::Conv2DNchwFchwOp op : batched) {
      int64_t batch =
          cast<RankedTensorType>(op.getInputs()[0].getType()).getDimSize(0);
      if (failed(tile(rewriter, op, {1, 0, 0, 0, 0, 0, 0},
                      batchLoopType(op, batch)))) {
        op->emitError("quant-cpu-tile-and-vectorize: cannot tile the batch");
        return signalPassFailure();
      }
    }
    {
      RewritePatternSet patterns(ctx);
      patterns.add<PointwiseConvToMatmul, DepthwiseConvAsTaps>(ctx,
                                                               /*benefit=*/2);
      patterns.add<RowTapConv>(ctx, vectorWidth, /*benefit=*/1);
      patterns.add<Im2ColConv>(ctx, /*benefit=*/0);
      // tensor.pad as border fills + insert_slice (dynamic pads: upstream's
      // fill of everything + insert_slice); the fills vectorize below.
      patterns.add<PadAsBorderFills>(ctx, /*benefit=*/2);
      // Strided slices that drop some of several unit dims (im2col taps of
      // convs with one output row or column) keep their rank, so that
      // their buffers are no subviews upstream fails to rank-reduce.
      patterns.add<FullRankStridedExtractSlice, FullRankStridedInsertSlice>(
          ctx);
      linalg::populateDecomposePadPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }

    // 2. Tile and vectorize.
    SmallVector<linalg::LinalgOp> candidates;
    func.walk([&](linalg::LinalgOp op) { candidates.push_back(op); });
    // One candidate at a time: normalize it, then tile and vectorize its
    // parts before the next one is touched (splitting rewrites the slices
    // around an op, so no op handle is kept across another op's rewrite).
    for (linalg::LinalgOp candidate : candidates) {
      // int8 reductions (the reference lowering's integer convolutions,
      // contractions and pools) stay scalar loops: the generic
      // vectorization below miscompiles some int8 contractions
      // (test/e2e/int8-sweep.test found a 4x271x20 trans_b gemm), and the
      // fast path runs them on the microkernels (quant-cpu-int8-kernels).
      // Element-wise int8 ops (quantize, dequantize, requantize) are
      // vectorized like float ones.
      if (reducesInt8(candidate))
        continue;
      if (Operation *flat =
              flattenElementwise(rewriter, candidate, vectorWidth))
        candidate = cast<linalg::LinalgOp>(flat);
      for (linalg::LinalgOp op :
           splitRagged(rewriter, candidate, vectorWidth, rows))
        if (failed(tileAndVectorize(rewriter, op)))
          return signalPassFailure();
    }

    // vector.gather indices from linalg's vectorizer are linear offsets into
    // a row-major base; upstream's lowering applies them to the base memref
    // without its strides (llvm/llvm-project#184706, #195359, not in LLVM
    // 22). A base that is a slice of a larger tensor bufferizes to a
    // strided subview, so it gets a contiguous copy first.
    SmallVector<vector::GatherOp> gathers;
    func.walk([&](vector::GatherOp op) {
      if (isa<RankedTensorType>(op.getBase().getType()) &&
          op.getBase().getDefiningOp<tensor::ExtractSliceOp>())
        gathers.push_back(op);
    });
    llvm::DenseMap<Value, Value> contiguous; // one copy per slice
    for (vector::GatherOp op : gathers) {
      Value base = op.getBase();
      Value &copy = contiguous[base];
      if (!copy) {
        // Next to the slice, outside the tile loops that read it.
        rewriter.setInsertionPointAfterValue(base);
        auto type = cast<RankedTensorType>(base.getType());
        Value init = tensor::EmptyOp::create(
            rewriter, op.getLoc(), type.getShape(), type.getElementType());
        copy = linalg::CopyOp::create(rewriter, op.getLoc(), base, init)
                   .getResult(0);
      }
      rewriter.modifyOpInPlace(op, [&] { op.getBaseMutable().assign(copy); });
    }

    // Small ops left on buffers run as sequential loops.
    SmallVector<linalg::LinalgOp> small;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && isSmall(op))
        small.push_back(op);
    });
    for (linalg::LinalgOp op : small) {
      rewriter.setInsertionPoint(op);
      if (succeeded(linalg::linalgOpToLoops(rewriter, op)))
        rewriter.eraseOp(op);
    }

    // 3. Clean up: fold slices into transfers, keep accumulators in
    // registers across reduction loops, lower contractions to FMAs.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorReductionToContractPatterns(patterns);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      vector::populateVectorTransferDropUnitDimsPatterns(patterns);
      vector::populateDropUnitDimWithShapeCastPatterns(patterns);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    func.walk([&](scf::ForOp loop) {
      hoistLoopInvariantSubsets(rewriter,
                                cast<LoopLikeOpInterface>(loop.getOperation()));
    });
    {
      RewritePatternSet patterns(ctx);
      patterns.add<VectorMatrixContraction>(ctx, /*benefit=*/2);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerParallel);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
