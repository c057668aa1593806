//===- Int8KernelCalls.cpp - Quantized ops to int8 microkernel calls ------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// quant-cpu-int8-kernels: quantized convolutions and GEMMs with constant
// weights become calls of runtime/kernels/quant_int8_kernels.c (see the
// pass description in Passes.td and docs/Numerics.md).
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Cpu/Passes.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/QuantMath.h"
#include "quant/Target/Cpu/Int8Kernels.h"
#include "quant/Target/Cpu/Int8Operands.h"

#include "quant_int8_kernels.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::quant_compiler {
#define GEN_PASS_DEF_QUANTCPUINT8KERNELS
#include "quant/Target/Cpu/Passes.h.inc"
} // namespace mlir::quant_compiler

using namespace mlir;
using namespace mlir::quant_compiler;

namespace {

/// The storage-type constant behind a quantized constant operand
/// (`quant.scast(qnt.constant)`), or nullopt.
std::optional<SmallVector<int64_t>> storageConstant(Value value) {
  auto cast = value.getDefiningOp<quant::StorageCastOp>();
  if (!cast)
    return std::nullopt;
  return qnt::getConstantIntValues(cast.getInput());
}

/// What a kernel call needs, computed at compile time.
struct KernelOperands {
  StringRef kernel; // "qconv2d" or "qgemm"
  std::vector<int8_t> packedWeights;
  std::vector<int32_t> bias;
  SmallVector<int32_t> multipliers, shifts;
  SmallVector<int64_t> params;
  int64_t scratchBytes = 0;
};

/// The int32 bias of `op` (operand 2), or zeros.
std::optional<SmallVector<int64_t>> biasValues(Operation *op,
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
  return storageConstant(op->getOperand(2));
}

/// The operands every kernel call of `op` shares, as a KernelOperands
/// whose `kernel` is set; `weights` and `bias` receive the matrix and the
/// int32 bias.
std::optional<KernelOperands>
startOperands(Operation *op, StringRef kernel, int64_t channels,
              quant::UniformQuantizedType inQ, quant::UniformQuantizedType outQ,
              SmallVector<int8_t> &weights, SmallVector<int64_t> &bias) {
  std::optional<Int8ContractionOperands> operands =
      getInt8ContractionOperands(op, channels, inQ, outQ);
  if (!operands)
    return std::nullopt;
  KernelOperands k;
  k.kernel = kernel;
  k.multipliers = std::move(operands->multipliers);
  k.shifts = std::move(operands->shifts);
  weights = std::move(operands->weights);
  bias = std::move(operands->bias);
  return k;
}

/// The QUANT_QCONV_* params of `op` (a 2-D conv on an int8 input) that
/// the int8 and int4 convolution kernels share: shapes, strides,
/// dilations, padding, the input zero point and whether to parallelize;
/// `size` entries (the output-grid ones and any after them are left 0).
SmallVector<int64_t> convParams(qnt::ConvOp op, int64_t size,
                                int64_t inZeroPoint, bool parallel) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                    pads = op.getPads();
  SmallVector<int64_t> p(size, 0);
  p[QUANT_QCONV_BATCH] = inType.getDimSize(0);
  p[QUANT_QCONV_IC] = inType.getDimSize(1);
  p[QUANT_QCONV_IH] = inType.getDimSize(2);
  p[QUANT_QCONV_IW] = inType.getDimSize(3);
  p[QUANT_QCONV_OC] = wType.getDimSize(0);
  p[QUANT_QCONV_OH] = outType.getDimSize(2);
  p[QUANT_QCONV_OW] = outType.getDimSize(3);
  p[QUANT_QCONV_KH] = wType.getDimSize(2);
  p[QUANT_QCONV_KW] = wType.getDimSize(3);
  p[QUANT_QCONV_SH] = strides[0];
  p[QUANT_QCONV_SW] = strides[1];
  p[QUANT_QCONV_DH] = dilations[0];
  p[QUANT_QCONV_DW] = dilations[1];
  p[QUANT_QCONV_PAD_TOP] = pads[0];
  p[QUANT_QCONV_PAD_LEFT] = pads[1];
  p[QUANT_QCONV_IN_ZP] = inZeroPoint;
  p[QUANT_QCONV_PARALLEL] = parallel;
  return p;
}

std::optional<KernelOperands> convOperands(qnt::ConvOp op,
                                           const Int8KernelIsa &isa,
                                           bool parallel) {
  auto inQ = qnt::getPerTensorI8Type(op.getInput().getType());
  auto outQ = qnt::getPerTensorI8Type(op.getType());
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  if (!inQ || !outQ || inType.getRank() != 4 || op.getGroup() != 1)
    return std::nullopt;
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t oc = wType.getDimSize(0);
  SmallVector<int8_t> matrix;
  SmallVector<int64_t> bias;
  std::optional<KernelOperands> started =
      startOperands(op, "qconv2d", oc, inQ, outQ, matrix, bias);
  if (!started)
    return std::nullopt;
  KernelOperands &k = *started;
  int64_t ic = wType.getDimSize(1), kh = wType.getDimSize(2),
          kw = wType.getDimSize(3), kk = ic * kh * kw;
  k.packedWeights = packRowsPanels(
      directConvMatrix(matrix, oc, ic, kh, kw, isa.kGroup), oc,
      quant_qconv_direct_row(ic, kh, kw, isa.kGroup), isa.mr, isa.kGroup);
  k.bias = compensatedBiases(matrix, oc, kk, /*channelMajor=*/true, bias,
                             inQ.getZeroPoint(), isa.activationShift());
  k.params = convParams(op, QUANT_QCONV_NUM_PARAMS, inQ.getZeroPoint(),
                        parallel);
  k.params[QUANT_QCONV_OUT_ZP] = outQ.getZeroPoint();
  k.params[QUANT_QCONV_QMIN] = outQ.getStorageTypeMin();
  k.params[QUANT_QCONV_QMAX] = outQ.getStorageTypeMax();
  k.scratchBytes =
      quant_qconv_scratch_bytes(k.params.data(), isa.nc, isa.kGroup);
  return started;
}

/// gemm (transB as given) and matmul (transB false): [B][K] x W -> [B][N].
std::optional<KernelOperands> gemmOperands(Operation *op, bool transB,
                                           const Int8KernelIsa &isa,
                                           bool parallel) {
  auto inQ = qnt::getPerTensorI8Type(op->getOperand(0).getType());
  auto outQ = qnt::getPerTensorI8Type(op->getResult(0).getType());
  auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
  auto wType = cast<RankedTensorType>(op->getOperand(1).getType());
  if (!inQ || !outQ || inType.getRank() != 2 || wType.getRank() != 2)
    return std::nullopt;
  int64_t b = inType.getDimSize(0), kk = inType.getDimSize(1);
  int64_t n = transB ? wType.getDimSize(0) : wType.getDimSize(1);
  SmallVector<int8_t> matrix;
  SmallVector<int64_t> bias;
  std::optional<KernelOperands> started =
      startOperands(op, "qgemm", n, inQ, outQ, matrix, bias);
  if (!started)
    return std::nullopt;
  KernelOperands &k = *started;
  k.packedWeights = packColsPanels(matrix, kk, n, transB, isa.nc, isa.kGroup);
  k.bias = compensatedBiases(matrix, n, kk, /*channelMajor=*/transB, bias,
                             inQ.getZeroPoint(), isa.activationShift());
  k.params.assign(QUANT_QGEMM_NUM_PARAMS, 0);
  k.params[QUANT_QGEMM_B] = b;
  k.params[QUANT_QGEMM_K] = kk;
  k.params[QUANT_QGEMM_N] = n;
  k.params[QUANT_QGEMM_IN_ZP] = inQ.getZeroPoint();
  k.params[QUANT_QGEMM_OUT_ZP] = outQ.getZeroPoint();
  k.params[QUANT_QGEMM_QMIN] = outQ.getStorageTypeMin();
  k.params[QUANT_QGEMM_QMAX] = outQ.getStorageTypeMax();
  k.params[QUANT_QGEMM_PARALLEL] = parallel;
  k.scratchBytes = quant_qgemm_scratch_bytes(b, kk, isa.mr, isa.kGroup);
  return started;
}

struct QuantCpuInt8KernelsPass
    : quant_compiler::impl::QuantCpuInt8KernelsBase<QuantCpuInt8KernelsPass> {
  using Base::Base;
  void runOnOperation() override;
};

/// `memref<?xT>` viewing the whole of `tensor`'s buffer (read only).
Value flatBufferOf(OpBuilder &b, Location loc, Value tensor) {
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

/// A 1-D constant tensor of `values`, as a flat buffer.
template <typename T>
Value constantBuffer(OpBuilder &b, Location loc, ArrayRef<T> values,
                     unsigned bits, StringRef blobName) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getIntegerType(bits));
  ElementsAttr attr;
  if constexpr (sizeof(T) == 1)
    attr = qnt::makeI8Elements(type, values, blobName);
  else if constexpr (sizeof(T) == 4)
    attr = qnt::makeI32Elements(type, values, blobName);
  else
    attr = DenseElementsAttr::get(type, values);
  Value constant = arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
  return flatBufferOf(b, loc, constant);
}

/// `func.func private @quant_<kernel>_<isa>(memref<?xi8> input, weights,
/// memref<?xi32> bias, multiplier, shift, memref<?xi8> output, scratch,
/// memref<?xi64> params)` with a C interface.
func::FuncOp declareKernel(ModuleOp module, StringRef name) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  MLIRContext *ctx = module.getContext();
  auto bytes = MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
  auto words =
      MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 32));
  auto longs =
      MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 64));
  auto type = FunctionType::get(
      ctx, {bytes, bytes, words, words, words, bytes, bytes, longs}, {});
  auto func = func::FuncOp::create(b, module.getLoc(), name, type);
  func.setPrivate();
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(ctx));
  return func;
}

void rewrite(Operation *op, const KernelOperands &k, const Int8KernelIsa &isa,
             ModuleOp module, int64_t index) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  std::string prefix = "__quant_" + k.kernel.str() + std::to_string(index);
  Value input = qnt::castToStorage(b, loc, op->getOperand(0));

  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  Type i8 = b.getI8Type();
  SmallVector<Value> args{
      flatBufferOf(b, loc, input),
      constantBuffer<int8_t>(b, loc, k.packedWeights, 8, prefix + "_w"),
      constantBuffer<int32_t>(b, loc, k.bias, 32, prefix + "_b"),
      constantBuffer<int32_t>(b, loc, k.multipliers, 32, prefix + "_m"),
      constantBuffer<int32_t>(b, loc, k.shifts, 32, prefix + "_s")};
  auto outFlat = MemRefType::get({outType.getNumElements()}, i8);
  Value out = memref::AllocOp::create(b, loc, outFlat, b.getI64IntegerAttr(64));
  auto dynBytes = MemRefType::get({ShapedType::kDynamic}, i8);
  args.push_back(memref::CastOp::create(b, loc, dynBytes, out));
  Value scratch = memref::AllocOp::create(
      b, loc, MemRefType::get({std::max<int64_t>(k.scratchBytes, 1)}, i8),
      b.getI64IntegerAttr(64));
  args.push_back(memref::CastOp::create(b, loc, dynBytes, scratch));
  args.push_back(constantBuffer<int64_t>(b, loc, k.params, 64, ""));
  func::FuncOp callee =
      declareKernel(module, ("quant_" + k.kernel + "_" + isa.name).str());
  func::CallOp::create(b, loc, callee, args);
  replaceWithKernelOutput(b, op, out);
}

/// `func.func private @NAME(memref<?xi8> input, weights, memref<?xf32>
/// scales, bias, output, memref<?xi8> scratch, memref<?xi64> params)` with a
/// C interface: the int4 kernels.
func::FuncOp declareInt4Kernel(ModuleOp module, StringRef name) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  MLIRContext *ctx = module.getContext();
  auto bytes = MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
  auto floats = MemRefType::get({ShapedType::kDynamic}, Float32Type::get(ctx));
  auto longs =
      MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 64));
  auto type = FunctionType::get(
      ctx, {bytes, bytes, floats, floats, floats, bytes, longs}, {});
  auto func = func::FuncOp::create(b, module.getLoc(), name, type);
  func.setPrivate();
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(ctx));
  return func;
}

/// An f32 constant of `values` as a flat buffer.
Value constantF32Buffer(OpBuilder &b, Location loc, ArrayRef<float> values,
                        StringRef blobName) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getF32Type());
  Value constant = arith::ConstantOp::create(
      b, loc, cast<TypedAttr>(qnt::makeF32Elements(type, values, blobName)));
  return flatBufferOf(b, loc, constant);
}

/// An int4 layer (qnt-quantize's weight-only form: grouped i4 weight,
/// per-tensor i8 input, f32 bias and result) as a call of
/// quant_w4conv2d_<isa> or quant_w4gemm_<isa>; false if `op` is not one.
bool rewriteInt4(Operation *op, const Int8KernelIsa &isa, bool parallel,
                 ModuleOp module, int64_t index) {
  if (!isa_and_nonnull<qnt::ConvOp, qnt::GemmOp, qnt::MatMulOp>(op) ||
      op->getNumOperands() < 2)
    return false;
  std::optional<qnt::GroupedI4Weight> w =
      qnt::getGroupedI4Weight(op->getOperand(1).getType());
  auto inQ = qnt::getPerTensorI8Type(op->getOperand(0).getType());
  auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  auto wType = cast<RankedTensorType>(op->getOperand(1).getType());
  std::optional<SmallVector<int64_t>> values = storageConstant(op->getOperand(1));
  if (!w || !inQ || !values || !outType.getElementType().isF32())
    return false;
  auto conv = dyn_cast<qnt::ConvOp>(op);
  if (conv && (inType.getRank() != 4 || conv.getGroup() != 1))
    return false;
  if (auto gemm = dyn_cast<qnt::GemmOp>(op))
    if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
        gemm.getBeta().convertToDouble() != 1.0)
      return false;
  if (!conv && inType.getRank() != 2)
    return false;

  int64_t taps = conv ? wType.getDimSize(2) * wType.getDimSize(3) : 1;
  int64_t k = w->inChannels * taps;
  SmallVector<int64_t> params;
  int64_t scratchBytes = 1;
  if (conv) {
    params = convParams(conv, QUANT_W4CONV_NUM_PARAMS, inQ.getZeroPoint(),
                        parallel);
    params[QUANT_W4CONV_GROUP_K] = w->groupSize * taps;
    scratchBytes = quant_w4conv_scratch_bytes(k, outType.getDimSize(2),
                                              outType.getDimSize(3));
  } else {
    params.assign(QUANT_W4GEMM_NUM_PARAMS, 0);
    params[QUANT_QGEMM_B] = inType.getDimSize(0);
    params[QUANT_QGEMM_K] = k;
    params[QUANT_QGEMM_N] = w->outChannels;
    params[QUANT_QGEMM_IN_ZP] = inQ.getZeroPoint();
    params[QUANT_QGEMM_PARALLEL] = parallel;
    params[QUANT_W4GEMM_GROUP_K] = w->groupSize;
  }

  OpBuilder b(op);
  Location loc = op->getLoc();
  std::string prefix = "__quant_w4_" + std::to_string(index);
  SmallVector<int8_t> packed = qnt::packGroupedI4Weight(wType, *w, *values);
  SmallVector<float> combined;
  for (double scale : w->scales)
    combined.push_back(static_cast<float>(inQ.getScale() * scale));
  Value bias =
      op->getNumOperands() > 2
          ? flatBufferOf(b, loc, op->getOperand(2))
          : constantF32Buffer(b, loc, SmallVector<float>(w->outChannels, 0.0f),
                              prefix + "_b");
  Value input = qnt::castToStorage(b, loc, op->getOperand(0));
  Type i8 = b.getI8Type();
  auto dynBytes = MemRefType::get({ShapedType::kDynamic}, i8);
  auto outFlat = MemRefType::get({outType.getNumElements()}, b.getF32Type());
  Value out = memref::AllocOp::create(b, loc, outFlat, b.getI64IntegerAttr(64));
  Value scratch = memref::AllocOp::create(
      b, loc, MemRefType::get({scratchBytes}, i8), b.getI64IntegerAttr(64));
  SmallVector<Value> args{
      flatBufferOf(b, loc, input),
      constantBuffer<int8_t>(b, loc, packed, 8, prefix + "_w"),
      constantF32Buffer(b, loc, combined, prefix + "_c"),
      bias,
      memref::CastOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, b.getF32Type()), out),
      memref::CastOp::create(b, loc, dynBytes, scratch),
      constantBuffer<int64_t>(b, loc, params, 64, "")};
  func::FuncOp callee = declareInt4Kernel(
      module, (conv ? "quant_w4conv2d_" : "quant_w4gemm_") + isa.name.str());
  func::CallOp::create(b, loc, callee, args);
  Value result = bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get(outFlat.getShape(), b.getF32Type()), out,
      /*restrict=*/true, /*writable=*/true);
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < outType.getRank(); ++i)
    all[0].push_back(i);
  result = tensor::ExpandShapeOp::create(b, loc, outType, result, all);
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return true;
}

void QuantCpuInt8KernelsPass::runOnOperation() {
  ModuleOp module = getOperation();
  std::optional<Int8KernelIsa> target = lookupInt8KernelIsa(isa);
  if (!target) {
    module.emitError("quant-cpu-int8-kernels: unknown isa '")
        << isa << "' (expected one of " << int8KernelIsaNames() << ")";
    return signalPassFailure();
  }
  std::vector<std::pair<Operation *, KernelOperands>> work;
  module.walk([&](Operation *op) {
    std::optional<KernelOperands> k;
    if (auto conv = dyn_cast<qnt::ConvOp>(op))
      k = convOperands(conv, *target, parallel);
    else if (auto gemm = dyn_cast<qnt::GemmOp>(op)) {
      if (!gemm.getTransA() && gemm.getAlpha().convertToDouble() == 1.0 &&
          gemm.getBeta().convertToDouble() == 1.0)
        k = gemmOperands(op, gemm.getTransB(), *target, parallel);
    } else if (llvm::isa<qnt::MatMulOp>(op)) {
      k = gemmOperands(op, /*transB=*/false, *target, parallel);
    }
    if (k)
      work.emplace_back(op, std::move(*k));
  });
  for (auto [index, item] : llvm::enumerate(work))
    rewrite(item.first, item.second, *target, module, index);

  SmallVector<Operation *> int4;
  module.walk([&](Operation *op) {
    if (llvm::isa<qnt::ConvOp, qnt::GemmOp, qnt::MatMulOp>(op))
      int4.push_back(op);
  });
  for (auto [index, op] : llvm::enumerate(int4))
    rewriteInt4(op, *target, parallel, module, index);
}

} // namespace

std::optional<Int8ContractionOperands>
quant_compiler::getInt8ContractionOperands(Operation *op, int64_t channels,
                                           quant::UniformQuantizedType inQ,
                                           quant::UniformQuantizedType outQ) {
  std::optional<SmallVector<double>> wScales =
      qnt::getSymmetricI8WeightScales(op->getOperand(1).getType());
  std::optional<SmallVector<int64_t>> w = storageConstant(op->getOperand(1));
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

Value quant_compiler::flatBuffer(OpBuilder &b, Location loc, Value tensor) {
  return flatBufferOf(b, loc, tensor);
}

Value quant_compiler::constantI32Buffer(OpBuilder &b, Location loc,
                                        ArrayRef<int32_t> values,
                                        StringRef blobName) {
  return constantBuffer<int32_t>(b, loc, values, 32, blobName);
}

void quant_compiler::replaceWithKernelOutput(OpBuilder &b, Operation *op,
                                             Value out) {
  Location loc = op->getLoc();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  auto flat = cast<MemRefType>(out.getType());
  Value result = bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get(flat.getShape(), flat.getElementType()),
      out, /*restrict=*/true, /*writable=*/true);
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < outType.getRank(); ++i)
    all[0].push_back(i);
  result = tensor::ExpandShapeOp::create(
      b, loc, outType.clone(flat.getElementType()), result, all);
  op->getResult(0).replaceAllUsesWith(
      Value(quant::StorageCastOp::create(b, loc, outType, result)));
  op->erase();
}
