//===- QuantizedLowering.cpp - Quantized qnt ops to integer linalg --------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// convert-quantized-qnt-to-linalg: the reference int8 lowering, as dialect
// conversion patterns (after upstream Quant/Transforms/LowerQuantOps.cpp).
// A TypeConverter maps each quantized tensor type to its storage type (i8,
// i32, i4); the patterns see storage values through their adaptors, and
// quant.scast is only a materialization. The arithmetic is docs/Numerics.md's
// "Integer semantics" (quant/Quantization/QuantMath.h).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "quant/Conversion/Passes.h"
#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qnt {
#define GEN_PASS_DEF_CONVERTQUANTIZEDQNTTOLINALG
#include "quant/Conversion/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::lowering;

namespace {

Value i32Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}
Value i64Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
}

/// The scales of a weight the check accepted (zero points 0).
SmallVector<double> weightScales(Type type) {
  return *getSymmetricI8WeightScales(type);
}

/// The input scale (per-tensor) of a quantized layer.
double inputScaleOf(Operation *op) {
  return cast<quant::UniformQuantizedType>(
             getQuantizedElementType(op->getOperand(0).getType()))
      .getScale();
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// Quantized tensor types to their storage types; every other type is
/// legal as it is. quant.scast crosses between the two.
class StorageTypeConverter : public TypeConverter {
public:
  StorageTypeConverter() {
    addConversion([](Type type) { return type; });
    addConversion([](RankedTensorType type) -> Type {
      if (getQuantizedElementType(type))
        return getStorageTensorType(type);
      return type;
    });
    auto cast = [](OpBuilder &b, Type type, ValueRange inputs,
                   Location loc) -> Value {
      if (inputs.size() != 1)
        return Value();
      return quant::StorageCastOp::create(b, loc, type, inputs[0]);
    };
    addSourceMaterialization(cast);
    addTargetMaterialization(cast);
  }
};

bool hasQuantizedType(Operation *op) {
  return llvm::any_of(
      llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()),
      [](Type t) { return bool(getQuantizedElementType(t)); });
}

/// A conv/gemm/matmul with a group-wise int4 weight (qnt-quantize's int4
/// form: int8 input, f32 bias and result).
bool isInt4Layer(Operation *op) {
  std::optional<LinearLayer> layer = getLinearLayer(op);
  return layer &&
         getGroupedI4Weight(op->getOperand(layer->weightIndex).getType())
             .has_value();
}

/// A quantized matmul whose right-hand side is not a constant weight: a
/// product of two activations (qnt-quantize's static form of attention's
/// Q K^T and P V).
bool isActivationProduct(Operation *op) {
  auto matmul = dyn_cast<MatMulOp>(op);
  if (!matmul || !getQuantizedElementType(matmul.getRhs().getType()))
    return false;
  auto scast = matmul.getRhs().getDefiningOp<quant::StorageCastOp>();
  return !(scast && scast.getInput().getDefiningOp<ConstantOp>());
}

//===----------------------------------------------------------------------===//
// What has an int8 lowering
//===----------------------------------------------------------------------===//

/// Why a product of two activations has no int8 lowering, or nullopt.
std::optional<std::string> whyNotLowerableProduct(MatMulOp op) {
  auto lhs = getPerTensorI8Type(op.getLhs().getType());
  auto rhs = getPerTensorI8Type(op.getRhs().getType());
  auto out = getPerTensorI8Type(op.getType());
  if (!lhs || !rhs || !out)
    return std::string("a product of activations needs per-tensor i8 "
                       "operands and result");
  ArrayRef<int64_t> a = op.getLhs().getType().getShape(),
                    b = op.getRhs().getType().getShape();
  if (a.size() < 2 || a.size() != b.size() || a.drop_back(2) != b.drop_back(2))
    return std::string("a product of activations needs operands of one "
                       "rank >= 2 with equal batch dims");
  if (a.back() > kMaxActivationProductK)
    return "a product of activations over K = " + std::to_string(a.back()) +
           " could overflow its int32 sums (K <= " +
           std::to_string(kMaxActivationProductK) + ")";
  double real = lhs.getScale() * rhs.getScale() / out.getScale();
  if (!toFixedPoint(real)) {
    std::string message;
    llvm::raw_string_ostream os(message);
    os << "requantization scale " << real
       << " is outside the fixed-point range [2^-32, 2^30]";
    return message;
  }
  return std::nullopt;
}

/// Why a quantized linear layer (int8 or int4) has no lowering, or success.
std::optional<std::string> whyNotLowerableLayer(Operation *op) {
  auto perTensorI8 = [](Type t) { return bool(getPerTensorI8Type(t)); };
  std::optional<LinearLayer> layer = getQuantizableLayer(op);
  if (!layer) {
    if (isa<ConvOp>(op))
      return std::string("only 2-D convolutions with group 1 or depthwise");
    if (isa<GemmOp>(op))
      return std::string("gemm with trans_a or alpha/beta != 1");
    if (isa<MatMulOp>(op))
      return std::string("only 2-D matmul");
    return std::string("no int8 lowering for this op");
  }
  Type weightType = op->getOperand(layer->weightIndex).getType();
  if (isInt4Layer(op)) {
    if (layer->depthwise)
      return std::string("a depthwise conv has no int4 form");
    if (!perTensorI8(op->getOperand(0).getType()))
      return std::string("an int4 layer's input must be per-tensor i8");
    if (!cast<RankedTensorType>(op->getResult(0).getType())
             .getElementType()
             .isF32())
      return std::string("an int4 layer's result must be f32");
    auto scast = op->getOperand(layer->weightIndex)
                     .getDefiningOp<quant::StorageCastOp>();
    if (!scast || !getConstantIntValues(scast.getInput()))
      return std::string("the int4 weight must be a constant");
    if (layer->biasIndex) {
      auto bias =
          cast<RankedTensorType>(op->getOperand(*layer->biasIndex).getType());
      if (!bias.getElementType().isF32() || bias.getRank() != 1)
        return std::string("an int4 layer's bias must be a 1-D f32 tensor");
    }
    return std::nullopt;
  }
  // int8: i8 input and output, zero-point-0 i8 weights, i32 bias.
  if (!perTensorI8(op->getOperand(0).getType()) ||
      !perTensorI8(op->getResult(0).getType()))
    return std::string("input and result must be per-tensor i8");
  auto weight = getQuantizedElementType(weightType);
  if (!weight || !weight.getStorageType().isInteger(8))
    return std::string("the weight must be i8");
  if (!getSymmetricI8WeightScales(weightType))
    return std::string("weights need zero point 0");
  if (layer->biasIndex) {
    Type biasType = op->getOperand(*layer->biasIndex).getType();
    auto bias = getQuantizedElementType(biasType);
    if (!bias || !bias.getStorageType().isInteger(32) ||
        cast<RankedTensorType>(biasType).getRank() != 1)
      return std::string("the bias must be a 1-D i32 tensor");
  }
  // Every channel's requantization scale must have a fixed-point form.
  double inScale = inputScaleOf(op);
  double outScale = cast<quant::UniformQuantizedType>(
                        getQuantizedElementType(op->getResult(0).getType()))
                        .getScale();
  SmallVector<double> wScales = weightScales(weightType);
  int64_t channels =
      cast<RankedTensorType>(op->getResult(0).getType()).getDimSize(1);
  int64_t bad = 0;
  if (!getRequantMultipliers(inScale, wScales, outScale, channels, bad)) {
    std::string message;
    llvm::raw_string_ostream os(message);
    os << "requantization scale "
       << inScale * wScales[wScales.size() == 1 ? 0 : bad] / outScale
       << " of channel " << bad
       << " is outside the fixed-point range [2^-32, 2^30]";
    return message;
  }
  return std::nullopt;
}

/// Why `op`, which takes or makes a quantized tensor, has no int8 lowering
/// (the whole diagnostic), or nullopt. The pass reports these before it
/// rewrites anything; the patterns give them as match-failure reasons.
std::optional<std::string> whyNotLowerable(Operation *op) {
  if (!hasQuantizedType(op) || isa<quant::StorageCastOp>(op))
    return std::nullopt;
  auto cannot = [](const Twine &why) {
    return ("cannot lower quantized op: " + why).str();
  };
  if (!isa<QntDialect, quant::QuantDialect>(op->getDialect()))
    return ("'" + op->getName().getStringRef() +
            "' takes or makes a quantized tensor; only qnt ops and quant "
            "casts have an int8 lowering (dequantize with quant.dcast "
            "first)")
        .str();
  auto perTensorI8 = [](Type t) { return bool(getPerTensorI8Type(t)); };
  // The casts also take uint8 grids (an imported QDQ model's uint8 that
  // qnt-fuse-qdq left unsigned, e.g. a QuantizeLinear graph output).
  auto perTensor8 = [](Type t) {
    auto q = dyn_cast_or_null<quant::UniformQuantizedType>(
        getQuantizedElementType(t));
    return q && q.getStorageTypeIntegralWidth() == 8;
  };
  if (auto qcast = dyn_cast<quant::QuantizeCastOp>(op))
    return perTensor8(qcast.getType())
               ? std::nullopt
               : std::optional(cannot("qcast to a per-axis or non-8-bit type"));
  if (auto dcast = dyn_cast<quant::DequantizeCastOp>(op))
    return perTensor8(dcast.getInput().getType())
               ? std::nullopt
               : std::optional(
                     cannot("dcast from a per-axis or non-8-bit type"));
  if (isInt8ElementwiseOp(op)) {
    if (std::optional<std::string> why = whyNotLowerableInt8Elementwise(op))
      return cannot(*why);
    return std::nullopt;
  }
  if (op->hasTrait<PreservesGrid>()) {
    if (!perTensorI8(op->getOperand(0).getType()))
      return cannot("data movement on a per-axis type");
    if (auto pool = dyn_cast<MaxPoolOp>(op))
      if (pool.getInput().getType().getRank() != 4)
        return cannot("only 2-D max_pool");
    return std::nullopt;
  }
  if (isa<DynamicLinearOp>(op))
    return std::nullopt; // The verifier checked the weight's type.
  if (isActivationProduct(op)) {
    if (std::optional<std::string> why =
            whyNotLowerableProduct(cast<MatMulOp>(op)))
      return cannot(*why);
    return std::nullopt;
  }
  if (std::optional<std::string> why = whyNotLowerableLayer(op))
    return cannot(*why);
  return std::nullopt;
}

/// notifyMatchFailure with whyNotLowerable's reason, if any.
LogicalResult checkLowerable(Operation *op, ConversionPatternRewriter &r) {
  if (std::optional<std::string> why = whyNotLowerable(op))
    return r.notifyMatchFailure(op, *why);
  return success();
}

//===----------------------------------------------------------------------===//
// Integer arithmetic shared by the layers
//===----------------------------------------------------------------------===//

/// The requantizing generic: i32 `acc` (channels on `channelDim`) to the
/// i8 grid of `outType`, with multiplier/shift per channel
/// (whyNotLowerable made sure every channel has them).
Value requantize(OpBuilder &b, Location loc, Value acc, int64_t channelDim,
                 double inputScale, ArrayRef<double> wScales,
                 RankedTensorType outType) {
  auto out =
      cast<quant::UniformQuantizedType>(getQuantizedElementType(outType));
  auto accType = cast<RankedTensorType>(acc.getType());
  int64_t channels = accType.getDimSize(channelDim);
  int64_t bad = 0;
  std::optional<SmallVector<FixedPointMultiplier>> fixed =
      getRequantMultipliers(inputScale, wScales, out.getScale(), channels, bad);
  assert(fixed && "whyNotLowerable accepts only representable scales");
  SmallVector<int32_t> multipliers, shifts;
  for (const FixedPointMultiplier &m : *fixed) {
    multipliers.push_back(m.multiplier);
    shifts.push_back(m.shift);
  }
  auto vecType = RankedTensorType::get({channels}, b.getI32Type());
  Value mVec = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vecType, ArrayRef<int32_t>(multipliers)));
  Value sVec = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vecType, ArrayRef<int32_t>(shifts)));
  MLIRContext *ctx = b.getContext();
  int64_t rank = accType.getRank();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap channel =
      AffineMap::get(rank, 0, getAffineDimExpr(channelDim, ctx));
  RankedTensorType storage = getStorageTensorType(outType);
  int64_t zp = out.getZeroPoint();
  int64_t qmin = out.getStorageTypeMin(), qmax = out.getStorageTypeMax();
  return buildParallelGeneric(
      b, loc, storage, ValueRange{acc, mVec, sVec},
      {identity, channel, channel},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Type i64 = nb.getI64Type();
        Value a = arith::ExtSIOp::create(nb, nl, i64, args[0]);
        Value m = arith::ExtSIOp::create(nb, nl, i64, args[1]);
        Value s = arith::ExtSIOp::create(nb, nl, i64, args[2]);
        Value one = i64Const(nb, nl, 1);
        Value round = arith::ShLIOp::create(
            nb, nl, one, arith::SubIOp::create(nb, nl, s, one));
        Value v = arith::AddIOp::create(
            nb, nl, arith::MulIOp::create(nb, nl, a, m), round);
        v = arith::ShRSIOp::create(nb, nl, v, s);
        v = arith::AddIOp::create(nb, nl, v, i64Const(nb, nl, zp));
        v = arith::MaxSIOp::create(nb, nl, v, i64Const(nb, nl, qmin));
        v = arith::MinSIOp::create(nb, nl, v, i64Const(nb, nl, qmax));
        return arith::TruncIOp::create(nb, nl, storage.getElementType(), v);
      });
}

/// The body of an int8 contraction's linalg.generic: args = (x: i8,
/// w: i8, acc: i32); yields acc + (x - zp) * w in i32 (wrapping).
void yieldZeroPointProduct(OpBuilder &nb, Location nl, ValueRange args,
                           int64_t zp) {
  Type i32 = nb.getI32Type();
  Value a = arith::ExtSIOp::create(nb, nl, i32, args[0]);
  a = arith::SubIOp::create(nb, nl, a, i32Const(nb, nl, zp));
  Value w = arith::ExtSIOp::create(nb, nl, i32, args[1]);
  Value sum = arith::AddIOp::create(nb, nl, args[2],
                                    arith::MulIOp::create(nb, nl, a, w));
  linalg::YieldOp::create(nb, nl, sum);
}

/// An i32 accumulator of `type` starting at the bias (broadcast along
/// `channelDim`) or at 0.
Value accumulatorInit(OpBuilder &b, Location loc, RankedTensorType type,
                      Value bias, int64_t channelDim) {
  if (!bias)
    return buildZeros(b, loc, type);
  MLIRContext *ctx = b.getContext();
  AffineMap channel =
      AffineMap::get(type.getRank(), 0, getAffineDimExpr(channelDim, ctx));
  return buildParallelGeneric(
      b, loc, type, ValueRange{bias}, {channel},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// Replaces layer `op` by the requantization of its i32 accumulator `acc`
/// (output channels on dim 1), as its storage type.
void replaceByRequantized(ConversionPatternRewriter &rewriter, Operation *op,
                          Value acc) {
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  std::optional<LinearLayer> layer = getQuantizableLayer(op);
  Value result = requantize(
      rewriter, op->getLoc(), acc, 1, inputScaleOf(op),
      weightScales(op->getOperand(layer->weightIndex).getType()), outType);
  rewriter.replaceOp(op, result);
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

/// QuantMath's quantize of the scalar `x` (any float type) to `q`'s
/// storage type `storage`: one f32 division by the f32 scale, round half
/// to even, add the zero point, saturate (ONNX Runtime's QuantizeLinear);
/// NaN gives the zero point. The f32 steps after the division are exact:
/// the clamp bounds the sum.
Value quantizeScalar(OpBuilder &nb, Location nl, Value x,
                     quant::UniformQuantizedType q, Type storage) {
  float scale = static_cast<float>(q.getScale());
  int64_t zp = q.getZeroPoint();
  int64_t qmin = q.getStorageTypeMin(), qmax = q.getStorageTypeMax();
  // The division is f32 whatever the expressed type (as ONNX Runtime,
  // which quantizes f16 inputs in float too).
  Type f32 = nb.getF32Type();
  if (x.getType().getIntOrFloatBitWidth() < 32)
    x = arith::ExtFOp::create(nb, nl, f32, x);
  else if (x.getType().getIntOrFloatBitWidth() > 32)
    x = arith::TruncFOp::create(nb, nl, f32, x);
  Value scaled =
      arith::DivFOp::create(nb, nl, x, floatConst(nb, nl, f32, scale));
  // Clamp before rounding (|quotient| may exceed 2^24, where adding the
  // zero point in f32 would round); the bounds are integers.
  scaled = arith::MaximumFOp::create(nb, nl, scaled,
                                     floatConst(nb, nl, f32, qmin - zp));
  scaled = arith::MinimumFOp::create(nb, nl, scaled,
                                     floatConst(nb, nl, f32, qmax - zp));
  Value r = math::RoundEvenOp::create(nb, nl, scaled);
  r = arith::AddFOp::create(nb, nl, r, floatConst(nb, nl, f32, zp));
  // NaN: the zero point (maximumf/minimumf propagate NaN).
  Value nan = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UNO, x, x);
  r = arith::SelectOp::create(nb, nl, nan, floatConst(nb, nl, f32, zp), r);
  if (q.isSigned())
    return arith::FPToSIOp::create(nb, nl, storage, r);
  // uint8: 0..255 through i32, whose low 8 bits are the storage.
  Value wide = arith::FPToSIOp::create(nb, nl, nb.getI32Type(), r);
  return arith::TruncIOp::create(nb, nl, storage, wide);
}

/// The dequantized value of the stored scalar `v` of `q`, as `f`:
/// f(q - zp) * f(scale).
Value dequantizeScalar(OpBuilder &nb, Location nl, Value v,
                       quant::UniformQuantizedType q, Type f) {
  Value wide =
      q.isSigned()
          ? arith::ExtSIOp::create(nb, nl, nb.getI32Type(), v).getResult()
          : arith::ExtUIOp::create(nb, nl, nb.getI32Type(), v).getResult();
  wide =
      arith::SubIOp::create(nb, nl, wide, i32Const(nb, nl, q.getZeroPoint()));
  Value x = arith::SIToFPOp::create(nb, nl, f, wide);
  return arith::MulFOp::create(
      nb, nl, x, floatConst(nb, nl, f, static_cast<float>(q.getScale())));
}

/// quant.qcast (f32 to per-tensor int8 or uint8): QuantMath's quantize.
struct QuantizeCastLowering : OpConversionPattern<quant::QuantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::QuantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkLowerable(op, rewriter)))
      return failure();
    auto q = cast<quant::UniformQuantizedType>(
        getQuantizedElementType(op.getType()));
    RankedTensorType storage = getStorageTensorType(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), storage, ValueRange{adaptor.getInput()},
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          return quantizeScalar(nb, nl, args[0], q, storage.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// quant.dcast (per-tensor int8 or uint8 to float): f32(q - zp) *
/// f32(scale).
struct DequantizeCastLowering : OpConversionPattern<quant::DequantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::DequantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkLowerable(op, rewriter)))
      return failure();
    auto q = cast<quant::UniformQuantizedType>(
        getQuantizedElementType(op.getInput().getType()));
    auto outType = cast<RankedTensorType>(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), outType, ValueRange{adaptor.getInput()},
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          return dequantizeScalar(nb, nl, args[0], q, outType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// quant.scast: after conversion both sides are the storage value.
struct StorageCastLowering : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (adaptor.getInput().getType() !=
        getTypeConverter()->convertType(op.getType()))
      return rewriter.notifyMatchFailure(op, "not a storage <-> quantized "
                                             "cast of one storage type");
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// int8 layers
//===----------------------------------------------------------------------===//

/// qnt.conv (2-D, group 1 or depthwise) on int8: the input padded with its
/// zero point, linalg.conv_2d_nchw_fchw_q (or depthwiseSums) into an i32
/// accumulator that starts at the bias, then requantization.
struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isInt4Layer(op))
      return rewriter.notifyMatchFailure(op, "an int4 layer");
    if (failed(checkLowerable(op, rewriter)))
      return failure();
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    auto inQ = cast<quant::UniformQuantizedType>(
        getQuantizedElementType(op.getInput().getType()));
    ArrayRef<int64_t> pads = op.getPads(); // [top, left, bottom, right]
    SmallVector<int64_t> begin{0, 0, pads[0], pads[1]};
    SmallVector<int64_t> end{0, 0, pads[2], pads[3]};
    // Padding holds real 0: the input's zero point.
    Value padded =
        padOrCrop(b, loc, adaptor.getInput(), begin, end,
                  b.getIntegerAttr(b.getI8Type(), inQ.getZeroPoint()));
    auto accType = op.getType().clone(b.getI32Type());
    Value init = accumulatorInit(b, loc, accType, adaptor.getBias(), 1);
    if (getQuantizableLayer(op)->depthwise) {
      replaceByRequantized(rewriter, op,
                           depthwiseSums(b, loc, op, padded,
                                         adaptor.getWeight(), init,
                                         inQ.getZeroPoint()));
      return success();
    }
    Value acc = linalg::Conv2DNchwFchwQOp::create(
                    b, loc, TypeRange{accType},
                    ValueRange{padded, adaptor.getWeight(),
                               i32Const(b, loc, inQ.getZeroPoint()),
                               i32Const(b, loc, 0)},
                    ValueRange{init}, b.getI64TensorAttr(op.getStrides()),
                    b.getI64TensorAttr(op.getDilations()))
                    .getResult(0);
    replaceByRequantized(rewriter, op, acc);
    return success();
  }

  /// A depthwise conv's sums, from `init`: acc[n, c, oh, ow] +=
  /// (x[n, c, oh*sh + y*dh, ow*sw + x*dw] - zp) * w[c, 0, y, x] over the
  /// taps (y, x) of the zero-point-padded input, in i32 (linalg has no
  /// NCHW depthwise op with zero points).
  static Value depthwiseSums(OpBuilder &b, Location loc, ConvOp op,
                             Value padded, Value weight, Value init,
                             int64_t zp) {
    MLIRContext *ctx = b.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    AffineExpr n = d(0), c = d(1), oh = d(2), ow = d(3), y = d(4), x = d(5);
    SmallVector<AffineMap> maps{
        AffineMap::get(6, 0,
                       {n, c, oh * strides[0] + y * dilations[0],
                        ow * strides[1] + x * dilations[1]},
                       ctx),
        AffineMap::get(6, 0, {c, getAffineConstantExpr(0, ctx), y, x}, ctx),
        AffineMap::get(6, 0, {n, c, oh, ow}, ctx)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(2, utils::IteratorType::reduction);
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{padded, weight},
               ValueRange{init}, maps, iterators,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 yieldZeroPointProduct(nb, nl, args, zp);
               })
        .getResult(0);
  }
};

/// qnt.gemm / 2-D qnt.matmul on int8:
/// C[m, n] = bias[n] + sum_k (A[m, k] - zp_a) * B(k, n), then requantization.
template <typename OpTy>
struct MatmulLikeLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isInt4Layer(op))
      return rewriter.notifyMatchFailure(op, "an int4 layer");
    if (isActivationProduct(op))
      return rewriter.notifyMatchFailure(op, "a product of activations");
    if (failed(checkLowerable(op, rewriter)))
      return failure();
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    LinearLayer layer = *getQuantizableLayer(op);
    ValueRange operands = adaptor.getOperands();
    Value bias = layer.biasIndex ? operands[*layer.biasIndex] : Value();
    auto accType = cast<RankedTensorType>(op.getType()).clone(b.getI32Type());
    Value init = accumulatorInit(b, loc, accType, bias, 1);
    MLIRContext *ctx = b.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    // The weight is [K, N], or [N, K] when its output axis is 0 (trans_b).
    bool transB = layer.outAxis == 0;
    SmallVector<AffineMap> maps{AffineMap::get(3, 0, {m, k}, ctx),
                                AffineMap::get(3, 0,
                                               transB
                                                   ? ArrayRef<AffineExpr>{n, k}
                                                   : ArrayRef<AffineExpr>{k, n},
                                               ctx),
                                AffineMap::get(3, 0, {m, n}, ctx)};
    SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel,
                                               utils::IteratorType::parallel,
                                               utils::IteratorType::reduction};
    int64_t zpA = cast<quant::UniformQuantizedType>(
                      getQuantizedElementType(op->getOperand(0).getType()))
                      .getZeroPoint();
    Value acc = linalg::GenericOp::create(
                    b, loc, TypeRange{accType},
                    ValueRange{operands[0], operands[layer.weightIndex]},
                    ValueRange{init}, maps, iterators,
                    [&](OpBuilder &nb, Location nl, ValueRange args) {
                      yieldZeroPointProduct(nb, nl, args, zpA);
                    })
                    .getResult(0);
    replaceByRequantized(rewriter, op, acc);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// int4 layers
//===----------------------------------------------------------------------===//

/// The loop nest of an int4 layer's group sums: indexing maps of the
/// input, the packed weights and the [.., groups] accumulator, and which
/// loop dims are the outer (result) dims and the output channel.
struct Int4Loops {
  SmallVector<AffineMap> maps;
  SmallVector<utils::IteratorType> iterators;
  unsigned outerDims = 0, channelDim = 1;
};

Int4Loops int4Loops(ConvOp conv, int64_t groupSize, MLIRContext *ctx) {
  AffineExpr d[8];
  for (unsigned i = 0; i < 8; ++i)
    d[i] = getAffineDimExpr(i, ctx);
  int64_t G = groupSize;
  auto par = utils::IteratorType::parallel;
  auto red = utils::IteratorType::reduction;
  Int4Loops l;
  if (conv) {
    ArrayRef<int64_t> st = conv.getStrides(), dil = conv.getDilations();
    // (n, oc, oh, ow, g, j, kh, kw)
    l.maps.push_back(
        AffineMap::get(8, 0,
                       {d[0], d[4] * G + d[5], d[2] * st[0] + d[6] * dil[0],
                        d[3] * st[1] + d[7] * dil[1]},
                       ctx));
    l.maps.push_back(
        AffineMap::get(8, 0, {d[1].floorDiv(2), d[4], d[5], d[6], d[7]}, ctx));
    l.maps.push_back(AffineMap::get(8, 0, {d[0], d[1], d[2], d[3], d[4]}, ctx));
    l.iterators = {par, par, par, par, par, red, red, red};
    l.outerDims = 4;
  } else {
    // (m, n, g, j); the packed layout is [n][k] whatever the weight's.
    l.maps.push_back(AffineMap::get(4, 0, {d[0], d[2] * G + d[3]}, ctx));
    l.maps.push_back(AffineMap::get(4, 0, {d[1].floorDiv(2), d[2], d[3]}, ctx));
    l.maps.push_back(AffineMap::get(4, 0, {d[0], d[1], d[2]}, ctx));
    l.iterators = {par, par, par, red};
    l.outerDims = 2;
  }
  return l;
}

/// The i32 sums over each group of (x - zp) * w, one per output element
/// and group: the weights stay packed two per byte (output channels 2o and
/// 2o+1 in the low and high nibble) and are unpacked in the loop body.
Value buildInt4GroupSums(OpBuilder &b, Location loc, Value input,
                         Value packedWeights, const Int4Loops &loops,
                         RankedTensorType accType, int64_t zp) {
  Value accInit = buildZeros(b, loc, accType);
  unsigned channelDim = loops.channelDim;
  return linalg::GenericOp::create(
             b, loc, TypeRange{accType}, ValueRange{input, packedWeights},
             ValueRange{accInit}, loops.maps, loops.iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Type i8 = nb.getI8Type(), i32 = nb.getI32Type();
               Value x = arith::ExtSIOp::create(nb, nl, i32, args[0]);
               x = arith::SubIOp::create(nb, nl, x, i32Const(nb, nl, zp));
               // Odd channels: the high nibble (shift left 0), even ones
               // the low (shift left 4); an arithmetic shift right
               // sign-extends.
               Value channel = linalg::IndexOp::create(nb, nl, channelDim);
               Value odd = arith::AndIOp::create(
                   nb, nl, arith::IndexCastOp::create(nb, nl, i8, channel),
                   arith::ConstantIntOp::create(nb, nl, i8, 1));
               Value left = arith::ShLIOp::create(
                   nb, nl,
                   arith::XOrIOp::create(
                       nb, nl, odd,
                       arith::ConstantIntOp::create(nb, nl, i8, 1)),
                   arith::ConstantIntOp::create(nb, nl, i8, 2));
               Value four = arith::ConstantIntOp::create(nb, nl, i8, 4);
               Value nibble = arith::ShRSIOp::create(
                   nb, nl, arith::ShLIOp::create(nb, nl, args[1], left), four);
               Value wv = arith::ExtSIOp::create(nb, nl, i32, nibble);
               Value sum = arith::AddIOp::create(
                   nb, nl, args[2], arith::MulIOp::create(nb, nl, x, wv));
               linalg::YieldOp::create(nb, nl, sum);
             })
      .getResult(0);
}

/// An int4 layer (docs/Numerics.md, "int4 weights"): per output element
/// and group g, the i32 sum over the group of (x - zp) * w, then in f32
///   y = bias + (((0 + f32(sum_0) * c_0) + f32(sum_1) * c_1) + ...)
/// with c_g = f32(s_x * s_w[o][g]), groups in ascending order.
struct Int4LayerLowering
    : OpInterfaceConversionPattern<LinearLayerOpInterface> {
  using OpInterfaceConversionPattern::OpInterfaceConversionPattern;
  LogicalResult
  matchAndRewrite(LinearLayerOpInterface layerOp, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    Operation *op = layerOp;
    if (!isInt4Layer(op))
      return rewriter.notifyMatchFailure(op, "not an int4 layer");
    if (failed(checkLowerable(op, rewriter)))
      return failure();
    OpBuilder &b = rewriter;
    Location loc = op->getLoc();
    LinearLayer layer = *getQuantizableLayer(op);
    auto conv = dyn_cast<ConvOp>(op);
    auto inQ = cast<quant::UniformQuantizedType>(
        getQuantizedElementType(op->getOperand(0).getType()));
    auto weightType =
        cast<RankedTensorType>(op->getOperand(layer.weightIndex).getType());
    GroupedI4Weight w = *getGroupedI4Weight(weightType);
    SmallVector<int64_t> values =
        *getConstantIntValues(operands[layer.weightIndex]);
    ArrayRef<int64_t> wShape = weightType.getShape();
    int64_t pairs = (w.outChannels + 1) / 2;
    SmallVector<int8_t> packed = packGroupedI4Weight(weightType, w, values);
    SmallVector<int64_t> packedShape{pairs, w.groups, w.groupSize};
    if (conv)
      packedShape.append({wShape[2], wShape[3]});
    Value packedWeights = ConstantOp::create(
        b, loc,
        makeI8Elements(RankedTensorType::get(packedShape, b.getI8Type()),
                       packed, derivedBlobName(op, ".w4", "layer")));
    // c[o][g] = f32(s_x * s_w[o][g]).
    SmallVector<float> combined;
    for (double s : w.scales)
      combined.push_back(static_cast<float>(inQ.getScale() * s));
    Value scales = ConstantOp::create(
        b, loc,
        makeF32Elements(
            RankedTensorType::get({w.outChannels, w.groups}, b.getF32Type()),
            combined, derivedBlobName(op, ".w4scales", "layer")));

    Value input = operands[0];
    int64_t zp = inQ.getZeroPoint();
    if (conv) {
      ArrayRef<int64_t> pads = conv.getPads();
      SmallVector<int64_t> begin{0, 0, pads[0], pads[1]};
      SmallVector<int64_t> end{0, 0, pads[2], pads[3]};
      input = padOrCrop(b, loc, input, begin, end,
                        b.getIntegerAttr(b.getI8Type(), zp));
    }
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    Int4Loops loops = int4Loops(conv, w.groupSize, b.getContext());
    SmallVector<int64_t> accShape(outType.getShape());
    accShape.push_back(w.groups);
    Value acc =
        buildInt4GroupSums(b, loc, input, packedWeights, loops,
                           RankedTensorType::get(accShape, b.getI32Type()), zp);
    Value result = combineInt4Groups(b, loc, acc, scales, outType, loops);
    if (layer.biasIndex)
      result =
          addChannelBias(b, loc, result, operands[*layer.biasIndex], loops);
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  /// The groups in order, in f32: sum_g f32(acc[.., g]) * scales[o][g].
  static Value combineInt4Groups(OpBuilder &b, Location loc, Value acc,
                                 Value scales, RankedTensorType outType,
                                 const Int4Loops &loops) {
    MLIRContext *ctx = b.getContext();
    unsigned outerDims = loops.outerDims, rank = outerDims + 1;
    SmallVector<AffineExpr> outer,
        scaleIndex{getAffineDimExpr(loops.channelDim, ctx),
                   getAffineDimExpr(outerDims, ctx)};
    for (unsigned i = 0; i < outerDims; ++i)
      outer.push_back(getAffineDimExpr(i, ctx));
    SmallVector<utils::IteratorType> iterators(outerDims,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value zeros = buildZeros(b, loc, outType);
    return linalg::GenericOp::create(
               b, loc, TypeRange{outType}, ValueRange{acc, scales},
               ValueRange{zeros},
               SmallVector<AffineMap>{
                   AffineMap::getMultiDimIdentityMap(rank, ctx),
                   AffineMap::get(rank, 0, scaleIndex, ctx),
                   AffineMap::get(rank, 0, outer, ctx)},
               iterators,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 Value f =
                     arith::SIToFPOp::create(nb, nl, nb.getF32Type(), args[0]);
                 Value sum = arith::AddFOp::create(
                     nb, nl, args[2],
                     arith::MulFOp::create(nb, nl, f, args[1]));
                 linalg::YieldOp::create(nb, nl, sum);
               })
        .getResult(0);
  }

  /// `result` plus the f32 `bias` of its output channel.
  static Value addChannelBias(OpBuilder &b, Location loc, Value result,
                              Value bias, const Int4Loops &loops) {
    MLIRContext *ctx = b.getContext();
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(loops.outerDims, ctx);
    AffineMap channel = AffineMap::get(loops.outerDims, 0,
                                       getAffineDimExpr(loops.channelDim, ctx));
    return buildParallelGeneric(
        b, loc, cast<RankedTensorType>(result.getType()),
        ValueRange{result, bias}, {identity, channel},
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::AddFOp::create(nb, nl, args[0], args[1]);
        });
  }
};

//===----------------------------------------------------------------------===//
// Dynamic activations
//===----------------------------------------------------------------------===//

/// A tensor quantized to int8 at run time: the values and, per slot, the
/// f32 scale and i32 zero point.
struct RunTimeQuantized {
  Value q, scale, zp;
};

/// Quantizes the f32 `x` ([B, R, C]) as qnt.dynamic_linear's input:
/// scales constant along `kAxis` (1 or 2), so per token the slots are
/// [B, size of the other axis], per tensor [1]. Steps: the range (max |x|,
/// or min and max from 0: the inits are 0, NaN skipped), the scale
/// (width / 127 or 255, 0 -> 1), the zero point, then
/// q = clamp(round_half_even(x / s) + zp) with NaN -> zp.
RunTimeQuantized quantizeAtRunTime(OpBuilder &b, Location loc, Value x,
                                   unsigned kAxis, bool perToken, bool absmax) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i32 = b.getI32Type(), i8 = b.getI8Type();
  auto xType = cast<RankedTensorType>(x.getType());
  unsigned other = kAxis == 1 ? 2 : 1;
  SmallVector<int64_t> slotShape =
      perToken
          ? SmallVector<int64_t>{xType.getDimSize(0), xType.getDimSize(other)}
          : SmallVector<int64_t>{1};
  auto slots = [&](Type element) {
    return RankedTensorType::get(slotShape, element);
  };
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
  AffineMap slot3 =
      perToken
          ? AffineMap::get(
                3, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(other, ctx)},
                ctx)
          : AffineMap::get(3, 0, getAffineConstantExpr(0, ctx));
  SmallVector<utils::IteratorType> iters(3, utils::IteratorType::reduction);
  if (perToken) {
    iters[0] = utils::IteratorType::parallel;
    iters[other] = utils::IteratorType::parallel;
  }
  auto reduce = [&](bool isMax, bool ofAbs) {
    return linalg::GenericOp::create(
               b, loc, TypeRange{slots(f32)}, ValueRange{x},
               ValueRange{buildZeros(b, loc, slots(f32))},
               SmallVector<AffineMap>{id3, slot3}, iters,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 Value v = args[0];
                 if (ofAbs)
                   v = math::AbsFOp::create(nb, nl, v);
                 Value r =
                     isMax
                         ? Value(arith::MaxNumFOp::create(nb, nl, args[1], v))
                         : Value(arith::MinNumFOp::create(nb, nl, args[1], v));
                 linalg::YieldOp::create(nb, nl, r);
               })
        .getResult(0);
  };
  Value hi = reduce(/*isMax=*/true, /*ofAbs=*/absmax);
  Value lo = absmax ? Value() : reduce(/*isMax=*/false, /*ofAbs=*/false);

  AffineMap idS = AffineMap::getMultiDimIdentityMap(slotShape.size(), ctx);
  SmallVector<Value> rangeInputs{hi};
  if (lo)
    rangeInputs.push_back(lo);
  RunTimeQuantized r;
  r.scale = buildParallelGeneric(
      b, loc, slots(f32), rangeInputs,
      SmallVector<AffineMap>(rangeInputs.size(), idS),
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value width =
            absmax ? args[0]
                   : Value(arith::SubFOp::create(nb, nl, args[0], args[1]));
        Value sc = arith::DivFOp::create(
            nb, nl, width, floatConst(nb, nl, f32, absmax ? 127.0 : 255.0));
        Value zero = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                           sc, floatConst(nb, nl, f32, 0.0));
        return arith::SelectOp::create(nb, nl, zero,
                                       floatConst(nb, nl, f32, 1.0), sc);
      });
  if (absmax) {
    r.zp = buildZeros(b, loc, slots(i32));
  } else {
    r.zp = buildParallelGeneric(
        b, loc, slots(i32), ValueRange{lo, r.scale}, {idS, idS},
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          // clamp(round_half_even(-128 - min / scale), -128, 127)
          Value ratio = arith::DivFOp::create(nb, nl, args[0], args[1]);
          Value z = arith::SubFOp::create(
              nb, nl, floatConst(nb, nl, f32, -128.0), ratio);
          z = math::RoundEvenOp::create(nb, nl, z);
          z = arith::MaximumFOp::create(nb, nl, z,
                                        floatConst(nb, nl, f32, -128.0));
          z = arith::MinimumFOp::create(nb, nl, z,
                                        floatConst(nb, nl, f32, 127.0));
          return arith::FPToSIOp::create(nb, nl, i32, z);
        });
  }
  int64_t qmin = absmax ? -127 : -128, qmax = 127;
  r.q = buildParallelGeneric(
      b, loc, withShape(xType, xType.getShape()).clone(i8),
      ValueRange{x, r.scale, r.zp}, {id3, slot3, slot3},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value d = arith::DivFOp::create(nb, nl, args[0], args[1]);
        Value v = math::RoundEvenOp::create(nb, nl, d);
        Value z = arith::SIToFPOp::create(nb, nl, f32, args[2]);
        v = arith::AddFOp::create(nb, nl, v, z);
        v = arith::MaximumFOp::create(nb, nl, v, floatConst(nb, nl, f32, qmin));
        v = arith::MinimumFOp::create(nb, nl, v, floatConst(nb, nl, f32, qmax));
        Value nan = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UNO,
                                          args[0], args[0]);
        v = arith::SelectOp::create(nb, nl, nan, z, v);
        return arith::FPToSIOp::create(nb, nl, i8, v);
      });
  return r;
}

/// Whether `scaling` is per token, and whether it is absmax.
std::pair<bool, bool> scalingKind(DynamicScaling scaling) {
  bool perToken = scaling == DynamicScaling::per_token_absmax ||
                  scaling == DynamicScaling::per_token_minmax;
  bool absmax = scaling == DynamicScaling::per_tensor_absmax ||
                scaling == DynamicScaling::per_token_absmax;
  return {perToken, absmax};
}

/// A map of `dims` loops to a slot tensor: (slot dims...), or (0) per
/// tensor.
AffineMap slotMap(MLIRContext *ctx, unsigned dims, bool perToken,
                  ArrayRef<unsigned> slotDims) {
  if (!perToken)
    return AffineMap::get(dims, 0, getAffineConstantExpr(0, ctx));
  SmallVector<AffineExpr> exprs;
  for (unsigned d : slotDims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(dims, 0, exprs, ctx);
}

/// qnt.dynamic_linear (docs/Numerics.md, "Dynamic activations"): the input
/// as [1, T, K] tokens quantized at run time, the i32 sums of
/// (q - zp) * w, then f32(acc) * f32(s_x * s_w) + b.
struct DynamicLinearLowering : OpConversionPattern<DynamicLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DynamicLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type(), i32 = b.getI32Type();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t k = inType.getShape().back(), n = outType.getShape().back();
    int64_t tokens = inType.getNumElements() / std::max<int64_t>(k, 1);
    // Plain bools, not structured bindings: the lambdas below capture them.
    std::pair<bool, bool> kind = scalingKind(op.getScaling());
    bool perToken = kind.first, absmax = kind.second;

    Value x = reshapeTo(b, loc, adaptor.getInput(),
                        RankedTensorType::get({1, tokens, k}, f32));
    RunTimeQuantized in =
        quantizeAtRunTime(b, loc, x, /*kAxis=*/2, perToken, absmax);

    // acc[t, n] = sum_k (q[t, k] - zp[t]) * w[n, k] in i32.
    AffineMap zpMap = perToken ? AffineMap::get(3, 0,
                                                {getAffineConstantExpr(0, ctx),
                                                 getAffineDimExpr(0, ctx)},
                                                ctx)
                               : slotMap(ctx, 3, false, {});
    AffineMap nk = AffineMap::get(
        3, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
    AffineMap tn = AffineMap::get(
        3, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
    auto accType = RankedTensorType::get({tokens, n}, i32);
    // [T, K] int8 (a plain matrix for the CPU tiling); absmax has no zero
    // point to subtract, so its sums are a plain int8 product.
    Value q2 = reshapeTo(b, loc, in.q,
                         RankedTensorType::get({tokens, k}, b.getI8Type()));
    AffineMap tk = AffineMap::get(
        3, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(2, ctx)}, ctx);
    SmallVector<Value> accInputs{q2, adaptor.getWeight()};
    SmallVector<AffineMap> accMaps{tk, nk};
    if (!absmax) {
      accInputs.push_back(in.zp);
      accMaps.push_back(zpMap);
    }
    accMaps.push_back(tn);
    Value acc =
        linalg::GenericOp::create(
            b, loc, TypeRange{accType}, accInputs,
            ValueRange{buildZeros(b, loc, accType)}, accMaps,
            SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel,
                                             utils::IteratorType::reduction},
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value qv = arith::ExtSIOp::create(nb, nl, i32, args[0]);
              if (!absmax)
                qv = arith::SubIOp::create(nb, nl, qv, args[2]);
              Value wv = arith::ExtSIOp::create(nb, nl, i32, args[1]);
              Value sum = arith::AddIOp::create(
                  nb, nl, args.back(), arith::MulIOp::create(nb, nl, qv, wv));
              linalg::YieldOp::create(nb, nl, sum);
            })
            .getResult(0);

    // y = f32(acc) * f32(s_x * s_w[n]) + b[n].
    SmallVector<double> wScales =
        *getSymmetricI8WeightScales(op.getWeight().getType());
    SmallVector<float> wf;
    for (int64_t c = 0; c < n; ++c)
      wf.push_back(static_cast<float>(wScales[wScales.size() == 1 ? 0 : c]));
    Value wScale = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({n}, f32),
                               ArrayRef<float>(wf)));
    AffineMap tn2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap t2 = perToken ? AffineMap::get(2, 0,
                                             {getAffineConstantExpr(0, ctx),
                                              getAffineDimExpr(0, ctx)},
                                             ctx)
                            : slotMap(ctx, 2, false, {});
    AffineMap n2 = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
    SmallVector<Value> outInputs{acc, in.scale, wScale};
    SmallVector<AffineMap> outMaps{tn2, t2, n2};
    bool hasBias = bool(adaptor.getBias());
    if (hasBias) {
      outInputs.push_back(adaptor.getBias());
      outMaps.push_back(n2);
    }
    Value y = buildParallelGeneric(
        b, loc, RankedTensorType::get({tokens, n}, f32), outInputs, outMaps,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value a = arith::SIToFPOp::create(nb, nl, f32, args[0]);
          Value c = arith::MulFOp::create(nb, nl, args[1], args[2]);
          Value v = arith::MulFOp::create(nb, nl, a, c);
          if (hasBias)
            v = arith::AddFOp::create(nb, nl, v, args[3]);
          return v;
        });
    rewriter.replaceOp(op, reshapeTo(b, loc, y, outType));
    return success();
  }
};

/// qnt.dynamic_matmul: lhs as [B, M, K] (scales per row), rhs as
/// [B, K, N] (scales per column), the i32 sums of
/// (qa - za[m]) * (qb - zb[n]), then f32(acc) * f32(sa[m] * sb[n]).
/// An rhs that is a qnt.transpose of its last two dims (attention's Kᵀ) is
/// read untransposed, as [B, N, K] with scales per row: the same groups
/// and values, without materializing the transpose (a strided copy of
/// the key cache every step).
struct DynamicMatMulLowering : OpConversionPattern<DynamicMatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DynamicMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type(), i32 = b.getI32Type();
    auto aType = cast<RankedTensorType>(op.getLhs().getType());
    auto bType = cast<RankedTensorType>(op.getRhs().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t rank = aType.getRank();
    int64_t m = aType.getDimSize(rank - 2), k = aType.getDimSize(rank - 1),
            n = bType.getDimSize(rank - 1);
    int64_t batch = aType.getNumElements() / std::max<int64_t>(m * k, 1);
    // Plain bools, not structured bindings: the lambdas below capture them.
    std::pair<bool, bool> kind = scalingKind(op.getScaling());
    bool perToken = kind.first, absmax = kind.second;

    Value a = reshapeTo(b, loc, adaptor.getLhs(),
                        RankedTensorType::get({batch, m, k}, f32));
    auto transpose = op.getRhs().getDefiningOp<TransposeOp>();
    bool nk = transpose && transpose.swapsLastTwoDims();
    Value bb =
        nk ? reshapeTo(b, loc, rewriter.getRemappedValue(transpose.getInput()),
                       RankedTensorType::get({batch, n, k}, f32))
           : reshapeTo(b, loc, adaptor.getRhs(),
                       RankedTensorType::get({batch, k, n}, f32));
    RunTimeQuantized qa =
        quantizeAtRunTime(b, loc, a, /*kAxis=*/2, perToken, absmax);
    RunTimeQuantized qb =
        quantizeAtRunTime(b, loc, bb, /*kAxis=*/nk ? 2 : 1, perToken, absmax);

    // Loops (b, m, n, k).
    auto map = [&](ArrayRef<unsigned> dims) {
      SmallVector<AffineExpr> exprs;
      for (unsigned d : dims)
        exprs.push_back(getAffineDimExpr(d, ctx));
      return AffineMap::get(4, 0, exprs, ctx);
    };
    auto accType = RankedTensorType::get({batch, m, n}, i32);
    Value acc =
        linalg::GenericOp::create(
            b, loc, TypeRange{accType}, ValueRange{qa.q, qa.zp, qb.q, qb.zp},
            ValueRange{buildZeros(b, loc, accType)},
            SmallVector<AffineMap>{
                map({0, 1, 3}), slotMap(ctx, 4, perToken, {0, 1}),
                nk ? map({0, 2, 3}) : map({0, 3, 2}),
                slotMap(ctx, 4, perToken, {0, 2}), map({0, 1, 2})},
            SmallVector<utils::IteratorType>{
                utils::IteratorType::parallel, utils::IteratorType::parallel,
                utils::IteratorType::parallel, utils::IteratorType::reduction},
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value x = arith::SubIOp::create(
                  nb, nl, arith::ExtSIOp::create(nb, nl, i32, args[0]),
                  args[1]);
              Value y = arith::SubIOp::create(
                  nb, nl, arith::ExtSIOp::create(nb, nl, i32, args[2]),
                  args[3]);
              Value sum = arith::AddIOp::create(
                  nb, nl, args[4], arith::MulIOp::create(nb, nl, x, y));
              linalg::YieldOp::create(nb, nl, sum);
            })
            .getResult(0);
    AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
    auto map3 = [&](ArrayRef<unsigned> dims) {
      if (!perToken)
        return AffineMap::get(3, 0, getAffineConstantExpr(0, ctx));
      SmallVector<AffineExpr> exprs;
      for (unsigned d : dims)
        exprs.push_back(getAffineDimExpr(d, ctx));
      return AffineMap::get(3, 0, exprs, ctx);
    };
    Value y = buildParallelGeneric(
        b, loc, RankedTensorType::get({batch, m, n}, f32),
        ValueRange{acc, qa.scale, qb.scale}, {id3, map3({0, 1}), map3({0, 2})},
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Value v = arith::SIToFPOp::create(nb, nl, f32, args[0]);
          Value c = arith::MulFOp::create(nb, nl, args[1], args[2]);
          return arith::MulFOp::create(nb, nl, v, c);
        });
    rewriter.replaceOp(op, reshapeTo(b, loc, y, outType));
    return success();
  }
};

/// A static int8 product of two activations: lhs as [B, M, K], rhs as
/// [B, K, N], the i32 sums of (qa - za) * (qb - zb), requantized by the
/// per-tensor multiplier sa * sb / so (the same fixed-point step as a
/// layer's).
struct ActivationMatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isActivationProduct(op))
      return rewriter.notifyMatchFailure(op, "not a product of activations");
    if (failed(checkLowerable(op, rewriter)))
      return failure();
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto lhsQ = getPerTensorI8Type(op.getLhs().getType());
    auto rhsQ = getPerTensorI8Type(op.getRhs().getType());
    auto aType = op.getLhs().getType(), bType = op.getRhs().getType();
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t rank = aType.getRank();
    int64_t m = aType.getDimSize(rank - 2), k = aType.getDimSize(rank - 1),
            n = bType.getDimSize(rank - 1);
    int64_t batch = aType.getNumElements() / std::max<int64_t>(m * k, 1);
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    Value lhs = reshapeTo(b, loc, adaptor.getLhs(),
                          RankedTensorType::get({batch, m, k}, i8));
    Value rhs = reshapeTo(b, loc, adaptor.getRhs(),
                          RankedTensorType::get({batch, k, n}, i8));
    // Loops (b, m, n, k).
    auto map = [&](ArrayRef<unsigned> dims) {
      SmallVector<AffineExpr> exprs;
      for (unsigned d : dims)
        exprs.push_back(getAffineDimExpr(d, ctx));
      return AffineMap::get(4, 0, exprs, ctx);
    };
    int64_t zpA = lhsQ.getZeroPoint(), zpB = rhsQ.getZeroPoint();
    auto accType = RankedTensorType::get({batch, m, n}, i32);
    Value acc =
        linalg::GenericOp::create(
            b, loc, TypeRange{accType}, ValueRange{lhs, rhs},
            ValueRange{buildZeros(b, loc, accType)},
            SmallVector<AffineMap>{map({0, 1, 3}), map({0, 3, 2}),
                                   map({0, 1, 2})},
            SmallVector<utils::IteratorType>{
                utils::IteratorType::parallel, utils::IteratorType::parallel,
                utils::IteratorType::parallel, utils::IteratorType::reduction},
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value x = arith::SubIOp::create(
                  nb, nl, arith::ExtSIOp::create(nb, nl, i32, args[0]),
                  i32Const(nb, nl, zpA));
              Value y = arith::SubIOp::create(
                  nb, nl, arith::ExtSIOp::create(nb, nl, i32, args[1]),
                  i32Const(nb, nl, zpB));
              Value sum = arith::AddIOp::create(
                  nb, nl, args[2], arith::MulIOp::create(nb, nl, x, y));
              linalg::YieldOp::create(nb, nl, sum);
            })
            .getResult(0);
    auto flatOut =
        RankedTensorType::get({batch, m, n}, outType.getElementType());
    Value result = requantize(b, loc, acc, /*channelDim=*/2, lhsQ.getScale(),
                              {rhsQ.getScale()}, flatOut);
    rewriter.replaceOp(
        op, reshapeTo(b, loc, result, getStorageTensorType(outType)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Ops that keep the grid
//===----------------------------------------------------------------------===//

/// qnt.max_pool on int8: linalg.pooling_nchw_max padded with the storage
/// minimum (padding never wins).
struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkLowerable(op, rewriter)))
      return failure();
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    auto q = cast<quant::UniformQuantizedType>(
        getQuantizedElementType(op.getInput().getType()));
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    auto outType = cast<RankedTensorType>(op.getType());
    RankedTensorType storage = getStorageTensorType(outType);
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      dilations = op.getDilations(), pads = op.getPads();
    SmallVector<int64_t> begin{0, 0, pads[0], pads[1]};
    SmallVector<int64_t> end{0, 0, pads[2], pads[3]};
    // ceil_mode windows past the end are padded too.
    for (int i = 0; i < 2; ++i) {
      int64_t needed = (outType.getDimSize(2 + i) - 1) * strides[i] +
                       (kernel[i] - 1) * dilations[i] + 1;
      int64_t have = inType.getDimSize(2 + i) + pads[i] + pads[2 + i];
      end[2 + i] += std::max<int64_t>(0, needed - have);
    }
    auto lowest = b.getIntegerAttr(b.getI8Type(), q.getStorageTypeMin());
    Value padded = padOrCrop(b, loc, input, begin, end, lowest);
    Value window = tensor::EmptyOp::create(b, loc, kernel, b.getI8Type());
    Value init = buildFilled(b, loc, storage, lowest);
    Value result =
        linalg::PoolingNchwMaxOp::create(
            b, loc, TypeRange{storage}, ValueRange{padded, window}, init,
            b.getI64TensorAttr(strides), b.getI64TensorAttr(dilations))
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Other grid-preserving ops (reshape, transpose, slice) and a concat of
/// operands on one grid: the same qnt op on the storage type, for
/// convert-qnt-to-linalg.
struct GridPreservingLowering : ConversionPattern {
  GridPreservingLowering(const TypeConverter &converter, MLIRContext *ctx)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!(op->hasTrait<PreservesGrid>() || isa<ConcatOp>(op)) ||
        isa<MaxPoolOp>(op))
      return rewriter.notifyMatchFailure(op, "not a data-movement op");
    if (failed(checkLowerable(op, rewriter)))
      return failure();
    SmallVector<Type> resultTypes;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(),
                                                resultTypes)))
      return failure();
    OperationState state(op->getLoc(), op->getName(), operands, resultTypes,
                         op->getAttrs());
    Operation *storage = rewriter.create(state);
    // Ranges describe the quantized value, not its storage.
    for (NamedAttribute attr : llvm::to_vector(storage->getDiscardableAttrs()))
      if (attr.getName().getValue().starts_with("qnt."))
        storage->removeDiscardableAttr(attr.getName());
    rewriter.replaceOp(op, storage->getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvertQuantizedQntToLinalgPass
    : qnt::impl::ConvertQuantizedQntToLinalgBase<
          ConvertQuantizedQntToLinalgPass> {
  void runOnOperation() override {
    Operation *root = getOperation();
    // Every op that cannot be lowered is reported, before anything is
    // rewritten.
    bool ok = true;
    root->walk([&](Operation *op) {
      if (std::optional<std::string> why = whyNotLowerable(op)) {
        op->emitError(*why);
        ok = false;
      }
    });
    if (!ok)
      return signalPassFailure();

    MLIRContext *ctx = &getContext();
    StorageTypeConverter converter;
    RewritePatternSet patterns(ctx);
    populateQuantizedQntToLinalgPatterns(converter, patterns);
    ConversionTarget target(*ctx);
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });
    // Float in and out, integer inside.
    target.addIllegalOp<DynamicLinearOp, DynamicMatMulOp>();
    if (failed(applyPartialConversion(root, target, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

void qnt::populateQuantizedQntToLinalgPatterns(const TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<QuantizeCastLowering, DequantizeCastLowering,
               StorageCastLowering, ConvLowering, MatmulLikeLowering<GemmOp>,
               MatmulLikeLowering<MatMulOp>, MaxPoolLowering,
               GridPreservingLowering, DynamicLinearLowering,
               DynamicMatMulLowering, ActivationMatMulLowering>(converter, ctx);
  patterns.add<Int4LayerLowering>(converter, ctx, /*benefit=*/2);
  populateQuantizedElementwisePatterns(converter, patterns);
}
