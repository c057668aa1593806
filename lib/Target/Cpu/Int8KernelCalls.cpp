//===- Int8KernelCalls.cpp - Quantized layers to microkernel calls --------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// quant-cpu-int8-kernels: quantized convolutions and GEMMs with constant
// weights become calls of the runtime kernels (runtime/kernels/; see the
// pass description in Passes.td and docs/Numerics.md). As IREE's
// CPULowerToUKernels, one LowerToKernelPattern per kernel family matches a
// layer, computes the kernel's constant operands at compile time, and
// replaces the layer by the call; a layer a kernel does not take is left to
// the reference lowering, with the reason as the match failure.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Cpu/Passes.h"

#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/QuantMath.h"
#include "quant/Target/Common/KernelOperands.h"
#include "quant/Target/Cpu/Int8Kernels.h"

#include "quant_int8_kernels.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "quant-cpu-int8-kernels"

namespace mlir::quant_compiler {
#define GEN_PASS_DEF_QUANTCPUINT8KERNELS
#include "quant/Target/Cpu/Passes.h.inc"
} // namespace mlir::quant_compiler

using namespace mlir;
using namespace mlir::quant_compiler;

namespace {

/// What every kernel pattern of one pass run shares: the instruction set,
/// whether kernels may use OpenMP, and a counter that names each call's
/// constant blobs.
struct KernelTarget {
  Int8KernelIsa isa;
  bool parallel = false;
  mutable int64_t calls = 0;
};

/// A kernel call: the callee, its constant operands (computed at compile
/// time) and its scratch size.
struct KernelOperands {
  StringRef kernel; // "qconv2d" or "qgemm"
  std::vector<int8_t> packedWeights;
  std::vector<int32_t> bias;
  SmallVector<int32_t> multipliers, shifts;
  SmallVector<int64_t> params;
  int64_t scratchBytes = 0;
};

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

/// The operands of quant_qconv2d_<isa> for a 2-D group-1 conv on int8, or
/// of quant_qdwconv2d_<isa> for a depthwise one. Both take the
/// QUANT_QCONV_* params with the output grid and per-channel
/// requantization; they differ in the weights and bias: the dense kernel
/// takes rows panels in the direct K order and the zero-point-compensated
/// bias, the depthwise one the weights as stored ([C][KH][KW]) and the raw
/// int32 bias (it subtracts the zero point from its inputs itself).
FailureOr<KernelOperands> int8KernelOperands(qnt::ConvOp op,
                                             const KernelTarget &target,
                                             PatternRewriter &rewriter) {
  const Int8KernelIsa &isa = target.isa;
  auto inQ = qnt::getPerTensorI8Type(op.getInput().getType());
  auto outQ = qnt::getPerTensorI8Type(op.getType());
  if (!inQ || !outQ)
    return rewriter.notifyMatchFailure(op, "input or result not per-tensor i8");
  std::optional<qnt::LinearLayer> layer = qnt::getQuantizableLayer(op);
  bool depthwise = layer && layer->depthwise;
  if (!depthwise &&
      (op.getInput().getType().getRank() != 4 || op.getGroup() != 1))
    return rewriter.notifyMatchFailure(op, "not a 2-D conv with one group");
  KernelOperands k;
  k.kernel = depthwise ? "qdwconv2d" : "qconv2d";
  k.params = convParams(op, QUANT_QCONV_NUM_PARAMS, inQ.getZeroPoint(),
                        target.parallel);
  k.params[QUANT_QCONV_OUT_ZP] = outQ.getZeroPoint();
  k.params[QUANT_QCONV_QMIN] = outQ.getStorageTypeMin();
  k.params[QUANT_QCONV_QMAX] = outQ.getStorageTypeMax();
  if (depthwise && !quant_qdwconv_supported(k.params.data()))
    return rewriter.notifyMatchFailure(
        op, "kernel size, stride or dilation beyond the depthwise kernel's "
            "limits");
  auto wType = op.getWeight().getType();
  int64_t oc = wType.getDimSize(0);
  std::optional<Int8ContractionOperands> operands =
      getInt8ContractionOperands(op, oc, inQ, outQ);
  if (!operands)
    return rewriter.notifyMatchFailure(
        op, "weights or bias not constant, or a scale with no fixed-point "
            "form");
  k.multipliers = std::move(operands->multipliers);
  k.shifts = std::move(operands->shifts);
  ArrayRef<int8_t> matrix = operands->weights;
  if (depthwise) {
    k.packedWeights.assign(matrix.begin(), matrix.end());
    for (int64_t b : operands->bias)
      k.bias.push_back(static_cast<int32_t>(b));
    k.scratchBytes = quant_qdwconv_scratch_bytes(k.params.data());
    return k;
  }
  int64_t ic = wType.getDimSize(1), kh = wType.getDimSize(2),
          kw = wType.getDimSize(3), kk = ic * kh * kw;
  k.packedWeights = packRowsPanels(
      directConvMatrix(matrix, oc, ic, kh, kw, isa.kGroup), oc,
      quant_qconv_direct_row(ic, kh, kw, isa.kGroup), isa.mr, isa.kGroup);
  k.bias =
      compensatedBiases(matrix, oc, kk, /*channelMajor=*/true, operands->bias,
                        inQ.getZeroPoint(), isa.activationShift());
  k.scratchBytes =
      quant_qconv_scratch_bytes(k.params.data(), isa.nc, isa.kGroup);
  return k;
}

/// The operands of quant_qgemm_<isa> for a gemm or 2-D matmul on int8:
/// [B][K] x W -> [B][N], W stored [K][N] or [N][K].
FailureOr<KernelOperands> int8KernelOperands(Operation *op,
                                             const KernelTarget &target,
                                             PatternRewriter &rewriter) {
  const Int8KernelIsa &isa = target.isa;
  FailureOr<Int8Layer> matched = matchInt8Layer(op, rewriter);
  if (failed(matched))
    return failure();
  quant::UniformQuantizedType inQ = matched->input, outQ = matched->output;
  RankedTensorType inType = matched->inputType, wType = matched->weightType;
  const qnt::LinearLayer *layer = &matched->layer;
  bool transB = layer->outAxis == 0;
  int64_t b = inType.getDimSize(0), kk = inType.getDimSize(1);
  int64_t n = wType.getDimSize(layer->outAxis);
  std::optional<Int8ContractionOperands> operands =
      getInt8ContractionOperands(op, n, inQ, outQ);
  if (!operands)
    return rewriter.notifyMatchFailure(
        op, "weights or bias not constant, or a scale with no fixed-point "
            "form");
  KernelOperands k;
  k.kernel = "qgemm";
  k.multipliers = std::move(operands->multipliers);
  k.shifts = std::move(operands->shifts);
  ArrayRef<int8_t> matrix = operands->weights;
  k.packedWeights = packColsPanels(matrix, kk, n, transB, isa.nc, isa.kGroup);
  k.bias =
      compensatedBiases(matrix, n, kk, /*channelMajor=*/transB, operands->bias,
                        inQ.getZeroPoint(), isa.activationShift());
  k.params.assign(QUANT_QGEMM_NUM_PARAMS, 0);
  k.params[QUANT_QGEMM_B] = b;
  k.params[QUANT_QGEMM_K] = kk;
  k.params[QUANT_QGEMM_N] = n;
  k.params[QUANT_QGEMM_IN_ZP] = inQ.getZeroPoint();
  k.params[QUANT_QGEMM_OUT_ZP] = outQ.getZeroPoint();
  k.params[QUANT_QGEMM_QMIN] = outQ.getStorageTypeMin();
  k.params[QUANT_QGEMM_QMAX] = outQ.getStorageTypeMax();
  k.params[QUANT_QGEMM_PARALLEL] = target.parallel;
  k.scratchBytes = quant_qgemm_scratch_bytes(b, kk, isa.mr, isa.kGroup);
  return k;
}

/// A 64-byte-aligned flat buffer of `count` elements of `element`, and its
/// `memref<?xT>` view for a kernel argument.
std::pair<Value, Value> allocateFlat(OpBuilder &b, Location loc, int64_t count,
                                     Type element) {
  Value buffer = memref::AllocOp::create(
      b, loc, MemRefType::get({std::max<int64_t>(count, 1)}, element),
      b.getI64IntegerAttr(64));
  Value view = memref::CastOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, element), buffer);
  return {buffer, view};
}

/// An int8 layer as a call of quant_<kernel>_<isa>(memref<?xi8> input,
/// weights, memref<?xi32> bias, multiplier, shift, memref<?xi8> output,
/// scratch, memref<?xi64> params).
template <typename OpTy>
struct LowerToInt8KernelPattern : OpRewritePattern<OpTy> {
  LowerToInt8KernelPattern(MLIRContext *ctx, const KernelTarget &target)
      : OpRewritePattern<OpTy>(ctx), target(target) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (qnt::getGroupedI4Weight(op->getOperand(1).getType()))
      return rewriter.notifyMatchFailure(op, "an int4 layer");
    FailureOr<KernelOperands> k = int8KernelOperands(op, target, rewriter);
    if (failed(k))
      return failure();
    Location loc = op.getLoc();
    std::string prefix =
        "__quant_" + k->kernel.str() + std::to_string(target.calls++);
    Value input = qnt::castToStorage(rewriter, loc, op->getOperand(0));
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    Type i8 = rewriter.getI8Type();
    SmallVector<Value> args{
        flatBuffer(rewriter, loc, input),
        constantI8Buffer(rewriter, loc, k->packedWeights, prefix + "_w"),
        constantI32Buffer(rewriter, loc, k->bias, prefix + "_b"),
        constantI32Buffer(rewriter, loc, k->multipliers, prefix + "_m"),
        constantI32Buffer(rewriter, loc, k->shifts, prefix + "_s")};
    auto [out, outView] =
        allocateFlat(rewriter, loc, outType.getNumElements(), i8);
    args.push_back(outView);
    args.push_back(allocateFlat(rewriter, loc, k->scratchBytes, i8).second);
    args.push_back(constantI64Buffer(rewriter, loc, k->params));
    func::FuncOp callee = declareKernelFunction(
        rewriter, op->template getParentOfType<ModuleOp>(),
        ("quant_" + k->kernel + "_" + target.isa.name).str(),
        ValueRange(args).getTypes());
    func::CallOp::create(rewriter, loc, callee, args);
    replaceWithKernelOutput(rewriter, op, out);
    return success();
  }

private:
  const KernelTarget &target;
};

/// The rhs of an activation product as the kernel reads it: `value` as
/// [batch][K][N], or the [batch][N][K] tensor it is the transpose of
/// (`nk`), through a qnt.transpose of the last two dims on the int8 value
/// or on the float one its quant.qcast quantizes. In the second case the
/// quant.qcast moves before the transpose (both act per element), so the
/// kernel reads the untransposed tensor quantized in place.
Value untransposedRhs(PatternRewriter &rewriter, Value value, bool &nk) {
  nk = false;
  if (auto t = value.getDefiningOp<qnt::TransposeOp>();
      t && t.swapsLastTwoDims()) {
    nk = true;
    return t.getInput();
  }
  auto qcast = value.getDefiningOp<quant::QuantizeCastOp>();
  auto t = qcast ? qcast.getInput().getDefiningOp<qnt::TransposeOp>()
                 : qnt::TransposeOp();
  if (!t || !t.swapsLastTwoDims())
    return value;
  nk = true;
  auto inType = t.getInput().getType();
  auto qType = cast<RankedTensorType>(qcast.getType());
  return quant::QuantizeCastOp::create(rewriter, qcast.getLoc(),
                                       inType.clone(qType.getElementType()),
                                       t.getInput());
}

/// A static int8 product of two activations (qnt-quantize's form of
/// attention's Q K^T and P V: a qnt.matmul of per-tensor int8 operands
/// whose rhs is not a constant) as a call of quant_qbmm_<isa>(memref<?xi8>
/// lhs, rhs, output, memref<?xi64> params). A transpose of the rhs's last
/// two dims (Q K^T's) is folded into the kernel's [N][K] layout instead
/// of being materialized.
// The kernel's exact-sum bound is the one the reference lowering checks.
static_assert(QUANT_QBMM_MAX_K == qnt::kMaxActivationProductK,
              "quant_int8_kernels.h and QuantMath.h disagree on K");

struct LowerActivationProductPattern : OpRewritePattern<qnt::MatMulOp> {
  LowerActivationProductPattern(MLIRContext *ctx, const KernelTarget &target)
      : OpRewritePattern(ctx), target(target) {}

  LogicalResult matchAndRewrite(qnt::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhsQ = qnt::getPerTensorI8Type(op.getLhs().getType());
    auto rhsQ = qnt::getPerTensorI8Type(op.getRhs().getType());
    auto outQ = qnt::getPerTensorI8Type(op.getType());
    if (!lhsQ || !rhsQ || !outQ)
      return rewriter.notifyMatchFailure(
          op, "operands or result not per-tensor i8");
    if (getStorageConstant(op.getRhs()))
      return rewriter.notifyMatchFailure(op, "a layer (constant rhs)");
    ArrayRef<int64_t> a = op.getLhs().getType().getShape(),
                      b = op.getRhs().getType().getShape();
    if (a.size() < 2 || a.size() != b.size() ||
        a.drop_back(2) != b.drop_back(2))
      return rewriter.notifyMatchFailure(
          op, "operands not of one rank >= 2 with equal batch dims");
    int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
    int64_t bad = 0;
    std::optional<SmallVector<qnt::FixedPointMultiplier>> fixed =
        qnt::getRequantMultipliers(lhsQ.getScale(), {rhsQ.getScale()},
                                   outQ.getScale(), 1, bad);
    SmallVector<int64_t> params(QUANT_QBMM_NUM_PARAMS, 0);
    int64_t batch = 1;
    for (int64_t d : a.drop_back(2))
      batch *= d;
    params[QUANT_QBMM_BATCH] = batch;
    params[QUANT_QBMM_M] = m;
    params[QUANT_QBMM_K] = k;
    params[QUANT_QBMM_N] = n;
    params[QUANT_QBMM_LHS_ZP] = lhsQ.getZeroPoint();
    params[QUANT_QBMM_RHS_ZP] = rhsQ.getZeroPoint();
    params[QUANT_QBMM_MULT] = fixed ? (*fixed)[0].multiplier : -1;
    params[QUANT_QBMM_SHIFT] = fixed ? (*fixed)[0].shift : 0;
    params[QUANT_QBMM_OUT_ZP] = outQ.getZeroPoint();
    params[QUANT_QBMM_QMIN] = outQ.getStorageTypeMin();
    params[QUANT_QBMM_QMAX] = outQ.getStorageTypeMax();
    params[QUANT_QBMM_PARALLEL] = target.parallel;
    if (!quant_qbmm_supported(params.data()))
      return rewriter.notifyMatchFailure(
          op, "K past the exact int32 bound, or a requantization scale with "
              "no fixed-point form (the reference lowering says which)");

    Location loc = op.getLoc();
    bool nk = false;
    Value rhs = untransposedRhs(rewriter, op.getRhs(), nk);
    params[QUANT_QBMM_RHS_NK] = nk;
    auto outType = cast<RankedTensorType>(op.getType());
    auto [out, outView] = allocateFlat(rewriter, loc, outType.getNumElements(),
                                       rewriter.getI8Type());
    SmallVector<Value> args{
        flatBuffer(rewriter, loc,
                   qnt::castToStorage(rewriter, loc, op.getLhs())),
        flatBuffer(rewriter, loc, qnt::castToStorage(rewriter, loc, rhs)),
        outView, constantI64Buffer(rewriter, loc, params)};
    func::FuncOp callee = declareKernelFunction(
        rewriter, op->getParentOfType<ModuleOp>(),
        ("quant_qbmm_" + target.isa.name).str(), ValueRange(args).getTypes());
    func::CallOp::create(rewriter, loc, callee, args);
    replaceWithKernelOutput(rewriter, op, out);
    return success();
  }

private:
  const KernelTarget &target;
};

/// An int4 layer (qnt-quantize's weight-only form: grouped i4 weight,
/// per-tensor i8 input, f32 bias and result) as a call of
/// quant_w4conv2d_<isa>(memref<?xi8> input, weights, memref<?xf32> scales,
/// bias, output, memref<?xi8> scratch, memref<?xi64> params), or of
/// quant_w4gemm_<isa>, which takes the W4A8 layout and a memref<?xi32> of
/// corrections after the scales (packW4GemmOperands).
struct LowerToInt4KernelPattern
    : OpInterfaceRewritePattern<qnt::LinearLayerOpInterface> {
  LowerToInt4KernelPattern(MLIRContext *ctx, const KernelTarget &target)
      : OpInterfaceRewritePattern(ctx), target(target) {}

  LogicalResult matchAndRewrite(qnt::LinearLayerOpInterface layerOp,
                                PatternRewriter &rewriter) const override {
    Operation *op = layerOp;
    std::optional<qnt::LinearLayer> layer = qnt::getQuantizableLayer(op);
    if (!layer || layer->depthwise)
      return rewriter.notifyMatchFailure(
          op, "not a plain linear layer (a depthwise conv has no int4 form)");
    Value weight = op->getOperand(layer->weightIndex);
    std::optional<qnt::GroupedI4Weight> w =
        qnt::getGroupedI4Weight(weight.getType());
    if (!w)
      return rewriter.notifyMatchFailure(op, "not an int4 layer");
    auto inQ = qnt::getPerTensorI8Type(op->getOperand(0).getType());
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    std::optional<SmallVector<int64_t>> values = getStorageConstant(weight);
    if (!inQ || !values || !outType.getElementType().isF32())
      return rewriter.notifyMatchFailure(
          op, "input not per-tensor i8, weight not constant, or result not "
              "f32");
    auto conv = dyn_cast<qnt::ConvOp>(op);
    auto wType = cast<RankedTensorType>(weight.getType());
    if (!conv && !quant_w4gemm_supported(w->inChannels, w->groupSize))
      return rewriter.notifyMatchFailure(
          op, "K or the group size is not a multiple of 4 (the W4A8 GEMM's "
              "k-quads)");
    SmallVector<int64_t> params;
    int64_t scratchBytes = int4Params(op, *w, inQ, params);

    Location loc = op->getLoc();
    std::string prefix = "__quant_w4_" + std::to_string(target.calls++);
    SmallVector<float> combined;
    for (double scale : w->scales)
      combined.push_back(static_cast<float>(inQ.getScale() * scale));
    Value bias =
        layer->biasIndex
            ? flatBuffer(rewriter, loc, op->getOperand(*layer->biasIndex))
            : constantF32Buffer(rewriter, loc,
                                SmallVector<float>(w->outChannels, 0.0f),
                                prefix + "_b");
    Value input = qnt::castToStorage(rewriter, loc, op->getOperand(0));
    auto [out, outView] = allocateFlat(rewriter, loc, outType.getNumElements(),
                                       rewriter.getF32Type());
    Value scratch =
        allocateFlat(rewriter, loc, scratchBytes, rewriter.getI8Type()).second;
    SmallVector<Value> args{flatBuffer(rewriter, loc, input)};
    if (conv) {
      args.push_back(constantI8Buffer(
          rewriter, loc, qnt::packGroupedI4Weight(wType, *w, *values),
          prefix + "_w"));
      args.push_back(constantF32Buffer(rewriter, loc, combined, prefix + "_c"));
    } else {
      // The weight is [K][N] or [N][K] (outAxis 1 or 0).
      int64_t n = w->outChannels, k = w->inChannels;
      auto at = [&](int64_t o, int64_t kk) {
        return w->outAxis == 0 ? (*values)[o * k + kk] : (*values)[kk * n + o];
      };
      W4GemmOperands packed = packW4GemmOperands(at, n, k, w->groupSize,
                                                 combined, inQ.getZeroPoint());
      args.push_back(
          constantI8Buffer(rewriter, loc, packed.weights, prefix + "_w"));
      args.push_back(
          constantF32Buffer(rewriter, loc, packed.scales, prefix + "_c"));
      args.push_back(
          constantI32Buffer(rewriter, loc, packed.corrections, prefix + "_z"));
    }
    args.append(
        {bias, outView, scratch, constantI64Buffer(rewriter, loc, params)});
    func::FuncOp callee = declareKernelFunction(
        rewriter, op->getParentOfType<ModuleOp>(),
        (conv ? "quant_w4conv2d_" : "quant_w4gemm_") + target.isa.name.str(),
        ValueRange(args).getTypes());
    func::CallOp::create(rewriter, loc, callee, args);
    rewriter.replaceOp(op, kernelOutputAsTensor(rewriter, loc, out, outType));
    return success();
  }

private:
  /// Fills the QUANT_W4CONV_* / QUANT_W4GEMM_* params of int4 layer `op`;
  /// returns the scratch bytes its kernel needs.
  int64_t int4Params(Operation *op, const qnt::GroupedI4Weight &w,
                     quant::UniformQuantizedType inQ,
                     SmallVector<int64_t> &params) const {
    auto conv = dyn_cast<qnt::ConvOp>(op);
    auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    if (conv) {
      auto wType = conv.getWeight().getType();
      int64_t taps = wType.getDimSize(2) * wType.getDimSize(3);
      params = convParams(conv, QUANT_W4CONV_NUM_PARAMS, inQ.getZeroPoint(),
                          target.parallel);
      params[QUANT_W4CONV_GROUP_K] = w.groupSize * taps;
      return quant_w4conv_scratch_bytes(
          w.inChannels * taps, outType.getDimSize(2), outType.getDimSize(3));
    }
    params.assign(QUANT_W4GEMM_NUM_PARAMS, 0);
    params[QUANT_QGEMM_B] = inType.getDimSize(0);
    params[QUANT_QGEMM_K] = w.inChannels;
    params[QUANT_QGEMM_N] = w.outChannels;
    params[QUANT_QGEMM_IN_ZP] = inQ.getZeroPoint();
    params[QUANT_QGEMM_PARALLEL] = target.parallel;
    params[QUANT_W4GEMM_GROUP_K] = w.groupSize;
    return quant_w4gemm_scratch_bytes(inType.getDimSize(0), w.inChannels,
                                      w.groupSize);
  }

  const KernelTarget &target;
};

struct QuantCpuInt8KernelsPass
    : quant_compiler::impl::QuantCpuInt8KernelsBase<QuantCpuInt8KernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<Int8KernelIsa> isaInfo = lookupInt8KernelIsa(isa);
    if (!isaInfo) {
      module.emitError("quant-cpu-int8-kernels: isa=")
          << stringifyInt8Kernels(isa)
          << " names no instruction set (quant-compile resolves auto)";
      return signalPassFailure();
    }
    KernelTarget target{*isaInfo, parallel};
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<LowerToInt8KernelPattern<qnt::ConvOp>,
                 LowerToInt8KernelPattern<qnt::GemmOp>,
                 LowerToInt8KernelPattern<qnt::MatMulOp>,
                 LowerToInt4KernelPattern, LowerActivationProductPattern>(
        ctx, target);
    // One walk in program order, each layer visited once: a layer no
    // kernel takes stays for the reference lowering.
    walkAndApplyPatterns(module, std::move(patterns));
  }
};

} // namespace
