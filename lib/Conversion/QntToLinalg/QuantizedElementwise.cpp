//===- QuantizedElementwise.cpp - int8 sums, products, means, resizes -----===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The int8 ops between layers that are not layers: qnt.add / qnt.sub of two
// int8 operands on their own grids (one shared shift, QuantMath's
// SumMultipliers), qnt.mul (the product requantized like a layer's
// accumulator), qnt.global_average_pool (an int32 sum requantized by
// scale / count) and the nearest qnt.resize (a copy on the storage type).
// Each is a linalg.generic on the i8 storage; the arithmetic is
// docs/Numerics.md, "Int8 element-wise ops", and QuantMath.h's functions
// are its specification.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::lowering;

namespace {

Value i32Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
}

/// The signed per-tensor int8 type of `v`'s elements, or null.
quant::UniformQuantizedType int8Of(Value v) {
  quant::UniformQuantizedType q = getPerTensorI8Type(v.getType());
  return q && q.isSigned() ? q : nullptr;
}

/// x - zp of the stored scalar `x` of `q`, as i32.
Value centered(OpBuilder &b, Location loc, Value x,
               quant::UniformQuantizedType q) {
  Value wide = arith::ExtSIOp::create(b, loc, b.getI32Type(), x);
  return arith::SubIOp::create(b, loc, wide,
                               i32Const(b, loc, q.getZeroPoint()));
}

/// clamp(v + zp, qmin, qmax) of i32 `v`, as `out`'s i8 storage.
Value toStorage(OpBuilder &b, Location loc, Value v,
                quant::UniformQuantizedType out) {
  v = arith::AddIOp::create(b, loc, v, i32Const(b, loc, out.getZeroPoint()));
  v = arith::MaxSIOp::create(b, loc, v,
                             i32Const(b, loc, out.getStorageTypeMin()));
  v = arith::MinSIOp::create(b, loc, v,
                             i32Const(b, loc, out.getStorageTypeMax()));
  return arith::TruncIOp::create(b, loc, b.getI8Type(), v);
}

/// QuantMath's requantize of the i32 scalar `acc` with `m`: in i64, the
/// product rounded (ties toward +infinity), plus the zero point, clamped to
/// the grid, as `out`'s i8 storage.
Value requantizeScalar(OpBuilder &b, Location loc, Value acc,
                       FixedPointMultiplier m,
                       quant::UniformQuantizedType out) {
  Type i64 = b.getI64Type();
  auto c64 = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value v = arith::ExtSIOp::create(b, loc, i64, acc);
  v = arith::MulIOp::create(b, loc, v, c64(m.multiplier));
  v = arith::AddIOp::create(b, loc, v, c64(int64_t(1) << (m.shift - 1)));
  v = arith::ShRSIOp::create(b, loc, v, c64(m.shift));
  v = arith::AddIOp::create(b, loc, v, c64(out.getZeroPoint()));
  v = arith::MaxSIOp::create(b, loc, v, c64(out.getStorageTypeMin()));
  v = arith::MinSIOp::create(b, loc, v, c64(out.getStorageTypeMax()));
  return arith::TruncIOp::create(b, loc, b.getI8Type(), v);
}

/// The multipliers of an int8 add or sub, if representable.
std::optional<SumMultipliers> sumMultipliers(Operation *op) {
  auto a = int8Of(op->getOperand(0)), b = int8Of(op->getOperand(1));
  auto out = int8Of(op->getResult(0));
  return toSumMultipliers(a.getScale() / out.getScale(),
                          b.getScale() / out.getScale(), isa<SubOp>(op));
}

/// The real multiplier of an int8 mul: sa * sb / so.
double productMultiplier(MulOp op) {
  return int8Of(op.getLhs()).getScale() * int8Of(op.getRhs()).getScale() /
         int8Of(op.getResult()).getScale();
}

/// The number of elements a global average pool's mean takes.
int64_t poolCount(GlobalAveragePoolOp op) {
  ArrayRef<int64_t> shape = op.getInput().getType().getShape();
  int64_t count = 1;
  for (int64_t d : shape.drop_front(2))
    count *= d;
  return count;
}

/// The int8 result of add, sub or mul `op` from its operands' centered
/// i32 values: the shared-shift sum (QuantMath's requantizeSum), or the
/// product requantized with sa * sb / so.
Value binaryResult(Operation *op, OpBuilder &b, Location loc, Value da,
                   Value db, quant::UniformQuantizedType out) {
  if (auto mul = dyn_cast<MulOp>(op))
    return requantizeScalar(b, loc, arith::MulIOp::create(b, loc, da, db),
                            *toFixedPoint(productMultiplier(mul)), out);
  SumMultipliers m = *sumMultipliers(op);
  Value v = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, da, i32Const(b, loc, m.a)),
      arith::MulIOp::create(b, loc, db, i32Const(b, loc, m.b)));
  v = arith::AddIOp::create(b, loc, v, i32Const(b, loc, 1 << (m.shift - 1)));
  v = arith::ShRSIOp::create(b, loc, v, i32Const(b, loc, m.shift));
  return toStorage(b, loc, v, out);
}

/// int8 add, sub and mul, element by element with broadcasting.
template <typename OpTy>
struct BinaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (whyNotLowerableInt8Elementwise(op))
      return rewriter.notifyMatchFailure(op, "not a lowerable int8 op");
    auto qa = int8Of(op.getLhs()), qb = int8Of(op.getRhs());
    auto out = int8Of(op.getResult());
    Value result = buildElementwise(
        rewriter, op.getLoc(), getStorageTensorType(op.getType()),
        ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return binaryResult(op, b, loc, centered(b, loc, args[0], qa),
                              centered(b, loc, args[1], qb), out);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// int8 global average pool: the i32 sum of the stored values over the
/// spatial dims, minus count * zp, requantized with sx / (so * count).
struct MeanLowering : OpConversionPattern<GlobalAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GlobalAveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (whyNotLowerableInt8Elementwise(op))
      return rewriter.notifyMatchFailure(op, "not a lowerable int8 mean");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto in = int8Of(op.getInput()), out = int8Of(op.getResult());
    int64_t count = poolCount(op);
    FixedPointMultiplier m =
        *toFixedPoint(in.getScale() / (out.getScale() * count));
    auto inType = op.getInput().getType();
    int64_t rank = inType.getRank();
    auto sumType = RankedTensorType::get(inType.getShape().take_front(2),
                                         rewriter.getI32Type());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    iterators[0] = iterators[1] = utils::IteratorType::parallel;
    AffineMap nc = AffineMap::get(
        rank, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
    Value sums =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{sumType}, ValueRange{adaptor.getInput()},
            ValueRange{buildZeros(rewriter, loc, sumType)},
            {AffineMap::getMultiDimIdentityMap(rank, ctx), nc}, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value x = arith::ExtSIOp::create(b, l, b.getI32Type(), args[0]);
              linalg::YieldOp::create(
                  b, l, arith::AddIOp::create(b, l, args[1], x).getResult());
            })
            .getResult(0);
    auto storage2d =
        RankedTensorType::get(sumType.getShape(), rewriter.getI8Type());
    Value means = buildElementwise(
        rewriter, loc, storage2d, ValueRange{sums},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value acc = arith::SubIOp::create(
              b, l, args[0], i32Const(b, l, count * in.getZeroPoint()));
          return requantizeScalar(b, l, acc, m, out);
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, means,
                                     getStorageTensorType(op.getType())));
    return success();
  }
};

/// int8 nearest resize: the float lowering's reads, on the storage type.
struct NearestResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!int8Of(op.getInput()) || whyNotLowerableInt8Elementwise(op))
      return rewriter.notifyMatchFailure(op, "not a lowerable int8 resize");
    return lowerResize(op, adaptor.getInput(),
                       getStorageTensorType(op.getType()), rewriter);
  }
};

} // namespace

bool lowering::isInt8ElementwiseOp(Operation *op) {
  if (!isa<AddOp, SubOp, MulOp, GlobalAveragePoolOp, ResizeOp, ConcatOp>(op))
    return false;
  return llvm::any_of(op->getOperandTypes(), [](Type t) {
    return isa_and_nonnull<quant::QuantizedType>(getQuantizedElementType(t));
  });
}

std::optional<std::string>
lowering::whyNotLowerableInt8Elementwise(Operation *op) {
  auto allInt8 = llvm::all_of(op->getOperands(),
                              [](Value v) { return bool(int8Of(v)); }) &&
                 int8Of(op->getResult(0));
  std::string name = op->getName().getStringRef().str();
  if (!allInt8)
    return name + " needs signed per-tensor int8 operands and result";
  SmallVector<double> scales;
  for (Value operand : op->getOperands())
    scales.push_back(int8Of(operand).getScale());
  if (std::optional<std::string> why =
          whyNoInt8Arithmetic(op, scales, int8Of(op->getResult(0)).getScale()))
    return name + ": " + *why;
  if (auto resize = dyn_cast<ResizeOp>(op)) {
    if (resize.getMode() != ResizeMode::nearest)
      return name + ": only nearest resizes keep the int8 grid";
    if (resize.getInput().getType().getElementType() !=
        resize.getType().getElementType())
      return name + ": a nearest resize keeps its input's grid";
  }
  return std::nullopt;
}

void lowering::populateQuantizedElementwisePatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<BinaryLowering<AddOp>, BinaryLowering<SubOp>,
               BinaryLowering<MulOp>, MeanLowering, NearestResizeLowering>(
      converter, patterns.getContext());
}
