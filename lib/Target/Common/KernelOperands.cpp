//===- KernelOperands.cpp - Operands of int8 kernels, for any target ------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Common/KernelOperands.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::quant_compiler;

std::optional<SmallVector<int64_t>>
quant_compiler::getStorageConstant(Value value) {
  auto cast = value.getDefiningOp<quant::StorageCastOp>();
  if (!cast)
    return std::nullopt;
  return qnt::getConstantIntValues(cast.getInput());
}

/// The int32 bias of `op` (operand 2), or zeros.
static std::optional<SmallVector<int64_t>> biasValues(Operation *op,
                                                      int64_t channels) {
  if (op->getNumOperands() < 3)
    return SmallVector<int64_t>(channels, 0);
  // Per-tensor or per-channel (scale = input scale * weight scale).
  auto type = dyn_cast<RankedTensorType>(op->getOperand(2).getType());
  auto q = type ? dyn_cast<quant::QuantizedType>(type.getElementType())
                : quant::QuantizedType();
  if (!q || !q.getStorageType().isInteger(32) || type.getRank() != 1 ||
      type.getDimSize(0) != channels)
    return std::nullopt;
  return getStorageConstant(op->getOperand(2));
}

FailureOr<Int8Layer> quant_compiler::matchInt8Layer(Operation *op,
                                                    PatternRewriter &rewriter) {
  std::optional<qnt::LinearLayer> layer = qnt::getQuantizableLayer(op);
  if (!layer)
    return rewriter.notifyMatchFailure(op, "not a plain 2-D linear layer");
  Int8Layer l;
  l.layer = *layer;
  l.input = qnt::getPerTensorI8Type(op->getOperand(0).getType());
  l.output = qnt::getPerTensorI8Type(op->getResult(0).getType());
  if (!l.input || !l.output)
    return rewriter.notifyMatchFailure(op, "input or result not per-tensor i8");
  l.inputType = cast<RankedTensorType>(op->getOperand(0).getType());
  l.weightType =
      cast<RankedTensorType>(op->getOperand(layer->weightIndex).getType());
  l.resultType = cast<RankedTensorType>(op->getResult(0).getType());
  return l;
}

std::optional<Int8ContractionOperands>
quant_compiler::getInt8ContractionOperands(Operation *op, int64_t channels,
                                           quant::UniformQuantizedType inQ,
                                           quant::UniformQuantizedType outQ) {
  std::optional<SmallVector<double>> wScales =
      qnt::getSymmetricI8WeightScales(op->getOperand(1).getType());
  std::optional<SmallVector<int64_t>> w = getStorageConstant(op->getOperand(1));
  std::optional<SmallVector<int64_t>> b = biasValues(op, channels);
  if (!wScales || !w || !b)
    return std::nullopt;
  int64_t bad = 0;
  std::optional<SmallVector<qnt::FixedPointMultiplier>> fixed =
      qnt::getRequantMultipliers(inQ.getScale(), *wScales, outQ.getScale(),
                                 channels, bad);
  if (!fixed)
    return std::nullopt;
  Int8ContractionOperands operands;
  for (const qnt::FixedPointMultiplier &m : *fixed) {
    operands.multipliers.push_back(m.multiplier);
    operands.shifts.push_back(m.shift);
  }
  operands.weights.assign(w->begin(), w->end());
  operands.bias = std::move(*b);
  return operands;
}

std::vector<int32_t> quant_compiler::compensatedBiases(
    llvm::ArrayRef<int8_t> matrix, int64_t channels, int64_t k,
    bool channelMajor, llvm::ArrayRef<int64_t> bias, int32_t inputZeroPoint,
    int32_t activationShift) {
  std::vector<int32_t> result;
  uint64_t shift =
      static_cast<uint64_t>(int64_t(inputZeroPoint) + activationShift);
  for (int64_t c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (int64_t i = 0; i < k; ++i)
      sum += channelMajor ? matrix[c * k + i] : matrix[i * channels + c];
    // Unsigned arithmetic: the wrap modulo 2^32 the accumulators have.
    uint64_t v =
        static_cast<uint64_t>(bias[c]) - shift * static_cast<uint64_t>(sum);
    result.push_back(static_cast<int32_t>(static_cast<uint32_t>(v)));
  }
  return result;
}

Value quant_compiler::flatBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer = bufferization::ToBufferOp::create(b, loc, memref, tensor,
                                                   /*read_only=*/true);
  if (type.getRank() != 1) {
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < type.getRank(); ++i)
      all[0].push_back(i);
    buffer = memref::CollapseShapeOp::create(b, loc, buffer, all);
  }
  return memref::CastOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, type.getElementType()),
      buffer);
}

/// A flat buffer of the constant `attr`.
static Value constantBuffer(OpBuilder &b, Location loc, ElementsAttr attr) {
  Value constant = arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  return flatBuffer(b, loc, constant);
}

static RankedTensorType vectorType(size_t size, Type element) {
  return RankedTensorType::get({static_cast<int64_t>(size)}, element);
}

Value quant_compiler::constantI8Buffer(OpBuilder &b, Location loc,
                                       ArrayRef<int8_t> values,
                                       StringRef blobName) {
  return constantBuffer(
      b, loc,
      qnt::makeI8Elements(vectorType(values.size(), b.getI8Type()), values,
                          blobName));
}

Value quant_compiler::constantI32Buffer(OpBuilder &b, Location loc,
                                        ArrayRef<int32_t> values,
                                        StringRef blobName) {
  return constantBuffer(
      b, loc,
      qnt::makeI32Elements(vectorType(values.size(), b.getI32Type()), values,
                           blobName));
}

Value quant_compiler::constantI64Buffer(OpBuilder &b, Location loc,
                                        ArrayRef<int64_t> values) {
  return constantBuffer(b, loc,
                        DenseElementsAttr::get(
                            vectorType(values.size(), b.getI64Type()), values));
}

Value quant_compiler::constantF32Buffer(OpBuilder &b, Location loc,
                                        ArrayRef<float> values,
                                        StringRef blobName) {
  return constantBuffer(
      b, loc,
      qnt::makeF32Elements(vectorType(values.size(), b.getF32Type()), values,
                           blobName));
}

func::FuncOp quant_compiler::declareKernelFunction(OpBuilder &b,
                                                   ModuleOp module,
                                                   StringRef name,
                                                   TypeRange argTypes) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto func = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType(argTypes, {}));
  func.setPrivate();
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), b.getUnitAttr());
  return func;
}

Value quant_compiler::kernelOutputAsTensor(OpBuilder &b, Location loc,
                                           Value out, RankedTensorType type) {
  auto flat = cast<MemRefType>(out.getType());
  Value result = bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get(flat.getShape(), flat.getElementType()),
      out, /*restrict=*/true, /*writable=*/true);
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < type.getRank(); ++i)
    all[0].push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, type.clone(flat.getElementType()), result, all);
}

void quant_compiler::replaceWithKernelOutput(RewriterBase &rewriter,
                                             Operation *op, Value out) {
  Location loc = op->getLoc();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  Value result = kernelOutputAsTensor(rewriter, loc, out, outType);
  rewriter.replaceOp(
      op, Value(quant::StorageCastOp::create(rewriter, loc, outType, result)));
}
