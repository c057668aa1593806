//===- ElementwiseLowering.cpp - Element-wise and data-movement qnt ops ---===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// Element-wise ops become one linalg.generic each (broadcasting through the
// indexing maps, so no broadcast is ever materialized); data movement becomes
// tensor slices, pads and reshapes, or a linalg.generic with tensor.extract
// where the index arithmetic is not affine (gather, reflect/edge pad,
// negative-step slice).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntScalar.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::lowering;

/// ONNX Cast of one scalar: float to integer truncates toward zero; to bool
/// is `x != 0`; bool to anything is 0 or 1; integers are signed.
static Value castScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (to.isInteger(1)) {
    if (isa<FloatType>(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   floatConst(b, loc, from, 0.0));
    Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  if (isa<FloatType>(from) && isa<FloatType>(to)) {
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, loc, to, x);
    return arith::TruncFOp::create(b, loc, to, x);
  }
  if (isa<FloatType>(from))
    return arith::FPToSIOp::create(b, loc, to, x);
  if (isa<FloatType>(to)) {
    if (from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, x);
    return arith::SIToFPOp::create(b, loc, to, x);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth < toWidth)
    return from.isInteger(1)
               ? arith::ExtUIOp::create(b, loc, to, x).getResult()
               : arith::ExtSIOp::create(b, loc, to, x).getResult();
  return arith::TruncIOp::create(b, loc, to, x);
}

namespace {
/// Every element-wise op: one linalg.generic around the op's own scalar
/// body (ElementwiseOpInterface::buildScalar, written in QntOps.td).
struct ElementwiseLowering
    : OpInterfaceConversionPattern<ElementwiseOpInterface> {
  using OpInterfaceConversionPattern::OpInterfaceConversionPattern;
  LogicalResult
  matchAndRewrite(ElementwiseOpInterface op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    // The arithmetic type is the float operand type (i1 for compare's
    // result is not it).
    Type computeType = cast<RankedTensorType>(
                           op->getOperand(op->getNumOperands() - 1).getType())
                           .getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), outType, operands,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return op.buildScalar(ScalarBuilder(b, loc, computeType), args);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto outType = op.getType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), outType, adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return castScalar(b, loc, args[0], outType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// (x - mean) / sqrt(var + eps) * scale + bias, per channel (dim 1).
struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getType();
    int64_t rank = outType.getRank();
    // [C] -> [C, 1, ..., 1] so that broadcasting aligns it with dim 1.
    SmallVector<int64_t> channelShape(std::max<int64_t>(rank - 1, 1), 1);
    channelShape[0] = outType.getDimSize(1);
    auto channelType =
        RankedTensorType::get(channelShape, outType.getElementType());
    SmallVector<Value> inputs{adaptor.getInput()};
    for (Value param : {adaptor.getScale(), adaptor.getBias(),
                        adaptor.getMean(), adaptor.getVariance()})
      inputs.push_back(reshapeTo(rewriter, loc, param, channelType));
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = buildElementwise(
        rewriter, loc, outType, inputs,
        [&](OpBuilder &b, Location l, ValueRange a) {
          ScalarBuilder s(b, l, outType.getElementType());
          Value stddev = s.sqrt(s.add(a[4], s.c(epsilon)));
          return s.add(s.mul(s.div(s.sub(a[0], a[3]), stddev), a[1]), a[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(), op.getType()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto outType = op.getType();
    Value init = tensor::EmptyOp::create(
        rewriter, op.getLoc(), outType.getShape(), outType.getElementType());
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), init, op.getPerm());
    rewriter.replaceOp(op, transpose.getResult()[0]);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto outType = op.getType();
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, outType, adaptor.getInput(), ValueRange{}, ValueRange{},
          ValueRange{}, starts, outType.getShape(), steps);
      return success();
    }
    // A negative step reads backwards: in[start + i * step].
    Value result = buildIndexedRead(
        rewriter, op.getLoc(), outType, adaptor.getInput(),
        [&](OpBuilder &b, Location loc, ArrayRef<Value> out) {
          SmallVector<Value> indices;
          for (auto [d, index] : llvm::enumerate(out)) {
            Value scaled = arith::MulIOp::create(b, loc, index,
                                                 indexConst(b, loc, steps[d]));
            indices.push_back(arith::AddIOp::create(
                b, loc, scaled, indexConst(b, loc, starts[d])));
          }
          return indices;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // tensor.concat rejects empty operands; they add nothing anyway.
    SmallVector<Value> inputs;
    for (Value input : adaptor.getInputs())
      if (cast<RankedTensorType>(input.getType()).getDimSize(op.getAxis()))
        inputs.push_back(input);
    auto outType = op.getType();
    if (inputs.empty())
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, outType.getShape(),
                                                   outType.getElementType());
    else if (inputs.size() == 1)
      rewriter.replaceOp(op, inputs.front());
    else
      rewriter.replaceOpWithNewOp<tensor::ConcatOp>(op, outType, op.getAxis(),
                                                    inputs);
    return success();
  }
};

/// out[..., i..., ...] = data[..., idx(indices[i...]), ...]; negative indices
/// count from the end and out-of-range ones clamp (ONNX leaves them
/// undefined; clamping keeps the read in bounds).
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto outType = op.getType();
    auto dataType = op.getData().getType();
    auto indicesType = op.getIndices().getType();
    int64_t axis = op.getAxis();
    int64_t indexRank = indicesType.getRank();
    int64_t axisDim = dataType.getDimSize(axis);
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < indexRank; ++i)
      exprs.push_back(getAffineDimExpr(axis + i, ctx));
    AffineMap indexMap = AffineMap::get(outType.getRank(), 0, exprs, ctx);
    Value result = buildIndexedRead(
        rewriter, op.getLoc(), outType, adaptor.getData(),
        [&](OpBuilder &b, Location loc, ArrayRef<Value> out) {
          Value raw = out.back();
          Value index =
              arith::IndexCastOp::create(b, loc, b.getIndexType(), raw);
          Value zero = indexConst(b, loc, 0);
          Value isNegative = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::slt, index, zero);
          Value wrapped =
              arith::AddIOp::create(b, loc, index, indexConst(b, loc, axisDim));
          index = arith::SelectOp::create(b, loc, isNegative, wrapped, index);
          index = arith::MaxSIOp::create(b, loc, index, zero);
          index = arith::MinSIOp::create(b, loc, index,
                                         indexConst(b, loc, axisDim - 1));
          SmallVector<Value> indices;
          for (int64_t d = 0; d < axis; ++d)
            indices.push_back(out[d]);
          indices.push_back(index);
          for (int64_t d = axis + 1; d < dataType.getRank(); ++d)
            indices.push_back(out[d - 1 + indexRank]);
          return indices;
        },
        adaptor.getIndices(), indexMap);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getType();
    auto inType = op.getInput().getType();
    int64_t rank = inType.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    Type elementType = inType.getElementType();

    if (op.getMode() != PadMode::constant) {
      bool reflect = op.getMode() == PadMode::reflect;
      Value result = buildIndexedRead(
          rewriter, loc, outType, adaptor.getInput(),
          [&](OpBuilder &b, Location l, ArrayRef<Value> out) {
            SmallVector<Value> indices;
            for (int64_t d = 0; d < rank; ++d) {
              int64_t dim = inType.getDimSize(d);
              Value i = arith::SubIOp::create(b, l, out[d],
                                              indexConst(b, l, pads[d]));
              Value zero = indexConst(b, l, 0);
              Value last = indexConst(b, l, dim - 1);
              if (reflect) {
                // i < 0 -> -i; i > last -> 2 * last - i.
                Value neg = arith::SubIOp::create(b, l, zero, i);
                i = arith::MaxSIOp::create(b, l, i, neg);
                Value mirrored = arith::SubIOp::create(
                    b, l, indexConst(b, l, 2 * (dim - 1)), i);
                i = arith::MinSIOp::create(b, l, i, mirrored);
              }
              i = arith::MaxSIOp::create(b, l, i, zero);
              i = arith::MinSIOp::create(b, l, i, last);
              indices.push_back(i);
            }
            return indices;
          });
      rewriter.replaceOp(op, result);
      return success();
    }

    // Negative pads crop, positive ones pad.
    double fill = op.getValue().convertToDouble();
    TypedAttr fillAttr =
        isa<FloatType>(elementType)
            ? TypedAttr(rewriter.getFloatAttr(elementType, fill))
            : TypedAttr(rewriter.getIntegerAttr(elementType,
                                                static_cast<int64_t>(fill)));
    rewriter.replaceOp(op, padOrCrop(rewriter, loc, adaptor.getInput(),
                                     pads.take_front(rank),
                                     pads.take_back(rank), fillAttr));
    return success();
  }
};
} // namespace

void lowering::populateElementwisePatterns(RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering>(patterns.getContext());
  patterns
      .add<CastLowering, BatchNormLowering, ReshapeLowering, TransposeLowering,
           SliceLowering, ConcatLowering, GatherLowering, PadLowering>(
          patterns.getContext());
}
