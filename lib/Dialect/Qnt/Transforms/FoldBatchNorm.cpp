//===- FoldBatchNorm.cpp - Fold batch_norm into conv and gemm ---*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Inference batch normalization is an affine map per channel, so it folds into
// the weights and bias of the conv or gemm that feeds it. Doing this before
// calibration matters for quantization: the folded weights are what will be
// quantized, and the batch_norm's output range disappears.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTFOLDBATCHNORM
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// The per-channel affine map `y = s * x + t` of an inference batch_norm.
struct ChannelAffine {
  SmallVector<double> scale; // s = gamma / sqrt(var + eps)
  SmallVector<float> mean, bias;
};

/// Reads the batch_norm's constant parameters, or fails with the reason.
static FailureOr<ChannelAffine> getChannelAffine(BatchNormOp bn,
                                                 PatternRewriter &rewriter) {
  auto gamma = getConstantF32Values(bn.getScale());
  auto beta = getConstantF32Values(bn.getBias());
  auto mean = getConstantF32Values(bn.getMean());
  auto var = getConstantF32Values(bn.getVariance());
  if (!gamma || !beta || !mean || !var)
    return rewriter.notifyMatchFailure(
        bn, "batch_norm parameters are not f32 constants");
  ChannelAffine affine;
  double eps = bn.getEpsilon().convertToDouble();
  for (size_t c = 0; c < gamma->size(); ++c) {
    double denom = std::sqrt(static_cast<double>((*var)[c]) + eps);
    if (!(denom > 0.0) || !std::isfinite(denom))
      return rewriter.notifyMatchFailure(
          bn, "variance + epsilon is not positive for some channel");
    affine.scale.push_back((*gamma)[c] / denom);
  }
  affine.mean = std::move(*mean);
  affine.bias = std::move(*beta);
  return affine;
}

static bool isF32Tensor(Value value) {
  return cast<ShapedType>(value.getType()).getElementType().isF32();
}

/// Names a folded blob after the op it came from, for readable IR.
static std::string blobName(Operation *op, StringRef suffix) {
  return derivedBlobName(op, suffix, "folded");
}

/// What folding into a conv-like producer needs: its constant weights, its
/// bias (zeros when absent) and the batch_norm's per-channel affine map.
struct ConvFold {
  SmallVector<float> weight, bias;
  RankedTensorType weightType;
  ChannelAffine affine;

  /// b' = (b - mean) * s + beta, per output channel.
  SmallVector<float> foldedBias() const {
    SmallVector<float> result(bias.size());
    for (size_t o = 0; o < bias.size(); ++o)
      result[o] = static_cast<float>(
          (static_cast<double>(bias[o]) - affine.mean[o]) * affine.scale[o] +
          affine.bias[o]);
    return result;
  }
};

/// Checks that `conv` (qnt.conv or qnt.conv_transpose) can absorb `bn` and
/// reads what the fold needs, or says why not.
template <typename ConvLike>
static FailureOr<ConvFold> matchConvFold(BatchNormOp bn, ConvLike conv,
                                         int64_t outChannels,
                                         PatternRewriter &rewriter) {
  if (!conv->hasOneUse())
    return rewriter.notifyMatchFailure(bn, "the producer has other uses");
  if (!isF32Tensor(conv.getInput()) || !isF32Tensor(conv.getWeight()) ||
      !isF32Tensor(bn.getOutput()))
    return rewriter.notifyMatchFailure(bn, "only f32 graphs are folded");
  auto weight = getConstantF32Values(conv.getWeight());
  if (!weight)
    return rewriter.notifyMatchFailure(bn, "the weight is not a constant");
  ConvFold fold;
  fold.weight = std::move(*weight);
  fold.weightType = cast<RankedTensorType>(conv.getWeight().getType());
  fold.bias.assign(outChannels, 0.0f);
  if (conv.getBias()) {
    auto b = getConstantF32Values(conv.getBias());
    if (!b)
      return rewriter.notifyMatchFailure(bn, "the bias is not a constant");
    fold.bias = std::move(*b);
  }
  FailureOr<ChannelAffine> affine = getChannelAffine(bn, rewriter);
  if (failed(affine))
    return failure();
  fold.affine = std::move(*affine);
  return fold;
}

/// The folded weight and bias constants, located at both original ops.
static std::pair<Value, Value>
createFoldedConstants(PatternRewriter &rewriter, Location loc,
                      Operation *producer, RankedTensorType weightType,
                      ArrayRef<float> weight, ArrayRef<float> bias) {
  auto biasType = RankedTensorType::get({static_cast<int64_t>(bias.size())},
                                        rewriter.getF32Type());
  Value w = ConstantOp::create(
      rewriter, loc,
      makeF32Elements(weightType, weight, blobName(producer, ".weight")));
  Value b = ConstantOp::create(
      rewriter, loc,
      makeF32Elements(biasType, bias, blobName(producer, ".bias")));
  return {w, b};
}

struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv)
      return rewriter.notifyMatchFailure(bn, "input is not a qnt.conv");
    // Weights are M x C/group x k...: output channel m owns w[m, ...].
    auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
    int64_t outChannels = weightType.getDimSize(0);
    FailureOr<ConvFold> fold = matchConvFold(bn, conv, outChannels, rewriter);
    if (failed(fold))
      return failure();
    int64_t perChannel = weightType.getNumElements() / outChannels;
    SmallVector<float> newWeight(fold->weight.size());
    for (int64_t m = 0; m < outChannels; ++m)
      for (int64_t i = 0; i < perChannel; ++i)
        newWeight[m * perChannel + i] = static_cast<float>(
            fold->weight[m * perChannel + i] * fold->affine.scale[m]);

    Location loc = rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()});
    auto [w, b] = createFoldedConstants(rewriter, loc, conv, weightType,
                                        newWeight, fold->foldedBias());
    auto folded =
        ConvOp::create(rewriter, loc, bn.getOutput().getType(), conv.getInput(),
                       w, b, conv.getStridesAttr(), conv.getPadsAttr(),
                       conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(bn, folded.getOutput());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldBatchNormIntoConvTranspose : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto convT = bn.getInput().getDefiningOp<ConvTransposeOp>();
    if (!convT)
      return rewriter.notifyMatchFailure(bn,
                                         "input is not a qnt.conv_transpose");
    // Weights are C_in x M/group x k...: output channel g * M/group + j
    // reads w[c, j, ...] for every input channel c of group g.
    auto weightType = cast<RankedTensorType>(convT.getWeight().getType());
    int64_t inChannels = weightType.getDimSize(0);
    int64_t perGroupOut = weightType.getDimSize(1);
    int64_t group = convT.getGroup();
    FailureOr<ConvFold> fold =
        matchConvFold(bn, convT, perGroupOut * group, rewriter);
    if (failed(fold))
      return failure();
    int64_t kernel = weightType.getNumElements() / (inChannels * perGroupOut);
    int64_t inPerGroup = inChannels / group;
    SmallVector<float> newWeight(fold->weight.size());
    for (int64_t c = 0; c < inChannels; ++c)
      for (int64_t j = 0; j < perGroupOut; ++j) {
        double s = fold->affine.scale[(c / inPerGroup) * perGroupOut + j];
        int64_t base = (c * perGroupOut + j) * kernel;
        for (int64_t k = 0; k < kernel; ++k)
          newWeight[base + k] = static_cast<float>(fold->weight[base + k] * s);
      }

    Location loc = rewriter.getFusedLoc({convT.getLoc(), bn.getLoc()});
    auto [w, b] = createFoldedConstants(rewriter, loc, convT, weightType,
                                        newWeight, fold->foldedBias());
    auto folded = ConvTransposeOp::create(
        rewriter, loc, bn.getOutput().getType(), convT.getInput(), w, b,
        convT.getStridesAttr(), convT.getPadsAttr(), convT.getDilationsAttr(),
        convT.getOutputPaddingAttr(), convT.getGroupAttr());
    rewriter.replaceOp(bn, folded.getOutput());
    rewriter.eraseOp(convT);
    return success();
  }
};

/// batch_norm(x + c) with a per-channel constant c is batch_norm(x) with
/// mean - c: exporters that keep the conv bias as a separate Add (as
/// paddle2onnx does after ConvTranspose) then fold like any conv.
struct AbsorbChannelAddIntoBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto add = bn.getInput().getDefiningOp<AddOp>();
    if (!add || !add->hasOneUse())
      return rewriter.notifyMatchFailure(bn,
                                         "input is not a single-use qnt.add");
    if (!isF32Tensor(add.getOutput()))
      return rewriter.notifyMatchFailure(bn, "only f32 graphs are folded");
    // The constant side must vary only along the channel dim (dim 1).
    auto outType = cast<RankedTensorType>(add.getOutput().getType());
    int64_t channels = outType.getDimSize(1);
    for (auto [x, c] : {std::pair(add.getLhs(), add.getRhs()),
                        std::pair(add.getRhs(), add.getLhs())}) {
      auto values = getConstantF32Values(c);
      if (!values || x.getType() != outType)
        continue;
      ArrayRef<int64_t> shape = cast<ShapedType>(c.getType()).getShape();
      // Align the constant's dims to the result's (numpy broadcasting).
      int64_t offset = outType.getRank() - static_cast<int64_t>(shape.size());
      bool perChannel = offset >= 0;
      for (int64_t d = 0; perChannel && d < static_cast<int64_t>(shape.size());
           ++d)
        if (shape[d] != 1 && !(d + offset == 1 && shape[d] == channels))
          perChannel = false;
      if (!perChannel)
        continue;
      auto mean = getConstantF32Values(bn.getMean());
      if (!mean)
        return rewriter.notifyMatchFailure(bn, "mean is not a constant");
      SmallVector<float> newMean(channels);
      for (int64_t ch = 0; ch < channels; ++ch)
        newMean[ch] = (*mean)[ch] - (*values)[values->size() == 1 ? 0 : ch];
      auto meanType = cast<RankedTensorType>(bn.getMean().getType());
      Value m = ConstantOp::create(rewriter, bn.getLoc(),
                                   makeF32Elements(meanType, newMean, "mean"));
      Value input = x; // Lambdas cannot capture structured bindings in C++17.
      rewriter.modifyOpInPlace(bn, [&] {
        bn.getInputMutable().assign(input);
        bn.getMeanMutable().assign(m);
      });
      rewriter.eraseOp(add);
      return success();
    }
    return rewriter.notifyMatchFailure(bn, "no per-channel constant addend");
  }
};

struct FoldBatchNormIntoGemm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto gemm = bn.getInput().getDefiningOp<GemmOp>();
    if (!gemm)
      return rewriter.notifyMatchFailure(bn, "input is not a qnt.gemm");
    if (!gemm->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "the gemm has other uses");
    if (!isF32Tensor(gemm.getA()) || !isF32Tensor(gemm.getB()) ||
        !isF32Tensor(bn.getOutput()))
      return rewriter.notifyMatchFailure(bn, "only f32 graphs are folded");
    auto b = getConstantF32Values(gemm.getB());
    if (!b)
      return rewriter.notifyMatchFailure(bn, "gemm B is not a constant");
    auto bType = cast<RankedTensorType>(gemm.getB().getType());
    int64_t n = cast<ShapedType>(gemm.getOutput().getType()).getDimSize(1);

    // C must be per-column (or absent) for the folded C to be a vector.
    SmallVector<float> c(n, 0.0f);
    if (Value cValue = gemm.getC()) {
      ArrayRef<int64_t> cShape = cast<ShapedType>(cValue.getType()).getShape();
      if (cShape.size() == 2 && cShape[0] != 1)
        return rewriter.notifyMatchFailure(bn, "gemm C varies along M");
      auto values = getConstantF32Values(cValue);
      if (!values)
        return rewriter.notifyMatchFailure(bn, "gemm C is not a constant");
      for (int64_t j = 0; j < n; ++j)
        c[j] = (*values)[values->size() == 1 ? 0 : j];
    }
    FailureOr<ChannelAffine> affine = getChannelAffine(bn, rewriter);
    if (failed(affine))
      return failure();

    // op(B) is K x N: B is N x K when transposed, K x N otherwise.
    SmallVector<float> newB(b->size());
    int64_t rows = bType.getDimSize(0), cols = bType.getDimSize(1);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        int64_t column = gemm.getTransB() ? i : j;
        newB[i * cols + j] =
            static_cast<float>((*b)[i * cols + j] * affine->scale[column]);
      }
    double beta = gemm.getBeta().convertToDouble();
    SmallVector<float> newC(n);
    for (int64_t j = 0; j < n; ++j)
      newC[j] = static_cast<float>(
          (beta * c[j] - affine->mean[j]) * affine->scale[j] + affine->bias[j]);

    Location loc = rewriter.getFusedLoc({gemm.getLoc(), bn.getLoc()});
    Value bConst = ConstantOp::create(
        rewriter, loc, makeF32Elements(bType, newB, blobName(gemm, ".weight")));
    Value cConst = ConstantOp::create(
        rewriter, loc,
        makeF32Elements(RankedTensorType::get({n}, rewriter.getF32Type()), newC,
                        blobName(gemm, ".bias")));
    auto folded = GemmOp::create(
        rewriter, loc, bn.getOutput().getType(), gemm.getA(), bConst, cConst,
        gemm.getAlphaAttr(), rewriter.getF32FloatAttr(1.0f),
        gemm.getTransAAttr(), gemm.getTransBAttr());
    rewriter.replaceOp(bn, folded.getOutput());
    rewriter.eraseOp(gemm);
    return success();
  }
};

struct QntFoldBatchNormPass
    : qnt::impl::QntFoldBatchNormBase<QntFoldBatchNormPass> {
  void runOnOperation() override {
    int64_t before = 0, after = 0;
    getOperation()->walk([&](BatchNormOp) { ++before; });
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    getOperation()->walk([&](BatchNormOp) { ++after; });
    numFolded += before - after;
  }
};

} // namespace

void mlir::qnt::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBatchNormIntoConv, FoldBatchNormIntoConvTranspose,
               FoldBatchNormIntoGemm, AbsorbChannelAddIntoBatchNorm>(
      patterns.getContext());
}
