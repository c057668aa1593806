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
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
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

Value lowering::buildIndexedRead(
    OpBuilder &b, Location loc, RankedTensorType outType, Value source,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location,
                                          ArrayRef<Value>)>
        sourceIndices,
    ValueRange inputs, ArrayRef<AffineMap> maps) {
  return buildParallelGeneric(
      b, loc, outType, inputs, maps,
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        SmallVector<Value> operands;
        for (int64_t d = 0; d < outType.getRank(); ++d)
          operands.push_back(linalg::IndexOp::create(nb, nloc, d));
        llvm::append_range(operands, args);
        return tensor::ExtractOp::create(nb, nloc, source,
                                         sourceIndices(nb, nloc, operands));
      });
}

RankedTensorType lowering::withShape(RankedTensorType type,
                                     ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, type.getElementType());
}

Value lowering::buildFilled(OpBuilder &b, Location loc, RankedTensorType type,
                            TypedAttr value) {
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, scalar, init).getResult(0);
}

Value lowering::buildZeros(OpBuilder &b, Location loc, RankedTensorType type) {
  return buildFilled(b, loc, type, b.getZeroAttr(type.getElementType()));
}

Value lowering::reshapeTo(OpBuilder &b, Location loc, Value value,
                          RankedTensorType type) {
  auto source = cast<RankedTensorType>(value.getType());
  if (source == type)
    return value;
  // To or from a scalar: an empty reassociation.
  if (source.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, type, value,
                                         ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, value,
                                           ArrayRef<ReassociationIndices>{});
  // Dims that group (e.g. 8x1x3x3 <-> 8x3x3): one op.
  if (auto grouping = getReassociationIndicesForReshape(source, type)) {
    if (source.getRank() > type.getRank())
      return tensor::CollapseShapeOp::create(b, loc, type, value, *grouping);
    return tensor::ExpandShapeOp::create(b, loc, type, value, *grouping);
  }
  // Otherwise through the flat vector.
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

Value lowering::padOrCrop(OpBuilder &b, Location loc, Value value,
                          ArrayRef<int64_t> begin, ArrayRef<int64_t> end,
                          TypedAttr fill) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank(), lead = rank - begin.size();
  SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape());
  SmallVector<int64_t> strides(rank, 1);
  SmallVector<OpFoldResult> low(rank, b.getIndexAttr(0)),
      high(rank, b.getIndexAttr(0));
  bool crops = false, pads = false;
  for (size_t i = 0; i < begin.size(); ++i) {
    int64_t d = lead + i;
    int64_t cropBegin = std::max<int64_t>(0, -begin[i]);
    int64_t cropEnd = std::max<int64_t>(0, -end[i]);
    offsets[d] = cropBegin;
    sizes[d] -= cropBegin + cropEnd;
    crops |= cropBegin || cropEnd;
    low[d] = b.getIndexAttr(std::max<int64_t>(0, begin[i]));
    high[d] = b.getIndexAttr(std::max<int64_t>(0, end[i]));
    pads |= begin[i] > 0 || end[i] > 0;
  }
  if (crops)
    value = tensor::ExtractSliceOp::create(
        b, loc, withShape(type, sizes), value, ValueRange{}, ValueRange{},
        ValueRange{}, offsets, sizes, strides);
  if (!pads)
    return value;
  SmallVector<int64_t> padded(sizes);
  for (size_t i = 0; i < begin.size(); ++i)
    padded[lead + i] +=
        std::max<int64_t>(0, begin[i]) + std::max<int64_t>(0, end[i]);
  Value padValue = arith::ConstantOp::create(b, loc, fill);
  return tensor::PadOp::create(b, loc, withShape(type, padded), value, low,
                               high, padValue);
}

Value lowering::floatConst(OpBuilder &b, Location loc, Type type,
                           double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value lowering::indexConst(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

TypedAttr lowering::negativeInfinity(Type type) {
  auto floatType = cast<FloatType>(type);
  return FloatAttr::get(
      type, APFloat::getInf(floatType.getFloatSemantics(), /*Negative=*/true));
}

//===----------------------------------------------------------------------===//
// What the float lowering cannot express, said once at the op
//===----------------------------------------------------------------------===//

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
  // Past this point the verifiers guarantee float tensors wherever an op
  // computes (Qnt_Tensor is float or quantized).
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
      return signalPassFailure();
    dropCalibrationAttributes();
  }

private:
  /// The qnt ops carrying qnt.* attributes are gone; these are the ones on
  /// function arguments, results and the module.
  void dropCalibrationAttributes() {
    auto isQnt = [](NamedAttribute attr) {
      return attr.getName().getValue().starts_with("qnt.");
    };
    getOperation()->walk([&](Operation *op) {
      for (NamedAttribute attr : llvm::to_vector(op->getDiscardableAttrs()))
        if (isQnt(attr))
          op->removeDiscardableAttr(attr.getName());
      auto func = dyn_cast<FunctionOpInterface>(op);
      if (!func)
        return;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        for (NamedAttribute attr : llvm::to_vector(func.getArgAttrs(i)))
          if (isQnt(attr))
            func.removeArgAttr(i, attr.getName());
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        for (NamedAttribute attr : llvm::to_vector(func.getResultAttrs(i)))
          if (isQnt(attr))
            func.removeResultAttr(i, attr.getName());
    });
  }
};
} // namespace

void qnt::populateQntToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering>(patterns.getContext());
  populateElementwisePatterns(patterns);
  populateStructuredPatterns(patterns);
}
