//===- StructuredLowering.cpp - Windows, contractions, reductions ---------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// Convolutions, pools, matrix products, reductions (arg_max/min, top_k),
// softmax, layer norm and resize. Everything stays NCHW: linalg has NCHW named ops for convolution
// and pooling, so no layout transposes are introduced.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntScalar.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::lowering;

// 1-D windows (conv, conv_transpose, pools on NCW) are lowered as 2-D ones
// with a unit height: tensors gain a unit dim before the last one, per-dim
// attributes gain a leading `unit` entry.

/// `type` with a unit dim inserted before the last one.
static RankedTensorType withUnitHeight(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.end() - 1, 1);
  return withShape(type, shape);
}

static Value addUnitHeight(OpBuilder &b, Location loc, Value value) {
  return reshapeTo(b, loc, value,
                   withUnitHeight(cast<RankedTensorType>(value.getType())));
}

/// Per-spatial-dim values as two (height, width): `unit` in front of one.
static SmallVector<int64_t, 2> as2d(ArrayRef<int64_t> values, int64_t unit) {
  SmallVector<int64_t, 2> result(values);
  if (result.size() == 1)
    result.insert(result.begin(), unit);
  return result;
}

/// ONNX `[begin..., end...]` pads as two 2-D halves.
static std::pair<SmallVector<int64_t, 2>, SmallVector<int64_t, 2>>
padsAs2d(ArrayRef<int64_t> pads) {
  size_t half = pads.size() / 2;
  return {as2d(pads.take_front(half), 0), as2d(pads.take_back(half), 0)};
}

static DenseIntElementsAttr i64Tensor(OpBuilder &b, ArrayRef<int64_t> values) {
  return b.getI64TensorAttr(values);
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

namespace {
struct Conv2dParams {
  SmallVector<int64_t, 2> strides, dilations;
  SmallVector<int64_t, 2> padBegin, padEnd; // may be negative: crops
  int64_t group;
};
} // namespace

/// A 2-D NCHW convolution with ONNX semantics: `input` [N,C,H,W], `weight`
/// [F,C/group,kh,kw], optional `bias` [F]; the result has type `outType`.
static Value buildConv2d(OpBuilder &b, Location loc, Value input, Value weight,
                         Value bias, RankedTensorType outType,
                         const Conv2dParams &p) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  Type elementType = outType.getElementType();
  input = padOrCrop(b, loc, input, p.padBegin, p.padEnd,
                    b.getZeroAttr(elementType));

  // The accumulator starts at the bias (or zero).
  Value init;
  if (bias) {
    auto channelType = withShape(outType, {outType.getDimSize(1), 1, 1});
    Value column = reshapeTo(b, loc, bias, channelType);
    init = buildElementwise(
        b, loc, outType, column,
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  } else {
    init = buildZeros(b, loc, outType);
  }
  auto strides = i64Tensor(b, p.strides);
  auto dilations = i64Tensor(b, p.dilations);
  int64_t channels = inType.getDimSize(1), filters = wType.getDimSize(0);

  if (p.group == 1)
    return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{outType},
                                            ValueRange{input, weight}, init,
                                            strides, dilations)
        .getResult(0);
  if (p.group == channels && filters == channels) {
    // Depthwise: [C,1,kh,kw] -> [C,kh,kw].
    Value w = reshapeTo(
        b, loc, weight,
        withShape(wType, {filters, wType.getDimSize(2), wType.getDimSize(3)}));
    return linalg::DepthwiseConv2DNchwChwOp::create(b, loc, TypeRange{outType},
                                                    ValueRange{input, w}, init,
                                                    strides, dilations)
        .getResult(0);
  }
  // Grouped: split the channel dims into [G, C/G].
  int64_t g = p.group;
  auto paddedType = cast<RankedTensorType>(input.getType());
  Value gIn =
      reshapeTo(b, loc, input,
                withShape(paddedType, {paddedType.getDimSize(0), g,
                                       channels / g, paddedType.getDimSize(2),
                                       paddedType.getDimSize(3)}));
  Value gW =
      reshapeTo(b, loc, weight,
                withShape(wType, {g, filters / g, wType.getDimSize(1),
                                  wType.getDimSize(2), wType.getDimSize(3)}));
  auto gOutType =
      withShape(outType, {outType.getDimSize(0), g, filters / g,
                          outType.getDimSize(2), outType.getDimSize(3)});
  Value gInit = reshapeTo(b, loc, init, gOutType);
  Value gOut = linalg::Conv2DNgchwGfchwOp::create(b, loc, TypeRange{gOutType},
                                                  ValueRange{gIn, gW}, gInit,
                                                  strides, dilations)
                   .getResult(0);
  return reshapeTo(b, loc, gOut, outType);
}

namespace {
struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getType();
    bool is1d = outType.getRank() == 3;
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    if (is1d) {
      input = addUnitHeight(rewriter, loc, input);
      weight = addUnitHeight(rewriter, loc, weight);
    }
    Conv2dParams p;
    p.group = op.getGroup();
    p.strides = as2d(op.getStrides(), 1);
    p.dilations = as2d(op.getDilations(), 1);
    std::tie(p.padBegin, p.padEnd) = padsAs2d(op.getPads());
    Value result = buildConv2d(rewriter, loc, input, weight, adaptor.getBias(),
                               is1d ? withUnitHeight(outType) : outType, p);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outType));
    return success();
  }
};

/// A conv_transpose whose windows tile the output without overlap (stride
/// = kernel, no pads, dilation 1, one group) as a 1x1 conv to Co*kh*kw
/// channels followed by a depth-to-space rearrangement:
///   out[n, co, i*kh + a, j*kw + b] = bias[co] + sum_ci x[n, ci, i, j] *
///                                    w[ci, co, a, b].
/// The zero-interleaving form would do kh*kw times the multiply-adds (all
/// but one in each window on zeros) and write a kh*kw times larger input.
/// `constantWeight` holds the weight's values when they are known.
static Value
buildTilingConvTranspose(OpBuilder &b, Location loc, Value input, Value weight,
                         std::optional<SmallVector<float>> constantWeight,
                         Value bias, RankedTensorType out4) {
  auto in4 = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t n = in4.getDimSize(0), ci = in4.getDimSize(1);
  int64_t h = in4.getDimSize(2), w = in4.getDimSize(3);
  int64_t co = wType.getDimSize(1), kh = wType.getDimSize(2),
          kw = wType.getDimSize(3);
  MLIRContext *ctx = b.getContext();

  // Weights [Ci, Co, kh, kw] -> [Co*kh*kw, Ci, 1, 1].
  auto pointwiseType = withShape(wType, {co * kh * kw, ci, 1, 1});
  Value pointwise;
  if (constantWeight) {
    SmallVector<float> regrouped(constantWeight->size());
    for (int64_t c = 0; c < ci; ++c)
      for (int64_t f = 0; f < co * kh * kw; ++f)
        regrouped[f * ci + c] = (*constantWeight)[c * co * kh * kw + f];
    pointwise = arith::ConstantOp::create(
        b, loc, makeF32Elements(pointwiseType, regrouped, "conv_transpose_w"));
  } else {
    AffineExpr d0, d1;
    bindDims(ctx, d0, d1);
    Value flat =
        reshapeTo(b, loc, weight, withShape(wType, {ci, co * kh * kw}));
    Value transposed = buildParallelGeneric(
        b, loc, withShape(wType, {co * kh * kw, ci}), flat,
        AffineMap::get(2, 0, {d1, d0}, ctx),
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    pointwise = reshapeTo(b, loc, transposed, pointwiseType);
  }

  Conv2dParams p;
  p.group = 1;
  p.strides = {1, 1};
  p.dilations = {1, 1};
  p.padBegin = {0, 0};
  p.padEnd = {0, 0};
  Value y = buildConv2d(b, loc, input, pointwise, Value(),
                        withShape(out4, {n, co * kh * kw, h, w}), p);
  y = reshapeTo(b, loc, y, withShape(out4, {n, co, kh, kw, h, w}));

  // [n, co, a, b, i, j] -> [n, co, i, a, j, b] (+ bias[co]).
  AffineExpr d[6];
  bindDims(ctx, d[0], d[1], d[2], d[3], d[4], d[5]);
  SmallVector<Value> inputs{y};
  SmallVector<AffineMap> maps{
      AffineMap::get(6, 0, {d[0], d[1], d[3], d[5], d[2], d[4]}, ctx)};
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(AffineMap::get(6, 0, {d[1]}, ctx));
  }
  Value rearranged = buildParallelGeneric(
      b, loc, withShape(out4, {n, co, h, kh, w, kw}), inputs, maps,
      [](OpBuilder &b, Location loc, ValueRange a) -> Value {
        if (a.size() == 1)
          return a[0];
        return arith::AddFOp::create(b, loc, a[0], a[1]);
      });
  return reshapeTo(b, loc, rearranged, out4);
}

/// conv_transpose(x, w) = conv(pad(interleave_zeros(x)), flip(regroup(w))),
/// or buildTilingConvTranspose where the windows do not overlap.
struct ConvTransposeLowering : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getType();
    auto inType = op.getInput().getType();
    auto wType = op.getWeight().getType();
    bool is1d = inType.getRank() == 3;
    SmallVector<int64_t, 2> strides = as2d(op.getStrides(), 1);
    SmallVector<int64_t, 2> dilations = as2d(op.getDilations(), 1);
    SmallVector<int64_t, 2> outputPadding = as2d(op.getOutputPadding(), 0);
    auto [padBegin, padEnd] = padsAs2d(op.getPads());

    Value input = adaptor.getInput();
    if (is1d)
      input = addUnitHeight(rewriter, loc, input);
    auto in4 = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t, 2> kernel = as2d(wType.getShape().drop_front(2), 1);

    auto isZero = [](int64_t v) { return v == 0; };
    auto isOne = [](int64_t v) { return v == 1; };
    if (op.getGroup() == 1 && strides == kernel &&
        llvm::all_of(dilations, isOne) && llvm::all_of(padBegin, isZero) &&
        llvm::all_of(padEnd, isZero) && llvm::all_of(outputPadding, isZero) &&
        in4.hasStaticShape()) {
      Value weight = adaptor.getWeight();
      if (is1d)
        weight = addUnitHeight(rewriter, loc, weight);
      auto out4 = is1d ? withUnitHeight(outType) : outType;
      Value result = buildTilingConvTranspose(
          rewriter, loc, input, weight, getConstantF32Values(op.getWeight()),
          adaptor.getBias(), out4);
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outType));
      return success();
    }

    // Interleave stride - 1 zeros between input pixels.
    if (strides[0] > 1 || strides[1] > 1) {
      int64_t h = in4.getDimSize(2), w = in4.getDimSize(3);
      auto dilatedType =
          withShape(in4, {in4.getDimSize(0), in4.getDimSize(1),
                          (h - 1) * strides[0] + 1, (w - 1) * strides[1] + 1});
      Value zeros = buildZeros(rewriter, loc, dilatedType);
      input = tensor::InsertSliceOp::create(
          rewriter, loc, input, zeros, ValueRange{}, ValueRange{}, ValueRange{},
          SmallVector<int64_t>{0, 0, 0, 0}, in4.getShape(),
          SmallVector<int64_t>{1, 1, strides[0], strides[1]});
    }

    // Weights: [Cin, F/g, k...] -> [F, Cin/g, k...], spatially flipped.
    int64_t g = op.getGroup(), cin = wType.getDimSize(0);
    int64_t fg = wType.getDimSize(1), cg = cin / g;
    int64_t kh = kernel[0], kw = kernel[1];
    auto flippedType = withShape(wType, {g * fg, cg, kh, kw});
    Value weight;
    if (auto values = getConstantF32Values(op.getWeight())) {
      SmallVector<float> flipped(values->size());
      for (int64_t gi = 0; gi < g; ++gi)
        for (int64_t f = 0; f < fg; ++f)
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t y = 0; y < kh; ++y)
              for (int64_t x = 0; x < kw; ++x) {
                int64_t src =
                    (((gi * cg + c) * fg + f) * kh + (kh - 1 - y)) * kw +
                    (kw - 1 - x);
                int64_t dst = (((gi * fg + f) * cg + c) * kh + y) * kw + x;
                flipped[dst] = (*values)[src];
              }
      weight = arith::ConstantOp::create(
          rewriter, loc,
          makeF32Elements(flippedType, flipped, "conv_transpose_w"));
    } else {
      // At run time: [g, Cg, Fg, kh, kw] read as (g, f, c, kh-1-y, kw-1-x).
      MLIRContext *ctx = rewriter.getContext();
      Value w = adaptor.getWeight();
      if (is1d)
        w = addUnitHeight(rewriter, loc, w);
      w = reshapeTo(rewriter, loc, w, withShape(wType, {g, cg, fg, kh, kw}));
      AffineExpr d[5];
      bindDims(ctx, d[0], d[1], d[2], d[3], d[4]);
      AffineMap read = AffineMap::get(
          5, 0, {d[0], d[2], d[1], kh - 1 - d[3], kw - 1 - d[4]}, ctx);
      Value regrouped = buildParallelGeneric(
          rewriter, loc, withShape(wType, {g, fg, cg, kh, kw}), w, read,
          [](OpBuilder &, Location, ValueRange a) { return a[0]; });
      weight = reshapeTo(rewriter, loc, regrouped, flippedType);
    }

    Conv2dParams p;
    p.group = g;
    p.strides = {1, 1};
    p.dilations = dilations;
    for (int i = 0; i < 2; ++i) {
      int64_t reach = dilations[i] * (kernel[i] - 1);
      p.padBegin.push_back(reach - padBegin[i]);
      p.padEnd.push_back(reach - padEnd[i] + outputPadding[i]);
    }
    Value result = buildConv2d(rewriter, loc, input, weight, adaptor.getBias(),
                               is1d ? withUnitHeight(outType) : outType, p);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// The number of window taps of output position `o` that land in
/// [lo, hi) along one dim (input coordinates, pads already subtracted).
static int64_t windowCount(int64_t o, int64_t kernel, int64_t stride,
                           int64_t dilation, int64_t padBegin, int64_t lo,
                           int64_t hi) {
  int64_t count = 0;
  for (int64_t k = 0; k < kernel; ++k) {
    int64_t pos = o * stride - padBegin + k * dilation;
    count += pos >= lo && pos < hi;
  }
  return count;
}

template <typename OpTy>
struct PoolLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  static constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(op.getType());
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Type elementType = outType.getElementType();
    bool is1d = inType.getRank() == 3;
    SmallVector<int64_t, 2> kernel = as2d(op.getKernelShape(), 1);
    SmallVector<int64_t, 2> strides = as2d(op.getStrides(), 1);
    SmallVector<int64_t, 2> dilations = as2d(op.getDilations(), 1);
    auto [padBegin, padEnd] = padsAs2d(op.getPads());

    Value input = adaptor.getInput();
    RankedTensorType in4 = inType, out4 = outType;
    if (is1d) {
      input = addUnitHeight(rewriter, loc, input);
      in4 = withUnitHeight(inType);
      out4 = withUnitHeight(outType);
    }
    // ceil_mode can ask for windows past the end padding: pad those too
    // (they never count and never win).
    SmallVector<int64_t, 2> extraEnd(2, 0);
    for (int i = 0; i < 2; ++i) {
      int64_t needed = (out4.getDimSize(2 + i) - 1) * strides[i] +
                       (kernel[i] - 1) * dilations[i] + 1;
      int64_t have = in4.getDimSize(2 + i) + padBegin[i] + padEnd[i];
      extraEnd[i] = std::max<int64_t>(0, needed - have);
    }
    TypedAttr fill = isMax ? negativeInfinity(elementType)
                           : rewriter.getZeroAttr(elementType);
    SmallVector<int64_t, 2> paddedEnd{padEnd[0] + extraEnd[0],
                                      padEnd[1] + extraEnd[1]};
    Value padded = padOrCrop(rewriter, loc, input, padBegin, paddedEnd, fill);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, elementType);
    Value init = buildFilled(rewriter, loc, out4, fill);
    auto stridesAttr = i64Tensor(rewriter, strides);
    auto dilationsAttr = i64Tensor(rewriter, dilations);
    Value result;
    if constexpr (isMax) {
      result = linalg::PoolingNchwMaxOp::create(
                   rewriter, loc, TypeRange{out4}, ValueRange{padded, window},
                   init, stridesAttr, dilationsAttr)
                   .getResult(0);
    } else {
      Value sum =
          linalg::PoolingNchwSumOp::create(rewriter, loc, TypeRange{out4},
                                           ValueRange{padded, window}, init,
                                           stridesAttr, dilationsAttr)
              .getResult(0);
      // Divide by the window count of each output position: taps inside the
      // input, or inside input + explicit pads with count_include_pad.
      bool includePad = op.getCountIncludePad();
      int64_t oh = out4.getDimSize(2), ow = out4.getDimSize(3);
      SmallVector<float> counts;
      counts.reserve(oh * ow);
      for (int64_t y = 0; y < oh; ++y) {
        int64_t h = in4.getDimSize(2);
        int64_t cy = windowCount(y, kernel[0], strides[0], dilations[0],
                                 padBegin[0], includePad ? -padBegin[0] : 0,
                                 includePad ? h + padEnd[0] : h);
        for (int64_t x = 0; x < ow; ++x) {
          int64_t w = in4.getDimSize(3);
          int64_t cx = windowCount(x, kernel[1], strides[1], dilations[1],
                                   padBegin[1], includePad ? -padBegin[1] : 0,
                                   includePad ? w + padEnd[1] : w);
          counts.push_back(static_cast<float>(std::max<int64_t>(1, cy * cx)));
        }
      }
      auto countType = RankedTensorType::get({oh, ow}, rewriter.getF32Type());
      Value countTensor = arith::ConstantOp::create(
          rewriter, loc, makeF32Elements(countType, counts, "pool_counts"));
      result = buildElementwise(
          rewriter, loc, out4, {sum, countTensor},
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value count = a[1];
            if (count.getType() != elementType)
              count = elementType.getIntOrFloatBitWidth() > 32
                          ? arith::ExtFOp::create(b, l, elementType, count)
                                .getResult()
                          : arith::TruncFOp::create(b, l, elementType, count)
                                .getResult();
            return arith::DivFOp::create(b, l, a[0], count);
          });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions, softmax, layer norm
//===----------------------------------------------------------------------===//

/// The map from the full iteration space of rank `rank` to the dims that are
/// not in `reduced`.
static AffineMap keptDimsMap(MLIRContext *ctx, int64_t rank,
                             ArrayRef<int64_t> reduced) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(reduced, d))
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

static RankedTensorType reducedType(RankedTensorType type,
                                    ArrayRef<int64_t> reduced) {
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(reduced, d))
      shape.push_back(type.getDimSize(d));
  return withShape(type, shape);
}

/// How a reduction combines: addf, maximumf, minimumf (NaN propagates) or
/// mulf.
enum class Combine { Add, Max, Min, Mul };

/// linalg.reduce of `input` over `dims` starting from `init` and combining
/// as `combine` says.
static Value reduce(OpBuilder &b, Location loc, Value input,
                    ArrayRef<int64_t> dims, TypedAttr init, Combine combine) {
  auto type = cast<RankedTensorType>(input.getType());
  Value acc = buildFilled(b, loc, reducedType(type, dims), init);
  auto reduceOp = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{acc}, dims,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value r;
        switch (combine) {
        case Combine::Add:
          r = arith::AddFOp::create(nb, nloc, args[0], args[1]);
          break;
        case Combine::Max:
          r = arith::MaximumFOp::create(nb, nloc, args[0], args[1]);
          break;
        case Combine::Min:
          r = arith::MinimumFOp::create(nb, nloc, args[0], args[1]);
          break;
        case Combine::Mul:
          r = arith::MulFOp::create(nb, nloc, args[0], args[1]);
          break;
        }
        linalg::YieldOp::create(nb, nloc, r);
      });
  return reduceOp.getResult(0);
}

static int64_t elementsIn(RankedTensorType type, ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= type.getDimSize(d);
  return n;
}

/// The mean over `dims` of `input` given `sum`, its linalg.reduce over them.
static Value meanFromSum(OpBuilder &b, Location loc, Value sum,
                         RankedTensorType input, ArrayRef<int64_t> dims) {
  double n = static_cast<double>(elementsIn(input, dims));
  auto type = cast<RankedTensorType>(sum.getType());
  return buildElementwise(
      b, loc, type, sum, [&](OpBuilder &nb, Location l, ValueRange a) {
        return arith::DivFOp::create(
            nb, l, a[0], floatConst(nb, l, type.getElementType(), n));
      });
}

template <typename OpTy>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Type elementType = inType.getElementType();
    ArrayRef<int64_t> axes = op.getAxes();
    Combine combine = Combine::Add;
    TypedAttr init = rewriter.getZeroAttr(elementType);
    if constexpr (std::is_same_v<OpTy, ReduceMaxOp>) {
      combine = Combine::Max;
      init = negativeInfinity(elementType);
    } else if constexpr (std::is_same_v<OpTy, ReduceMinOp>) {
      combine = Combine::Min;
      init = rewriter.getFloatAttr(
          elementType,
          APFloat::getInf(cast<FloatType>(elementType).getFloatSemantics()));
    } else if constexpr (std::is_same_v<OpTy, ReduceProdOp>) {
      combine = Combine::Mul;
      init = rewriter.getFloatAttr(elementType, 1.0);
    }
    Value result =
        reduce(rewriter, loc, adaptor.getInput(), axes, init, combine);
    if constexpr (std::is_same_v<OpTy, ReduceMeanOp>)
      result = meanFromSum(rewriter, loc, result, inType, axes);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result,
                                     cast<RankedTensorType>(op.getType())));
    return success();
  }
};

/// arg_max/arg_min: one linalg.generic reducing `axis` that carries the
/// best value and its index; a candidate replaces them when it compares
/// strictly better (first index wins) or, with select_last_index, better or
/// equal. Ordered compares: a NaN never wins.
template <typename OpTy>
struct ArgLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, ArgMaxOp>;
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto elementType = cast<FloatType>(inType.getElementType());
    int64_t axis = op.getAxis(), rank = inType.getRank();
    RankedTensorType reduced = reducedType(inType, {axis});
    Value bestInit = buildFilled(
        rewriter, loc, reduced,
        rewriter.getFloatAttr(elementType,
                              APFloat::getInf(elementType.getFloatSemantics(),
                                              /*Negative=*/isMax)));
    Type i64 = rewriter.getI64Type();
    Value indexInit = buildFilled(rewriter, loc, reduced.clone(i64),
                                  rewriter.getIntegerAttr(i64, 0));
    SmallVector<AffineExpr> kept;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < rank; ++d) {
      if (d != axis)
        kept.push_back(rewriter.getAffineDimExpr(d));
      iterators.push_back(d == axis ? utils::IteratorType::reduction
                                    : utils::IteratorType::parallel);
    }
    MLIRContext *ctx = rewriter.getContext();
    AffineMap out = AffineMap::get(rank, 0, kept, ctx);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank), out,
                                   out};
    arith::CmpFPredicate predicate =
        isMax ? (op.getSelectLastIndex() ? arith::CmpFPredicate::OGE
                                         : arith::CmpFPredicate::OGT)
              : (op.getSelectLastIndex() ? arith::CmpFPredicate::OLE
                                         : arith::CmpFPredicate::OLT);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{reduced, reduced.clone(i64)},
        ValueRange{adaptor.getInput()}, ValueRange{bestInit, indexInit}, maps,
        iterators, [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value index = arith::IndexCastOp::create(
              b, nloc, i64, linalg::IndexOp::create(b, nloc, axis));
          Value better =
              arith::CmpFOp::create(b, nloc, predicate, args[0], args[1]);
          linalg::YieldOp::create(
              b, nloc,
              ValueRange{
                  arith::SelectOp::create(b, nloc, better, args[0], args[1]),
                  arith::SelectOp::create(b, nloc, better, index, args[2])});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1),
                                     cast<RankedTensorType>(op.getType())));
    return success();
  }
};

/// top_k as two linalg.generics, with no sort: the first gives every
/// element its rank along `axis` (how many elements come before it in the
/// op's total order: better, or equal with a lower index), an n x n
/// reduction; the second picks, for each output position p < k, the one
/// element of rank p and its index, an n x k reduction. Ranks form a
/// permutation, so each position matches exactly once. O(n^2) per slice.
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    Type element = inType.getElementType();
    Type i64 = rewriter.getI64Type();
    auto axis = static_cast<int64_t>(op.getAxis());
    int64_t rank = inType.getRank();
    bool largest = op.getLargest();

    // Dims 0..rank-1 are the element's own; dim `rank` runs along the axis
    // over the other element.
    SmallVector<AffineExpr> self, other;
    for (int64_t d = 0; d < rank; ++d) {
      self.push_back(rewriter.getAffineDimExpr(d));
      other.push_back(rewriter.getAffineDimExpr(d == axis ? rank : d));
    }
    AffineMap selfMap = AffineMap::get(rank + 1, 0, self, ctx);
    AffineMap otherMap = AffineMap::get(rank + 1, 0, other, ctx);
    SmallVector<utils::IteratorType> iterators(rank + 1,
                                               utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;

    // Whether `a` (at index ia) comes before `b` (at ib).
    auto before = [&](OpBuilder &b, Location l, Value a, Value ia, Value bv,
                      Value ib) -> Value {
      Value lowerIndex =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, ia, ib);
      Value better, equal;
      if (isa<IntegerType>(element)) {
        better = arith::CmpIOp::create(b, l,
                                       largest ? arith::CmpIPredicate::sgt
                                               : arith::CmpIPredicate::slt,
                                       a, bv);
        equal = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a, bv);
      } else {
        // NaN is above every number: for largest, a is better when it is
        // NaN and b is not, or a > b; for smallest, when b is NaN and a is
        // not, or a < b.
        Value aNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, a, a);
        Value bNan =
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, bv, bv);
        Value nanWins = largest
                            ? arith::AndIOp::create(
                                  b, l, aNan,
                                  arith::XOrIOp::create(
                                      b, l, bNan,
                                      arith::ConstantIntOp::create(b, l, 1, 1)))
                            : arith::AndIOp::create(
                                  b, l, bNan,
                                  arith::XOrIOp::create(
                                      b, l, aNan,
                                      arith::ConstantIntOp::create(b, l, 1, 1)));
        Value ordered = arith::CmpFOp::create(
            b, l, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
            a, bv);
        better = arith::OrIOp::create(b, l, nanWins, ordered);
        equal = arith::OrIOp::create(
            b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a, bv),
            arith::AndIOp::create(b, l, aNan, bNan));
      }
      return arith::OrIOp::create(
          b, l, better, arith::AndIOp::create(b, l, equal, lowerIndex));
    };

    RankedTensorType rankType = inType.clone(i64);
    Value zeros = buildFilled(rewriter, loc, rankType,
                              rewriter.getIntegerAttr(i64, 0));
    auto ranks = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rankType}, ValueRange{input, input},
        ValueRange{zeros}, SmallVector<AffineMap>{selfMap, otherMap, selfMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value ia = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value ib = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value ahead = before(b, l, args[1], ib, args[0], ia);
          Value one = arith::ExtUIOp::create(b, l, i64, ahead);
          linalg::YieldOp::create(b, l,
                                  ValueRange{arith::AddIOp::create(
                                      b, l, args[2], one)});
        });

    // Output position p is dim `axis`; dim `rank` runs over the elements.
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    Value valuesInit = buildFilled(rewriter, loc, valuesType,
                                   rewriter.getZeroAttr(element));
    Value indicesInit = buildFilled(rewriter, loc, indicesType,
                                    rewriter.getIntegerAttr(i64, 0));
    auto picked = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, indicesType},
        ValueRange{input, ranks.getResult(0)},
        ValueRange{valuesInit, indicesInit},
        SmallVector<AffineMap>{otherMap, otherMap, selfMap, selfMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value p = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value i = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value match =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, args[1], p);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, match, args[0], args[2]),
                         arith::SelectOp::create(b, l, match, i, args[3])});
        });
    rewriter.replaceOp(op, picked.getResults());
    return success();
  }
};

struct GlobalAveragePoolLowering : OpConversionPattern<GlobalAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    Type elementType = inType.getElementType();
    SmallVector<int64_t> dims;
    for (int64_t d = 2; d < inType.getRank(); ++d)
      dims.push_back(d);
    Value sum = reduce(rewriter, loc, adaptor.getInput(), dims,
                       rewriter.getZeroAttr(elementType), Combine::Add);
    Value mean = meanFromSum(rewriter, loc, sum, inType, dims);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, mean, op.getType()));
    return success();
  }
};

/// exp(x - max) / sum(exp(x - max)) along one axis.
struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    Type elementType = type.getElementType();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    Value max = reduce(rewriter, loc, x, axis, negativeInfinity(elementType),
                       Combine::Max);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap kept = keptDimsMap(ctx, rank, axis);
    Value e = buildParallelGeneric(
        rewriter, loc, type, {x, max}, {identity, kept},
        [&](OpBuilder &b, Location l, ValueRange a) {
          return math::ExpOp::create(b, l,
                                     arith::SubFOp::create(b, l, a[0], a[1]));
        });
    Value sum = reduce(rewriter, loc, e, axis,
                       rewriter.getZeroAttr(elementType), Combine::Add);
    Value result =
        buildParallelGeneric(rewriter, loc, type, {e, sum}, {identity, kept},
                             [&](OpBuilder &b, Location l, ValueRange a) {
                               return arith::DivFOp::create(b, l, a[0], a[1]);
                             });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// (x - mean) / sqrt(var + eps) * scale + bias over dims [axis, rank).
struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    Type elementType = type.getElementType();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<int64_t> dims;
    for (int64_t d = axis; d < rank; ++d)
      dims.push_back(d);
    double n = static_cast<double>(elementsIn(type, dims));
    Value x = adaptor.getInput();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap kept = keptDimsMap(ctx, rank, dims);
    auto statType = reducedType(type, dims);

    Value sum = reduce(rewriter, loc, x, dims,
                       rewriter.getZeroAttr(elementType), Combine::Add);
    Value mean = meanFromSum(rewriter, loc, sum, type, dims);
    // Sum of squared deviations: a generic with reduction iterators.
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < rank; ++d)
      iterators.push_back(d < axis ? utils::IteratorType::parallel
                                   : utils::IteratorType::reduction);
    Value squares =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{statType}, ValueRange{x, mean},
            ValueRange{buildZeros(rewriter, loc, statType)},
            SmallVector<AffineMap>{identity, kept, kept}, iterators,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value d = arith::SubFOp::create(b, l, a[0], a[1]);
              Value sq = arith::MulFOp::create(b, l, d, d);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, a[2], sq)});
            })
            .getResult(0);
    SmallVector<Value> inputs{x, mean, squares, adaptor.getScale()};
    SmallVector<AffineMap> maps{
        identity, kept, kept,
        broadcastMap(cast<RankedTensorType>(adaptor.getScale().getType()),
                     type)};
    if (Value bias = adaptor.getBias()) {
      inputs.push_back(bias);
      maps.push_back(
          broadcastMap(cast<RankedTensorType>(bias.getType()), type));
    }
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = buildParallelGeneric(
        rewriter, loc, type, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value variance = arith::DivFOp::create(
              b, l, a[2], floatConst(b, l, elementType, n));
          Value stddev = math::SqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, variance,
                                    floatConst(b, l, elementType, epsilon)));
          Value normalized = arith::DivFOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[1]), stddev);
          Value y = arith::MulFOp::create(b, l, normalized, a[3]);
          if (a.size() > 4)
            y = arith::AddFOp::create(b, l, y, a[4]);
          return y;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/// A [M,K] x [K,N] product accumulated into `init` [M,N].
static Value matmul2d(OpBuilder &b, Location loc, Value lhs, Value rhs,
                      Value init) {
  return linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                  ValueRange{lhs, rhs}, ValueRange{init})
      .getResult(0);
}

/// numpy matmul: 1-D operands gain a unit dim; a 2-D right operand folds
/// the left operand's batch into M; otherwise one contraction with
/// broadcasting batch maps.
struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getType();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    if (lhsType.getRank() == 1) {
      lhsType = withShape(lhsType, {1, lhsType.getDimSize(0)});
      lhs = reshapeTo(rewriter, loc, lhs, lhsType);
    }
    if (rhsType.getRank() == 1) {
      rhsType = withShape(rhsType, {rhsType.getDimSize(0), 1});
      rhs = reshapeTo(rewriter, loc, rhs, rhsType);
    }
    int64_t m = lhsType.getDimSize(lhsType.getRank() - 2);
    int64_t k = lhsType.getDimSize(lhsType.getRank() - 1);
    int64_t n = rhsType.getDimSize(rhsType.getRank() - 1);

    if (rhsType.getRank() == 2) {
      int64_t rows = lhsType.getNumElements() / k;
      Value flat = reshapeTo(rewriter, loc, lhs, withShape(lhsType, {rows, k}));
      Value init = buildZeros(rewriter, loc, withShape(outType, {rows, n}));
      Value product = matmul2d(rewriter, loc, flat, rhs, init);
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, product, outType));
      return success();
    }

    // Batched: iteration space (batch..., m, n, k).
    ArrayRef<int64_t> lb = lhsType.getShape().drop_back(2);
    ArrayRef<int64_t> rb = rhsType.getShape().drop_back(2);
    int64_t batchRank = std::max(lb.size(), rb.size());
    SmallVector<int64_t> batch(batchRank, 1);
    for (int64_t i = 0; i < batchRank; ++i) {
      int64_t li = i - (batchRank - lb.size()),
              ri = i - (batchRank - rb.size());
      int64_t ld = li >= 0 ? lb[li] : 1, rd = ri >= 0 ? rb[ri] : 1;
      batch[i] = ld == 1 ? rd : ld;
    }
    MLIRContext *ctx = rewriter.getContext();
    int64_t loops = batchRank + 3;
    auto batchExprs = [&](ArrayRef<int64_t> shape) {
      SmallVector<AffineExpr> exprs;
      for (size_t i = 0; i < shape.size(); ++i) {
        int64_t d = batchRank - shape.size() + i;
        exprs.push_back(shape[i] == 1 && batch[d] != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(d, ctx));
      }
      return exprs;
    };
    AffineExpr dm = getAffineDimExpr(batchRank, ctx);
    AffineExpr dn = getAffineDimExpr(batchRank + 1, ctx);
    AffineExpr dk = getAffineDimExpr(batchRank + 2, ctx);
    SmallVector<AffineExpr> lhsExprs = batchExprs(lb);
    lhsExprs.append({dm, dk});
    SmallVector<AffineExpr> rhsExprs = batchExprs(rb);
    rhsExprs.append({dk, dn});
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < batchRank; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    outExprs.append({dm, dn});
    SmallVector<int64_t> fullShape(batch);
    fullShape.append({m, n});
    auto fullType = withShape(outType, fullShape);
    SmallVector<utils::IteratorType> iterators(loops - 1,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value product =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{fullType}, ValueRange{lhs, rhs},
            ValueRange{buildZeros(rewriter, loc, fullType)},
            SmallVector<AffineMap>{AffineMap::get(loops, 0, lhsExprs, ctx),
                                   AffineMap::get(loops, 0, rhsExprs, ctx),
                                   AffineMap::get(loops, 0, outExprs, ctx)},
            iterators,
            [](OpBuilder &b, Location l, ValueRange a) {
              // i32 (MatMulInteger): wrapping integer arithmetic.
              ScalarBuilder s(b, l, a[0].getType());
              linalg::YieldOp::create(
                  b, l, ValueRange{s.add(a[2], s.mul(a[0], a[1]))});
            })
            .getResult(0);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, product, outType));
    return success();
  }
};

/// `value` [R,C] transposed to [C,R]: at compile time for constant f32
/// values, as a linalg.transpose otherwise.
static Value transpose2d(OpBuilder &b, Location loc, Value original,
                         Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  auto transposedType = withShape(type, {cols, rows});
  if (auto values = getConstantF32Values(original)) {
    SmallVector<float> t(values->size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        t[c * rows + r] = (*values)[r * cols + c];
    return arith::ConstantOp::create(
        b, loc, makeF32Elements(transposedType, t, "gemm_transposed"));
  }
  Value init =
      tensor::EmptyOp::create(b, loc, {cols, rows}, type.getElementType());
  return linalg::TransposeOp::create(b, loc, value, init,
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// alpha * op(A) * op(B) + beta * C.
struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getType();
    Type elementType = outType.getElementType();
    Value a = adaptor.getA(), b = adaptor.getB();
    if (op.getTransA())
      a = transpose2d(rewriter, loc, op.getA(), a);
    if (op.getTransB())
      b = transpose2d(rewriter, loc, op.getB(), b);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = adaptor.getC();
    bool useC = c && beta != 0.0;
    auto scaleBy = [&](double factor) {
      return [&, factor](OpBuilder &nb, Location l, ValueRange v) -> Value {
        if (factor == 1.0)
          return v[0];
        return arith::MulFOp::create(nb, l, v[0],
                                     floatConst(nb, l, elementType, factor));
      };
    };
    if (alpha == 1.0) {
      Value init =
          useC ? buildElementwise(rewriter, loc, outType, c, scaleBy(beta))
               : buildZeros(rewriter, loc, outType);
      rewriter.replaceOp(op, matmul2d(rewriter, loc, a, b, init));
      return success();
    }
    Value product =
        matmul2d(rewriter, loc, a, b, buildZeros(rewriter, loc, outType));
    SmallVector<Value> inputs{product};
    if (useC)
      inputs.push_back(c);
    Value result = buildElementwise(
        rewriter, loc, outType, inputs,
        [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
          Value y = arith::MulFOp::create(
              nb, l, v[0], floatConst(nb, l, elementType, alpha));
          if (v.size() > 1)
            y = arith::AddFOp::create(
                nb, l, y,
                arith::MulFOp::create(nb, l, v[1],
                                      floatConst(nb, l, elementType, beta)));
          return y;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// The source index a nearest resize reads for output index `o` of a dim
/// resized from `in` to `out` elements by `scale`: the coordinate
/// transformation and rounding in f64, as the generic below computes them,
/// then the clamp to [0, in).
int64_t nearestSourceIndex(ResizeOp op, int64_t o, int64_t in, int64_t out,
                           double scale) {
  double of = static_cast<double>(o);
  double centered = (of + 0.5) / scale - 0.5, x = 0.0;
  switch (op.getCoordinateTransform()) {
  case CoordinateTransform::half_pixel:
    x = centered;
    break;
  case CoordinateTransform::half_pixel_symmetric:
    x = centered + in / 2.0 * (1.0 - out / (scale * in));
    break;
  case CoordinateTransform::pytorch_half_pixel:
    x = out > 1 ? centered : 0.0;
    break;
  case CoordinateTransform::align_corners:
    x = out > 1 ? of * (static_cast<double>(in - 1) / (out - 1)) : 0.0;
    break;
  case CoordinateTransform::asymmetric:
    x = of / scale;
    break;
  }
  double rounded = 0.0;
  switch (op.getNearestMode()) {
  case NearestMode::round_prefer_floor:
    rounded = std::ceil(x - 0.5);
    break;
  case NearestMode::round_prefer_ceil:
    rounded = std::floor(x + 0.5);
    break;
  case NearestMode::floor:
    rounded = std::floor(x);
    break;
  case NearestMode::ceil:
    rounded = std::ceil(x);
    break;
  }
  int64_t i = static_cast<int64_t>(rounded);
  return std::min(std::max<int64_t>(i, 0), in - 1);
}

/// A nearest resize that repeats every element `s` times along each
/// resized dim (out = s * in and source index o / s for every output
/// index, which the transformation and rounding of the op are checked to
/// give) as a linalg.broadcast into [.., in, s, ..] and a collapse: plain
/// copies that vectorize, where the generic below reads by a gather.
/// Failure (no such op) leaves it to the generic.
LogicalResult lowerResizeAsRepeat(ResizeOp op, Value source,
                                  RankedTensorType outType,
                                  ConversionPatternRewriter &rewriter) {
  if (op.getMode() != ResizeMode::nearest)
    return failure();
  auto inType = op.getInput().getType();
  if (!inType.hasStaticShape() || !outType.hasStaticShape())
    return failure();
  ArrayRef<float> scales = op.getScales();
  SmallVector<int64_t> expanded, added;
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < outType.getRank(); ++d) {
    int64_t in = inType.getDimSize(d), out = outType.getDimSize(d);
    groups.push_back({static_cast<int64_t>(expanded.size())});
    expanded.push_back(in);
    if (in == out && scales[d] == 1.0f)
      continue;
    if (in == 0 || out % in != 0)
      return failure();
    int64_t repeat = out / in;
    // Checked for every output index: cheap next to the copy itself.
    for (int64_t o = 0; o < out; ++o)
      if (nearestSourceIndex(op, o, in, out, scales[d]) != o / repeat)
        return failure();
    groups.back().push_back(static_cast<int64_t>(expanded.size()));
    added.push_back(static_cast<int64_t>(expanded.size()));
    expanded.push_back(repeat);
  }
  Location loc = op.getLoc();
  Value init = tensor::EmptyOp::create(rewriter, loc, expanded,
                                       outType.getElementType());
  Value repeated =
      linalg::BroadcastOp::create(rewriter, loc, source, init, added)
          .getResult()[0];
  rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, outType, repeated,
                                                       groups);
  return success();
}

/// Resize as a linalg.generic over the output: per resized dim, the source
/// coordinate (in f64) from the coordinate transformation, then one tap
/// (nearest) or two taps with weights (linear, multilinear over dims).
/// Nearest resizes that only repeat elements take lowerResizeAsRepeat,
/// whose nearestSourceIndex evaluates the nearest coordinate and rounding
/// built here: a change to one is a change to both (test/e2e/resize.test
/// holds both lowerings to numpy).
struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lower(op, adaptor.getInput(), op.getType(), rewriter);
  }

  /// `op` on `source`, whose element type `outType` has (the storage of a
  /// quantized resize, which is nearest and so reads and never computes).
  static LogicalResult lower(ResizeOp op, Value source,
                             RankedTensorType outType,
                             ConversionPatternRewriter &rewriter) {
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    int64_t rank = outType.getRank();
    Type elementType = outType.getElementType();
    ArrayRef<float> scales = op.getScales();
    bool linear = op.getMode() == ResizeMode::linear;
    if (succeeded(lowerResizeAsRepeat(op, source, outType, rewriter)))
      return success();

    Value result = buildParallelGeneric(
        rewriter, loc, outType, ValueRange{}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Type f64 = b.getF64Type();
          auto f = [&](double v) { return floatConst(b, l, f64, v); };
          auto toIndex = [&](Value x) -> Value {
            Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), x);
            return arith::IndexCastOp::create(b, l, b.getIndexType(), i);
          };
          auto clampIndex = [&](Value i, int64_t size) -> Value {
            i = arith::MaxSIOp::create(b, l, i, indexConst(b, l, 0));
            return arith::MinSIOp::create(b, l, i, indexConst(b, l, size - 1));
          };
          // Per dim: (first tap, second tap, weight of the second tap).
          struct Taps {
            Value i0, i1, w;
          };
          SmallVector<Taps> taps;
          for (int64_t d = 0; d < rank; ++d) {
            Value o = linalg::IndexOp::create(b, l, d);
            int64_t in = inType.getDimSize(d), out = outType.getDimSize(d);
            if (in == out && scales[d] == 1.0f) {
              taps.push_back({o, Value(), Value()});
              continue;
            }
            double scale = scales[d];
            Value of = arith::SIToFPOp::create(
                b, l, f64, arith::IndexCastOp::create(b, l, b.getI64Type(), o));
            Value x;
            Value centered = arith::SubFOp::create(
                b, l,
                arith::DivFOp::create(
                    b, l, arith::AddFOp::create(b, l, of, f(0.5)), f(scale)),
                f(0.5));
            switch (op.getCoordinateTransform()) {
            case CoordinateTransform::half_pixel:
              x = centered;
              break;
            case CoordinateTransform::half_pixel_symmetric: {
              double adjustment = out / (scale * in);
              double offset = in / 2.0 * (1.0 - adjustment);
              x = arith::AddFOp::create(b, l, centered, f(offset));
              break;
            }
            case CoordinateTransform::pytorch_half_pixel:
              x = out > 1 ? centered : f(0.0);
              break;
            case CoordinateTransform::align_corners:
              x = out > 1 ? arith::MulFOp::create(
                                b, l, of,
                                f(static_cast<double>(in - 1) / (out - 1)))
                                .getResult()
                          : f(0.0);
              break;
            case CoordinateTransform::asymmetric:
              x = arith::DivFOp::create(b, l, of, f(scale));
              break;
            }
            if (!linear) {
              Value rounded;
              switch (op.getNearestMode()) {
              case NearestMode::round_prefer_floor:
                rounded = math::CeilOp::create(
                    b, l, arith::SubFOp::create(b, l, x, f(0.5)));
                break;
              case NearestMode::round_prefer_ceil:
                rounded = math::FloorOp::create(
                    b, l, arith::AddFOp::create(b, l, x, f(0.5)));
                break;
              case NearestMode::floor:
                rounded = math::FloorOp::create(b, l, x);
                break;
              case NearestMode::ceil:
                rounded = math::CeilOp::create(b, l, x);
                break;
              }
              taps.push_back(
                  {clampIndex(toIndex(rounded), in), Value(), Value()});
              continue;
            }
            Value floor = math::FloorOp::create(b, l, x);
            Value weight = arith::SubFOp::create(b, l, x, floor);
            Value i0 = toIndex(floor);
            Value i1 = arith::AddIOp::create(b, l, i0, indexConst(b, l, 1));
            taps.push_back(
                {clampIndex(i0, in), clampIndex(i1, in),
                 arith::TruncFOp::create(b, l, elementType, weight)});
          }
          // Sum over the 2^k corners of the resized dims.
          SmallVector<int64_t> resized;
          for (int64_t d = 0; d < rank; ++d)
            if (taps[d].i1)
              resized.push_back(d);
          Value sum;
          for (int64_t corner = 0; corner < (1 << resized.size()); ++corner) {
            SmallVector<Value> indices;
            Value weight;
            for (int64_t d = 0; d < rank; ++d) {
              auto it = llvm::find(resized, d);
              if (it == resized.end()) {
                indices.push_back(taps[d].i0);
                continue;
              }
              bool second = corner & (1 << (it - resized.begin()));
              indices.push_back(second ? taps[d].i1 : taps[d].i0);
              Value w = taps[d].w;
              if (!second)
                w = arith::SubFOp::create(
                    b, l, floatConst(b, l, elementType, 1.0), w);
              weight = weight
                           ? arith::MulFOp::create(b, l, weight, w).getResult()
                           : w;
            }
            Value v = tensor::ExtractOp::create(b, l, source, indices);
            if (weight)
              v = arith::MulFOp::create(b, l, v, weight);
            sum = sum ? arith::AddFOp::create(b, l, sum, v).getResult() : v;
          }
          return sum;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

LogicalResult lowering::lowerResize(ResizeOp op, Value source,
                                    RankedTensorType outType,
                                    ConversionPatternRewriter &rewriter) {
  return ResizeLowering::lower(op, source, outType, rewriter);
}

void lowering::populateStructuredPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering, ConvTransposeLowering, PoolLowering<MaxPoolOp>,
               PoolLowering<AveragePoolOp>, ReduceLowering<ReduceMeanOp>,
               ReduceLowering<ReduceMaxOp>, ReduceLowering<ReduceSumOp>,
               ReduceLowering<ReduceMinOp>, ReduceLowering<ReduceProdOp>,
               ArgLowering<ArgMaxOp>, ArgLowering<ArgMinOp>, TopKLowering,
               GlobalAveragePoolLowering, SoftmaxLowering, LayerNormLowering,
               MatMulLowering, GemmLowering, ResizeLowering>(
      patterns.getContext());
}
