//===- QuantizedLowering.cpp - Quantized qnt ops to integer linalg --------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// convert-quantized-qnt-to-linalg: the reference int8 lowering. Quantized
// values are handled on their storage type (i8, i32); quant.scast marks
// each crossing and inverse pairs are removed at the end. The arithmetic is
// docs/Numerics.md's "Integer semantics" (quant/Quantization/QuantMath.h).
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
#include "llvm/ADT/TypeSwitch.h"

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

/// The input of the quant.scast that makes `value`, else `value`.
Value castToStorageIfCast(Value value) {
  if (auto cast = value.getDefiningOp<quant::StorageCastOp>())
    return cast.getInput();
  return value;
}

/// conv/gemm/matmul with a group-wise int4 weight (qnt-quantize's int4
/// form: int8 input, f32 bias and result).
bool isInt4Layer(Operation *op) {
  return isa<ConvOp, GemmOp, MatMulOp>(op) && op->getNumOperands() > 1 &&
         getGroupedI4Weight(op->getOperand(1).getType()).has_value();
}

/// Why a quantized op cannot be lowered, or success.
LogicalResult checkQuantizedLowerable(Operation *op) {
  bool quantized = llvm::any_of(
      llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()),
      [](Type t) { return bool(getQuantizedElementType(t)); });
  if (!quantized || isa<quant::StorageCastOp>(op))
    return success();
  auto fail = [&](const Twine &why) {
    return op->emitError("cannot lower quantized op: ") << why;
  };
  if (!isa<QntDialect, quant::QuantDialect>(op->getDialect()))
    return op->emitError("'")
           << op->getName()
           << "' takes or makes a quantized tensor; only qnt ops and quant "
              "casts have an int8 lowering (dequantize with quant.dcast "
              "first)";
  auto perTensorI8 = [](Type t) { return bool(getPerTensorI8Type(t)); };
  if (auto qcast = dyn_cast<quant::QuantizeCastOp>(op))
    return perTensorI8(qcast.getType()) ? success()
                                        : fail("qcast to a per-axis or "
                                               "non-i8 type");
  if (auto dcast = dyn_cast<quant::DequantizeCastOp>(op))
    return perTensorI8(dcast.getInput().getType())
               ? success()
               : fail("dcast from a per-axis or non-i8 type");
  if (isa<ReshapeOp, TransposeOp, SliceOp, MaxPoolOp>(op)) {
    if (!perTensorI8(op->getOperand(0).getType()))
      return fail("data movement on a per-axis type");
    if (auto pool = dyn_cast<MaxPoolOp>(op))
      if (pool.getInput().getType().getRank() != 4)
        return fail("only 2-D max_pool");
    return success();
  }
  if (auto conv = dyn_cast<ConvOp>(op)) {
    if (conv.getInput().getType().getRank() != 4 || conv.getGroup() != 1)
      return fail("only 2-D convolutions with group 1");
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
        gemm.getBeta().convertToDouble() != 1.0)
      return fail("gemm with trans_a or alpha/beta != 1");
  } else if (auto matmul = dyn_cast<MatMulOp>(op)) {
    if (matmul.getLhs().getType().getRank() != 2 ||
        matmul.getRhs().getType().getRank() != 2)
      return fail("only 2-D matmul");
  } else {
    return fail("no int8 lowering for this op");
  }
  if (isInt4Layer(op)) {
    if (!perTensorI8(op->getOperand(0).getType()))
      return fail("an int4 layer's input must be per-tensor i8");
    if (!cast<RankedTensorType>(op->getResult(0).getType())
             .getElementType()
             .isF32())
      return fail("an int4 layer's result must be f32");
    if (!getConstantIntValues(castToStorageIfCast(op->getOperand(1))))
      return fail("the int4 weight must be a constant");
    if (op->getNumOperands() > 2) {
      auto bias = cast<RankedTensorType>(op->getOperand(2).getType());
      if (!bias.getElementType().isF32() || bias.getRank() != 1)
        return fail("an int4 layer's bias must be a 1-D f32 tensor");
    }
    return success();
  }
  // conv/gemm/matmul: i8 input and output, zero-point-0 i8 weights, i32 bias.
  if (!perTensorI8(op->getOperand(0).getType()) ||
      !perTensorI8(op->getResult(0).getType()))
    return fail("input and result must be per-tensor i8");
  auto weight = getQuantizedElementType(op->getOperand(1).getType());
  if (!weight || !weight.getStorageType().isInteger(8))
    return fail("the weight must be i8");
  if (auto axis = dyn_cast<quant::UniformQuantizedPerAxisType>(weight)) {
    if (llvm::any_of(axis.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return fail("weights need zero point 0");
  } else if (cast<quant::UniformQuantizedType>(weight).getZeroPoint() != 0) {
    return fail("weights need zero point 0");
  }
  if (op->getNumOperands() > 2) {
    auto bias = getQuantizedElementType(op->getOperand(2).getType());
    if (!bias || !bias.getStorageType().isInteger(32) ||
        cast<RankedTensorType>(op->getOperand(2).getType()).getRank() != 1)
      return fail("the bias must be a 1-D i32 tensor");
  }
  // Every channel's requantization scale must have a fixed-point form.
  double inScale =
      cast<quant::UniformQuantizedType>(getQuantizedElementType(op->getOperand(0).getType()))
          .getScale();
  double outScale =
      cast<quant::UniformQuantizedType>(getQuantizedElementType(op->getResult(0).getType()))
          .getScale();
  SmallVector<double> wScales = weightScales(op->getOperand(1).getType());
  int64_t channels = cast<RankedTensorType>(op->getResult(0).getType())
                         .getDimSize(1);
  int64_t bad = 0;
  if (!getRequantMultipliers(inScale, wScales, outScale, channels, bad))
    return op->emitError("cannot lower quantized op: requantization scale ")
           << inScale * wScales[wScales.size() == 1 ? 0 : bad] / outScale
           << " of channel " << bad
           << " is outside the fixed-point range [2^-32, 2^30]";
  return success();
}

/// The requantizing generic: i32 `acc` (channels on `channelDim`) to the
/// i8 grid of `outType`, with multiplier/shift per channel
/// (checkQuantizedLowerable made sure every channel has them).
Value requantize(OpBuilder &b, Location loc, Value acc, int64_t channelDim,
                 double inputScale, ArrayRef<double> wScales,
                 RankedTensorType outType) {
  auto out = cast<quant::UniformQuantizedType>(getQuantizedElementType(outType));
  auto accType = cast<RankedTensorType>(acc.getType());
  int64_t channels = accType.getDimSize(channelDim);
  int64_t bad = 0;
  std::optional<SmallVector<FixedPointMultiplier>> fixed =
      getRequantMultipliers(inputScale, wScales, out.getScale(), channels,
                            bad);
  assert(fixed && "checkQuantizedLowerable accepts only representable scales");
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
  AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(channelDim, ctx));
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

/// Replaces conv/gemm/matmul `op` by the requantization of its i32
/// accumulator `acc` (output channels on dim 1).
void replaceByRequantized(OpBuilder &b, Operation *op, Value acc,
                          double inputScale) {
  Location loc = op->getLoc();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  Value result =
      requantize(b, loc, acc, 1, inputScale,
                 weightScales(op->getOperand(1).getType()), outType);
  op->getResult(0).replaceAllUsesWith(
      quant::StorageCastOp::create(b, loc, outType, result).getResult());
  op->erase();
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
  return buildParallelGeneric(b, loc, type, ValueRange{bias}, {channel},
                              [](OpBuilder &, Location, ValueRange args) {
                                return args[0];
                              });
}

struct ConvertQuantizedQntToLinalgPass
    : qnt::impl::ConvertQuantizedQntToLinalgBase<
          ConvertQuantizedQntToLinalgPass> {
  void runOnOperation() override;
};

LogicalResult lowerQCast(quant::QuantizeCastOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto q = cast<quant::UniformQuantizedType>(getQuantizedElementType(op.getType()));
  RankedTensorType storage = getStorageTensorType(op.getType());
  // QuantMath's quantize: one f32 division by the f32 scale, round half to
  // even, add the zero point, saturate (ONNX Runtime's QuantizeLinear). The
  // f32 steps after the division are exact: the clamp bounds the sum.
  float scale = static_cast<float>(q.getScale());
  int64_t zp = q.getZeroPoint();
  int64_t qmin = q.getStorageTypeMin(), qmax = q.getStorageTypeMax();
  Value result = buildElementwise(
      b, loc, storage, ValueRange{op.getInput()},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        // The division is f32 whatever the expressed type (as ONNX
        // Runtime, which quantizes f16 inputs in float too).
        Type f32 = nb.getF32Type();
        Value x = args[0];
        if (x.getType().getIntOrFloatBitWidth() < 32)
          x = arith::ExtFOp::create(nb, nl, f32, x);
        else if (x.getType().getIntOrFloatBitWidth() > 32)
          x = arith::TruncFOp::create(nb, nl, f32, x);
        Value scaled = arith::DivFOp::create(nb, nl, x,
                                             floatConst(nb, nl, f32, scale));
        // Clamp before rounding (|quotient| may exceed 2^24, where adding
        // the zero point in f32 would round); the bounds are integers.
        scaled = arith::MaximumFOp::create(nb, nl, scaled,
                                           floatConst(nb, nl, f32, qmin - zp));
        scaled = arith::MinimumFOp::create(nb, nl, scaled,
                                           floatConst(nb, nl, f32, qmax - zp));
        Value r = math::RoundEvenOp::create(nb, nl, scaled);
        r = arith::AddFOp::create(nb, nl, r, floatConst(nb, nl, f32, zp));
        // NaN: the zero point (maximumf/minimumf propagate NaN).
        Value nan = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UNO,
                                          x, x);
        r = arith::SelectOp::create(nb, nl, nan,
                                    floatConst(nb, nl, f32, zp), r);
        return arith::FPToSIOp::create(nb, nl, storage.getElementType(), r);
      });
  op.replaceAllUsesWith(Value(quant::StorageCastOp::create(
      b, loc, op.getType(), result)));
  op.erase();
  return success();
}

LogicalResult lowerDCast(quant::DequantizeCastOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto q =
      cast<quant::UniformQuantizedType>(getQuantizedElementType(op.getInput().getType()));
  Value storage = castToStorage(b, loc, op.getInput());
  auto outType = cast<RankedTensorType>(op.getType());
  Type f32 = outType.getElementType();
  int64_t zp = q.getZeroPoint();
  float scale = static_cast<float>(q.getScale());
  Value result = buildElementwise(
      b, loc, outType, ValueRange{storage},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value v = arith::ExtSIOp::create(nb, nl, nb.getI32Type(), args[0]);
        v = arith::SubIOp::create(nb, nl, v, i32Const(nb, nl, zp));
        Value f = arith::SIToFPOp::create(nb, nl, f32, v);
        return arith::MulFOp::create(nb, nl, f, floatConst(nb, nl, f32, scale));
      });
  op.replaceAllUsesWith(result);
  op.erase();
  return success();
}

LogicalResult lowerConv(ConvOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto inQ = cast<quant::UniformQuantizedType>(
      getQuantizedElementType(op.getInput().getType()));
  Value input = castToStorage(b, loc, op.getInput());
  Value weight = castToStorage(b, loc, op.getWeight());
  Value bias = op.getBias() ? castToStorage(b, loc, op.getBias()) : Value();
  ArrayRef<int64_t> pads = op.getPads(); // [top, left, bottom, right]
  SmallVector<int64_t> begin{0, 0, pads[0], pads[1]};
  SmallVector<int64_t> end{0, 0, pads[2], pads[3]};
  // Padding holds real 0: the input's zero point.
  Value padded = padOrCrop(b, loc, input, begin, end,
                           b.getIntegerAttr(b.getI8Type(),
                                            inQ.getZeroPoint()));
  auto outType = cast<RankedTensorType>(op.getType());
  auto accType = outType.clone(b.getI32Type());
  Value init = accumulatorInit(b, loc, accType, bias, 1);
  Value acc =
      linalg::Conv2DNchwFchwQOp::create(
          b, loc, TypeRange{accType},
          ValueRange{padded, weight, i32Const(b, loc, inQ.getZeroPoint()),
                     i32Const(b, loc, 0)},
          ValueRange{init}, b.getI64TensorAttr(op.getStrides()),
          b.getI64TensorAttr(op.getDilations()))
          .getResult(0);
  replaceByRequantized(b, op, acc, inQ.getScale());
  return success();
}

/// gemm/matmul: C[m, n] = bias[n] + sum_k (A[m, k] - zp_a) * B(k, n).
LogicalResult lowerMatmulLike(Operation *op, bool transB) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto inQ = cast<quant::UniformQuantizedType>(
      getQuantizedElementType(op->getOperand(0).getType()));
  Value lhs = castToStorage(b, loc, op->getOperand(0));
  Value rhs = castToStorage(b, loc, op->getOperand(1));
  Value bias = op->getNumOperands() > 2 ? castToStorage(b, loc, op->getOperand(2))
                                        : Value();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  auto accType = outType.clone(b.getI32Type());
  Value init = accumulatorInit(b, loc, accType, bias, 1);
  MLIRContext *ctx = b.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> maps{
      AffineMap::get(3, 0, {m, k}, ctx),
      AffineMap::get(3, 0, transB ? ArrayRef<AffineExpr>{n, k}
                                  : ArrayRef<AffineExpr>{k, n},
                     ctx),
      AffineMap::get(3, 0, {m, n}, ctx)};
  SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel,
                                             utils::IteratorType::reduction};
  int64_t zpA = inQ.getZeroPoint();
  Value acc =
      linalg::GenericOp::create(
          b, loc, TypeRange{accType}, ValueRange{lhs, rhs}, ValueRange{init},
          maps, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Type i32 = nb.getI32Type();
            Value a = arith::ExtSIOp::create(nb, nl, i32, args[0]);
            a = arith::SubIOp::create(nb, nl, a, i32Const(nb, nl, zpA));
            Value w = arith::ExtSIOp::create(nb, nl, i32, args[1]);
            Value sum = arith::AddIOp::create(
                nb, nl, args[2], arith::MulIOp::create(nb, nl, a, w));
            linalg::YieldOp::create(nb, nl, sum);
          })
          .getResult(0);
  replaceByRequantized(b, op, acc, inQ.getScale());
  return success();
}

/// An int4 layer (docs/Numerics.md, "int4 weights"): per output element
/// and group g, the i32 sum over the group of (x - zp) * w, then in f32
///   y = bias + (((0 + f32(sum_0) * c_0) + f32(sum_1) * c_1) + ...)
/// with c_g = f32(s_x * s_w[o][g]), groups in ascending order. The weights
/// stay packed two per byte (output channels 2o and 2o+1 in the low and
/// high nibble of one byte) and are unpacked in the loop body.
LogicalResult lowerInt4Layer(Operation *op) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  MLIRContext *ctx = b.getContext();
  auto conv = dyn_cast<ConvOp>(op);
  auto inQ = cast<quant::UniformQuantizedType>(
      getQuantizedElementType(op->getOperand(0).getType()));
  GroupedI4Weight w = *getGroupedI4Weight(op->getOperand(1).getType());
  auto weightType = cast<RankedTensorType>(op->getOperand(1).getType());
  SmallVector<int64_t> values =
      *getConstantIntValues(castToStorageIfCast(op->getOperand(1)));
  ArrayRef<int64_t> wShape = weightType.getShape();
  int64_t pairs = (w.outChannels + 1) / 2;
  SmallVector<int8_t> packed = packGroupedI4Weight(weightType, w, values);
  SmallVector<int64_t> packedShape{pairs, w.groups, w.groupSize};
  if (conv)
    packedShape.append({wShape[2], wShape[3]});
  Value packedWeights = ConstantOp::create(
      b, loc,
      makeI8Elements(RankedTensorType::get(packedShape, b.getI8Type()), packed,
                     derivedBlobName(op, ".w4", "layer")));
  // c[o][g] = f32(s_x * s_w[o][g]).
  SmallVector<float> combined;
  for (double s : w.scales)
    combined.push_back(static_cast<float>(inQ.getScale() * s));
  Value scales = ConstantOp::create(
      b, loc,
      makeF32Elements(
          RankedTensorType::get({w.outChannels, w.groups}, b.getF32Type()),
          combined, derivedBlobName(op, ".w4scales", "layer")));

  Value input = castToStorage(b, loc, op->getOperand(0));
  int64_t zp = inQ.getZeroPoint();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  // Loops: outer (parallel) dims of the result, then g, then the group's
  // reduction dims (j, and kh, kw for a conv).
  AffineExpr d[8];
  for (unsigned i = 0; i < 8; ++i)
    d[i] = getAffineDimExpr(i, ctx);
  int64_t G = w.groupSize;
  SmallVector<AffineMap> maps;
  SmallVector<int64_t> accShape;
  SmallVector<utils::IteratorType> iterators;
  unsigned outerDims, channelDim;
  auto par = utils::IteratorType::parallel;
  auto red = utils::IteratorType::reduction;
  if (conv) {
    ArrayRef<int64_t> pads = conv.getPads();
    SmallVector<int64_t> begin{0, 0, pads[0], pads[1]};
    SmallVector<int64_t> end{0, 0, pads[2], pads[3]};
    input = padOrCrop(b, loc, input, begin, end,
                      b.getIntegerAttr(b.getI8Type(), zp));
    ArrayRef<int64_t> st = conv.getStrides(), dil = conv.getDilations();
    // (n, oc, oh, ow, g, j, kh, kw)
    maps.push_back(AffineMap::get(
        8, 0,
        {d[0], d[4] * G + d[5], d[2] * st[0] + d[6] * dil[0],
         d[3] * st[1] + d[7] * dil[1]},
        ctx));
    maps.push_back(
        AffineMap::get(8, 0, {d[1].floorDiv(2), d[4], d[5], d[6], d[7]}, ctx));
    maps.push_back(AffineMap::get(8, 0, {d[0], d[1], d[2], d[3], d[4]}, ctx));
    iterators = {par, par, par, par, par, red, red, red};
    accShape = llvm::to_vector(outType.getShape());
    outerDims = 4;
    channelDim = 1;
  } else {
    // (m, n, g, j); the packed layout is [n][k] whatever the weight's.
    maps.push_back(AffineMap::get(4, 0, {d[0], d[2] * G + d[3]}, ctx));
    maps.push_back(AffineMap::get(4, 0, {d[1].floorDiv(2), d[2], d[3]}, ctx));
    maps.push_back(AffineMap::get(4, 0, {d[0], d[1], d[2]}, ctx));
    iterators = {par, par, par, red};
    accShape = llvm::to_vector(outType.getShape());
    outerDims = 2;
    channelDim = 1;
  }
  accShape.push_back(w.groups);
  auto accType = RankedTensorType::get(accShape, b.getI32Type());
  Value accInit = buildZeros(b, loc, accType);
  Value acc =
      linalg::GenericOp::create(
          b, loc, TypeRange{accType}, ValueRange{input, packedWeights},
          ValueRange{accInit}, maps, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Type i8 = nb.getI8Type(), i32 = nb.getI32Type();
            Value x = arith::ExtSIOp::create(nb, nl, i32, args[0]);
            x = arith::SubIOp::create(nb, nl, x, i32Const(nb, nl, zp));
            // Odd channels: the high nibble (shift left 0), even ones the
            // low (shift left 4); an arithmetic shift right sign-extends.
            Value channel = linalg::IndexOp::create(nb, nl, channelDim);
            Value odd = arith::AndIOp::create(
                nb, nl,
                arith::IndexCastOp::create(nb, nl, i8, channel),
                arith::ConstantIntOp::create(nb, nl, i8, 1));
            Value left = arith::ShLIOp::create(
                nb, nl,
                arith::XOrIOp::create(
                    nb, nl, odd, arith::ConstantIntOp::create(nb, nl, i8, 1)),
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

  // The groups in order, in f32.
  unsigned rank = outerDims + 1;
  SmallVector<AffineExpr> outer, scaleIndex{d[channelDim], d[outerDims]};
  for (unsigned i = 0; i < outerDims; ++i)
    outer.push_back(d[i]);
  SmallVector<utils::IteratorType> combineIterators(outerDims, par);
  combineIterators.push_back(red);
  Value zeros = buildZeros(b, loc, outType);
  Value result =
      linalg::GenericOp::create(
          b, loc, TypeRange{outType}, ValueRange{acc, scales},
          ValueRange{zeros},
          SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, scaleIndex, ctx),
                                 AffineMap::get(rank, 0, outer, ctx)},
          combineIterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value f = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), args[0]);
            Value sum = arith::AddFOp::create(
                nb, nl, args[2], arith::MulFOp::create(nb, nl, f, args[1]));
            linalg::YieldOp::create(nb, nl, sum);
          })
          .getResult(0);
  if (op->getNumOperands() > 2) {
    AffineMap identity = AffineMap::getMultiDimIdentityMap(outerDims, ctx);
    AffineMap channel = AffineMap::get(outerDims, 0, d[channelDim]);
    result = buildParallelGeneric(
        b, loc, outType, ValueRange{result, op->getOperand(2)},
        {identity, channel},
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::AddFOp::create(nb, nl, args[0], args[1]);
        });
  }
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return success();
}

LogicalResult lowerMaxPool(MaxPoolOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto q = cast<quant::UniformQuantizedType>(
      getQuantizedElementType(op.getInput().getType()));
  Value input = castToStorage(b, loc, op.getInput());
  auto inType = cast<RankedTensorType>(input.getType());
  auto outType = cast<RankedTensorType>(op.getType());
  RankedTensorType storage = getStorageTensorType(outType);
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                    dilations = op.getDilations(), pads = op.getPads();
  SmallVector<int64_t> begin{0, 0, pads[0], pads[1]};
  SmallVector<int64_t> end{0, 0, pads[2], pads[3]};
  // ceil_mode windows past the end are padded too; padding never wins.
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
  Value result = linalg::PoolingNchwMaxOp::create(
                     b, loc, TypeRange{storage}, ValueRange{padded, window},
                     init, b.getI64TensorAttr(strides),
                     b.getI64TensorAttr(dilations))
                     .getResult(0);
  op.replaceAllUsesWith(
      Value(quant::StorageCastOp::create(b, loc, outType, result)));
  op.erase();
  return success();
}

/// reshape/transpose/slice: the same qnt op on the storage type (lowered by
/// convert-qnt-to-linalg).
LogicalResult lowerDataMovement(Operation *op) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  Value input = castToStorage(b, loc, op->getOperand(0));
  Operation *clone = b.clone(*op);
  clone->setOperand(0, input);
  // Ranges describe the quantized value, not its storage.
  for (NamedAttribute attr : llvm::to_vector(clone->getDiscardableAttrs()))
    if (attr.getName().getValue().starts_with("qnt."))
      clone->removeDiscardableAttr(attr.getName());
  Type quantized = op->getResult(0).getType();
  clone->getResult(0).setType(getStorageTensorType(quantized));
  op->getResult(0).replaceAllUsesWith(Value(quant::StorageCastOp::create(
      b, loc, quantized, clone->getResult(0))));
  op->erase();
  return success();
}

void ConvertQuantizedQntToLinalgPass::runOnOperation() {
  Operation *root = getOperation();
  bool ok = true;
  root->walk([&](Operation *op) {
    if (failed(checkQuantizedLowerable(op)))
      ok = false;
  });
  if (!ok)
    return signalPassFailure();

  SmallVector<Operation *> work;
  root->walk([&](Operation *op) {
    if (isa<quant::QuantizeCastOp, quant::DequantizeCastOp>(op) ||
        (isa<QntDialect>(op->getDialect()) &&
         llvm::any_of(llvm::concat<Type>(op->getOperandTypes(),
                                         op->getResultTypes()),
                      [](Type t) { return bool(getQuantizedElementType(t)); })))
      work.push_back(op);
  });
  for (Operation *op : work) {
    if (isInt4Layer(op)) {
      if (failed(lowerInt4Layer(op)))
        return signalPassFailure();
      continue;
    }
    LogicalResult done =
        llvm::TypeSwitch<Operation *, LogicalResult>(op)
            .Case([](quant::QuantizeCastOp c) { return lowerQCast(c); })
            .Case([](quant::DequantizeCastOp c) { return lowerDCast(c); })
            .Case([](ConvOp c) { return lowerConv(c); })
            .Case([](GemmOp g) { return lowerMatmulLike(g, g.getTransB()); })
            .Case([](MatMulOp m) { return lowerMatmulLike(m, false); })
            .Case([](MaxPoolOp p) { return lowerMaxPool(p); })
            .Case<ReshapeOp, TransposeOp, SliceOp>(
                [](Operation *o) { return lowerDataMovement(o); })
            .Default([](Operation *) { return success(); });
    if (failed(done))
      return signalPassFailure();
  }

  // scast(scast(x)) back to x's type is x; unused scasts and the quantized
  // constants behind them go.
  SmallVector<quant::StorageCastOp> casts;
  root->walk([&](quant::StorageCastOp op) { casts.push_back(op); });
  for (quant::StorageCastOp op : casts) {
    auto inner = op.getInput().getDefiningOp<quant::StorageCastOp>();
    if (inner && inner.getInput().getType() == op.getType())
      op.replaceAllUsesWith(inner.getInput());
  }
  bool erased = true;
  while (erased) {
    erased = false;
    root->walk([&](Operation *op) {
      if (isa<quant::StorageCastOp>(op) && op->use_empty()) {
        op->erase();
        erased = true;
      }
    });
  }
  // Whatever quantized value is left is used by an op with no int8 lowering
  // (checkQuantizedLowerable reported those), so none remain here.
}

} // namespace
