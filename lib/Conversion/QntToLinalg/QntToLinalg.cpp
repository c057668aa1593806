//===- QntToLinalg.cpp - The convert-qnt-to-linalg pass ---------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// The pass driver and the shared builders. Element-wise ops live in
// ElementwiseLowering.cpp, ops with windows, contractions and reductions in
// StructuredLowering.cpp.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "quant/Conversion/Passes.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qnt {
#define GEN_PASS_DEF_CONVERTQNTTOLINALG
#include "quant/Conversion/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::lowering;

//===----------------------------------------------------------------------===//
// Shared builders
//===----------------------------------------------------------------------===//

AffineMap lowering::broadcastMap(RankedTensorType operand, RankedTensorType out) {
  MLIRContext *ctx = out.getContext();
  int64_t outRank = out.getRank(), rank = operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t outDim = outRank - rank + i;
    if (operand.getDimSize(i) == 1 && out.getDimSize(outDim) != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(outDim, ctx));
  }
  return AffineMap::get(outRank, 0, exprs, ctx);
}

Value lowering::buildElementwise(OpBuilder &b, Location loc,
                               RankedTensorType outType, ValueRange inputs,
                               BodyBuilder body) {
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(
        broadcastMap(cast<RankedTensorType>(input.getType()), outType));
  return buildParallelGeneric(b, loc, outType, inputs, maps, body);
}

Value lowering::buildParallelGeneric(OpBuilder &b, Location loc,
                                   RankedTensorType outType, ValueRange inputs,
                                   ArrayRef<AffineMap> inputMaps,
                                   BodyBuilder body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(outType.getRank()));
  SmallVector<utils::IteratorType> iterators(outType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                       outType.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value lowering::buildFilled(OpBuilder &b, Location loc, RankedTensorType type,
                          TypedAttr value) {
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, scalar, init).getResult(0);
}

Value lowering::reshapeTo(OpBuilder &b, Location loc, Value value,
                        RankedTensorType type) {
  auto source = cast<RankedTensorType>(value.getType());
  if (source == type)
    return value;
  if (source.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, type, value,
                                         ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, value,
                                           ArrayRef<ReassociationIndices>{});
  auto all = [](int64_t rank) {
    ReassociationIndices indices;
    for (int64_t i = 0; i < rank; ++i)
      indices.push_back(i);
    return SmallVector<ReassociationIndices>{indices};
  };
  Value flat = value;
  if (source.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(b, loc, value, all(source.getRank()));
  if (type.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(b, loc, type, flat, all(type.getRank()));
}

Value lowering::floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

TypedAttr lowering::lowestFloat(Type type) {
  auto floatType = cast<FloatType>(type);
  return FloatAttr::get(
      type, APFloat::getLargest(floatType.getFloatSemantics(), /*Negative=*/true));
}

//===----------------------------------------------------------------------===//
// What the float lowering cannot express, said once at the op
//===----------------------------------------------------------------------===//

static bool isQuantizedOrNonFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && !isa<FloatType>(tensor.getElementType());
}

static LogicalResult checkLowerable(Operation *op) {
  auto fail = [&](const Twine &why) {
    return op->emitError("cannot lower to linalg: ") << why;
  };
  for (Type type : llvm::concat<Type>(op->getOperandTypes(),
                                      op->getResultTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (tensor && isa<quant::QuantizedType>(tensor.getElementType()))
      return fail("quantized tensors are lowered by the int8 path, not the "
                  "float one");
  }
  // Ops that move data or convert types accept any element type; everything
  // else computes in float.
  if (!isa<ConstantOp, ReshapeOp, TransposeOp, SliceOp, ConcatOp, GatherOp,
           PadOp, CastOp, CompareOp, SelectOp>(op)) {
    for (Type type : llvm::concat<Type>(op->getOperandTypes(),
                                        op->getResultTypes()))
      if (isQuantizedOrNonFloatTensor(type))
        return fail("expects float tensors");
  }
  if (auto conv = dyn_cast<ConvOp>(op)) {
    int64_t spatial = conv.getInput().getType().getRank() - 2;
    if (spatial < 1 || spatial > 2)
      return fail("only 1-D and 2-D convolutions are supported, not " +
                  Twine(spatial) + "-D");
  }
  if (auto conv = dyn_cast<ConvTransposeOp>(op)) {
    int64_t spatial = conv.getInput().getType().getRank() - 2;
    if (spatial < 1 || spatial > 2)
      return fail("only 1-D and 2-D transposed convolutions are supported");
  }
  if (isa<MaxPoolOp, AveragePoolOp>(op)) {
    int64_t spatial =
        cast<RankedTensorType>(op->getOperand(0).getType()).getRank() - 2;
    if (spatial < 1 || spatial > 2)
      return fail("only 1-D and 2-D pooling is supported");
  }
  if (auto resize = dyn_cast<ResizeOp>(op)) {
    if (resize.getMode() == ResizeMode::cubic)
      return fail("cubic resize is not supported");
    if (resize.getMode() == ResizeMode::linear) {
      int64_t resized = 0;
      auto in = resize.getInput().getType(), out = resize.getType();
      for (int64_t i = 0; i < in.getRank(); ++i)
        resized += in.getDimSize(i) != out.getDimSize(i);
      if (resized > 3)
        return fail("linear resize of more than 3 dims is not supported");
    }
  }
  if (auto pad = dyn_cast<PadOp>(op)) {
    if (pad.getMode() != PadMode::constant &&
        llvm::is_contained(pad.getInput().getType().getShape(), 0))
      return fail("edge/reflect padding of an empty tensor");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValue());
    return success();
  }
};

struct ConvertQntToLinalgPass
    : qnt::impl::ConvertQntToLinalgBase<ConvertQntToLinalgPass> {
  void runOnOperation() override {
    bool ok = true;
    getOperation()->walk([&](Operation *op) {
      if (isa<QntDialect>(op->getDialect()) && failed(checkLowerable(op)))
        ok = false;
    });
    if (!ok)
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<QntDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateQntToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void qnt::populateQntToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering>(patterns.getContext());
  populateElementwisePatterns(patterns);
  populateStructuredPatterns(patterns);
}
