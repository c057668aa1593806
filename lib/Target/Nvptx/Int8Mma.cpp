//===- Int8Mma.cpp - Quantized ops to int8 tensor-core kernels ------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// quant-nvptx-int8-mma: one generated implicit-GEMM kernel per quantized
// convolution or GEMM, on mma.sync m16n8k32 (see Passes.td and
// docs/Numerics.md, "NVIDIA GPUs").
//
// Fragment layouts (PTX ISA, "Matrix Fragments for mma.m16n8k32", .s8),
// with g = lane / 4 and t = lane % 4:
//   A (16 x 32, row): register r holds 4 consecutive k of one row:
//     r0 = row g,   k 4t..4t+3     r1 = row g+8, k 4t..4t+3
//     r2 = row g,   k 16+4t..      r3 = row g+8, k 16+4t..
//   B (32 x 8, col): b0 = k 4t..4t+3, b1 = k 16+4t.., both of column g
//   C (16 x 8): c0, c1 = row g, columns 2t, 2t+1; c2, c3 = row g+8.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Nvptx/Passes.h"

#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Target/Common/KernelOperands.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::quant_compiler {
#define GEN_PASS_DEF_QUANTGPULAUNCHKERNELCALLS
#define GEN_PASS_DEF_QUANTNVPTXINT8MMA
#include "quant/Target/Nvptx/Passes.h.inc"
} // namespace mlir::quant_compiler

using namespace mlir;
using namespace mlir::quant_compiler;

namespace {

constexpr StringLiteral kLaunchKernelAttr = "quant.launch_kernel";
constexpr StringLiteral kLaunchGridAttr = "quant.launch_grid";
constexpr StringLiteral kLaunchBlockAttr = "quant.launch_block";

constexpr int64_t kWarps = 4;      // per block
constexpr int64_t kWarpRows = 16;  // rows of one warp's tile
constexpr int64_t kWarpNTiles = 4; // n8 tiles of one warp's tile
constexpr int64_t kBlockRows = kWarps * kWarpRows;
constexpr int64_t kBlockCols = kWarpNTiles * 8;

/// One layer's contraction: sizes baked into its kernel.
struct MmaLayer {
  bool conv = false;
  int64_t m = 0, n = 0, k = 0;
  // Convolutions (NCHW input, OIHW weights).
  int64_t ic = 0, ih = 0, iw = 0, oh = 0, ow = 0, kh = 1, kw = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, padTop = 0, padLeft = 0;
  int32_t inZp = 0, outZp = 0, qmin = -128, qmax = 127;
  /// B fragments: [ceil(n/32)*4 n-tiles][ceil(k/32)][32 lanes][2 words].
  std::vector<int32_t> packedWeights;
  std::vector<int32_t> bias; // compensated: bias - inZp * sum(w)
  SmallVector<int32_t> multipliers, shifts;

  int64_t kSteps() const { return (k + 31) / 32; }
  int64_t nTiles() const {
    return (n + kBlockCols - 1) / kBlockCols * kWarpNTiles;
  }
};

/// Packs `weight(col, kk)` (zero outside n x k) in the B fragment order.
template <typename Weight>
void packFragments(MmaLayer &layer, Weight weight) {
  int64_t steps = layer.kSteps(), tiles = layer.nTiles();
  layer.packedWeights.assign(tiles * steps * 32 * 2, 0);
  for (int64_t tile = 0; tile < tiles; ++tile)
    for (int64_t step = 0; step < steps; ++step)
      for (int64_t lane = 0; lane < 32; ++lane)
        for (int64_t word = 0; word < 2; ++word) {
          int64_t col = tile * 8 + lane / 4;
          uint32_t packed = 0;
          for (int64_t byte = 0; byte < 4; ++byte) {
            int64_t kk = step * 32 + word * 16 + (lane % 4) * 4 + byte;
            int8_t w = col < layer.n && kk < layer.k ? weight(col, kk) : 0;
            packed |= uint32_t(uint8_t(w)) << (8 * byte);
          }
          layer.packedWeights[((tile * steps + step) * 32 + lane) * 2 + word] =
              static_cast<int32_t>(packed);
        }
}

/// Fills what `op`'s kernel needs, or fails (with the reason) when the op
/// is not one the kernels handle: it then goes to the reference lowering.
FailureOr<MmaLayer> analyze(Operation *op, PatternRewriter &rewriter) {
  FailureOr<quant_compiler::Int8Layer> matched =
      quant_compiler::matchInt8Layer(op, rewriter);
  if (failed(matched))
    return failure();
  quant::UniformQuantizedType inQ = matched->input, outQ = matched->output;
  RankedTensorType inType = matched->inputType;
  RankedTensorType wType = matched->weightType;
  RankedTensorType outType = matched->resultType;
  const qnt::LinearLayer *linear = &matched->layer;
  MmaLayer layer;
  // OIHW conv weights are [channels][k]; gemm weights [N][K] with trans_b.
  bool transB = linear->outAxis == 0;
  if (linear->depthwise)
    return rewriter.notifyMatchFailure(op, "depthwise: no mma kernel");
  if (auto conv = dyn_cast<qnt::ConvOp>(op)) {
    layer.conv = true;
    layer.ic = inType.getDimSize(1);
    layer.ih = inType.getDimSize(2);
    layer.iw = inType.getDimSize(3);
    layer.oh = outType.getDimSize(2);
    layer.ow = outType.getDimSize(3);
    layer.kh = wType.getDimSize(2);
    layer.kw = wType.getDimSize(3);
    layer.sh = conv.getStrides()[0];
    layer.sw = conv.getStrides()[1];
    layer.dh = conv.getDilations()[0];
    layer.dw = conv.getDilations()[1];
    layer.padTop = conv.getPads()[0];
    layer.padLeft = conv.getPads()[1];
    layer.m = inType.getDimSize(0) * layer.oh * layer.ow;
    layer.n = wType.getDimSize(0);
    layer.k = layer.ic * layer.kh * layer.kw;
  } else {
    layer.m = inType.getDimSize(0);
    layer.k = inType.getDimSize(1);
    layer.n = wType.getDimSize(linear->outAxis);
  }
  // Sizes the kernel's 32-bit index arithmetic can hold (the packed
  // weights are indexed in 32-bit words too); larger layers go to the
  // reference lowering.
  int64_t limit = int64_t(1) << 31;
  if (inType.getNumElements() >= limit || outType.getNumElements() >= limit ||
      layer.m >= limit || layer.k >= limit || layer.n >= limit ||
      layer.nTiles() * layer.kSteps() * 64 >= limit)
    return rewriter.notifyMatchFailure(op, "sizes past 32-bit indexing");
  std::optional<Int8ContractionOperands> operands =
      getInt8ContractionOperands(op, layer.n, inQ, outQ);
  if (!operands)
    return rewriter.notifyMatchFailure(
        op, "weights or bias not constant, or a scale with no fixed-point "
            "form");
  layer.inZp = inQ.getZeroPoint();
  layer.outZp = outQ.getZeroPoint();
  layer.qmin = outQ.getStorageTypeMin();
  layer.qmax = outQ.getStorageTypeMax();
  ArrayRef<int8_t> w = operands->weights;
  int64_t n = layer.n, k = layer.k;
  packFragments(layer, [&](int64_t col, int64_t kk) {
    return transB ? w[col * k + kk] : w[kk * n + col];
  });
  layer.bias = compensatedBiases(w, n, k, /*channelMajor=*/transB,
                                 operands->bias, layer.inZp,
                                 /*activationShift=*/0);
  layer.multipliers = std::move(operands->multipliers);
  layer.shifts = std::move(operands->shifts);
  return layer;
}

/// Builds the kernel body of `layer` into `func` (arguments: input i8,
/// packed weights i32, bias, multipliers, shifts i32, output i8; all
/// memref<?xT>).
class KernelBuilder {
public:
  KernelBuilder(gpu::GPUFuncOp func, const MmaLayer &layer)
      : layer(layer), b(func.getBody()), loc(func.getLoc()),
        i32(b.getI32Type()), i64(b.getI64Type()) {
    b.setInsertionPointToStart(&func.getBody().front());
    for (int i = 0; i < 6; ++i)
      args[i] = func.getArgument(i);
  }

  void build();

private:
  Value c32(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(b, loc, x, c32(y));
  }
  Value rem(Value x, int64_t y) {
    return arith::RemUIOp::create(b, loc, x, c32(y));
  }
  Value ult(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value index(Value v) {
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), v);
  }
  Value load(Value memref, Value i) {
    return memref::LoadOp::create(b, loc, memref, ValueRange{index(i)});
  }
  Value id(Value v) { return arith::IndexCastUIOp::create(b, loc, i32, v); }

  /// The input byte of `row` (per-row state `r`) and reduction index `kk`,
  /// or the zero point outside the input.
  struct Row {
    Value valid, base, ih0, iw0, pixel, image;
  };
  Row rowState(Value row);
  Value gather(const Row &row, Value kk, Value kValid, Value kOffset, Value khh,
               Value kww);

  const MmaLayer &layer;
  OpBuilder b;
  Location loc;
  Type i32, i64;
  Value args[6];
};

KernelBuilder::Row KernelBuilder::rowState(Value row) {
  Row r;
  r.valid = ult(row, c32(layer.m));
  Value safe = select(r.valid, row, c32(0));
  if (!layer.conv) {
    r.base = mul(safe, c32(layer.k));
    return r;
  }
  int64_t pixels = layer.oh * layer.ow;
  r.image = div(safe, pixels);
  r.pixel = rem(safe, pixels);
  Value oh = div(r.pixel, layer.ow), ow = rem(r.pixel, layer.ow);
  r.ih0 = sub(mul(oh, c32(layer.sh)), c32(layer.padTop));
  r.iw0 = sub(mul(ow, c32(layer.sw)), c32(layer.padLeft));
  r.base = mul(r.image, c32(layer.ic * layer.ih * layer.iw));
  return r;
}

Value KernelBuilder::gather(const Row &row, Value kk, Value kValid,
                            Value kOffset, Value khh, Value kww) {
  Value inside = both(row.valid, kValid);
  Value offset;
  if (layer.conv) {
    Value ih = add(row.ih0, khh), iw = add(row.iw0, kww);
    // Negative coordinates are large unsigned numbers: one compare each.
    inside = both(inside, both(ult(ih, c32(layer.ih)), ult(iw, c32(layer.iw))));
    offset = add(add(row.base, kOffset), add(mul(ih, c32(layer.iw)), iw));
  } else {
    offset = add(row.base, kk);
  }
  Value safe = select(inside, offset, c32(0));
  Value byte = load(args[0], safe);
  Value zp = arith::ConstantOp::create(
      b, loc, b.getI8IntegerAttr(static_cast<int8_t>(layer.inZp)));
  return select(inside, byte, zp);
}

void KernelBuilder::build() {
  MLIRContext *ctx = b.getContext();
  Value tid = id(gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
  Value bx = id(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x));
  Value by = id(gpu::BlockIdOp::create(b, loc, gpu::Dimension::y));
  Value lane = rem(tid, 32), warp = div(tid, 32);
  Value g = div(lane, 4), t = rem(lane, 4);
  Value row0 = add(add(mul(bx, c32(kBlockRows)), mul(warp, c32(kWarpRows))), g);
  Row rows[2] = {rowState(row0), rowState(add(row0, c32(8)))};
  Value firstTile = mul(by, c32(kWarpNTiles));
  int64_t steps = layer.kSteps();

  SmallVector<Value> zeros(4 * kWarpNTiles, c32(0));
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, steps);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(b, loc, lb, ub, one, zeros);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = id(loop.getInductionVar());
    Value kBase = mul(step, c32(32));
    // A registers: [half][row] -> r0 (0,0), r1 (0,1), r2 (1,0), r3 (1,1).
    Value aRegs[4];
    for (int64_t half = 0; half < 2; ++half) {
      Value bytes[2][4];
      for (int64_t j = 0; j < 4; ++j) {
        Value kk = add(add(kBase, c32(half * 16 + j)), mul(t, c32(4)));
        Value kValid = ult(kk, c32(layer.k));
        Value kOffset, khh, kww;
        if (layer.conv) {
          Value safe = select(kValid, kk, c32(0));
          int64_t window = layer.kh * layer.kw;
          Value channel = div(safe, window), tap = rem(safe, window);
          kOffset = mul(channel, c32(layer.ih * layer.iw));
          khh = mul(div(tap, layer.kw), c32(layer.dh));
          kww = mul(rem(tap, layer.kw), c32(layer.dw));
        }
        for (int r = 0; r < 2; ++r)
          bytes[r][j] = gather(rows[r], kk, kValid, kOffset, khh, kww);
      }
      for (int r = 0; r < 2; ++r) {
        Value word = c32(0);
        for (int64_t j = 0; j < 4; ++j) {
          Value wide = arith::ExtUIOp::create(b, loc, i32, bytes[r][j]);
          word = arith::OrIOp::create(
              b, loc, word, arith::ShLIOp::create(b, loc, wide, c32(8 * j)));
        }
        aRegs[half * 2 + r] = word;
      }
    }
    auto structType =
        LLVM::LLVMStructType::getLiteral(ctx, SmallVector<Type>(4, i32));
    SmallVector<Value> results;
    ValueRange acc = loop.getRegionIterArgs();
    for (int64_t j = 0; j < kWarpNTiles; ++j) {
      Value tile = add(firstTile, c32(j));
      Value word = mul(
          add(mul(add(mul(tile, c32(steps)), step), c32(32)), lane), c32(2));
      Value b0 = load(args[1], word), b1 = load(args[1], add(word, c32(1)));
      auto mma = NVVM::MmaOp::create(
          b, loc, structType, NVVM::MMAShapeAttr::get(ctx, 16, 8, 32),
          /*b1Op=*/NVVM::MMAB1OpAttr(),
          NVVM::MMAIntOverflowAttr::get(ctx, NVVM::MMAIntOverflow::wrapped),
          NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
          NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col),
          NVVM::MMATypesAttr::get(ctx, NVVM::MMATypes::s8),
          NVVM::MMATypesAttr::get(ctx, NVVM::MMATypes::s8), ValueRange(aRegs),
          ValueRange{b0, b1}, acc.slice(4 * j, 4));
      for (int64_t i = 0; i < 4; ++i)
        results.push_back(LLVM::ExtractValueOp::create(b, loc, mma, i));
    }
    scf::YieldOp::create(b, loc, results);
  }

  // Epilogue: bias, QuantMath's requantization, clamp, store.
  for (int64_t j = 0; j < kWarpNTiles; ++j)
    for (int64_t i = 0; i < 4; ++i) {
      const Row &row = rows[i / 2];
      Value col = add(add(mul(add(firstTile, c32(j)), c32(8)), mul(t, c32(2))),
                      c32(i % 2));
      Value inside = both(row.valid, ult(col, c32(layer.n)));
      auto guard = scf::IfOp::create(b, loc, inside, /*withElse=*/false);
      OpBuilder::InsertionGuard insertion(b);
      b.setInsertionPointToStart(guard.thenBlock());
      Value acc = add(loop.getResult(j * 4 + i), load(args[2], col));
      Value mult = arith::ExtSIOp::create(b, loc, i64, load(args[3], col));
      Value shift = arith::ExtSIOp::create(b, loc, i64, load(args[4], col));
      auto c64 = [&](int64_t v) {
        return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
      };
      Value wide = arith::MulIOp::create(
          b, loc, arith::ExtSIOp::create(b, loc, i64, acc), mult);
      Value half = arith::ShLIOp::create(
          b, loc, c64(1), arith::SubIOp::create(b, loc, shift, c64(1)));
      Value v = arith::ShRSIOp::create(
          b, loc, arith::AddIOp::create(b, loc, wide, half), shift);
      v = arith::AddIOp::create(b, loc, v, c64(layer.outZp));
      v = arith::MaxSIOp::create(b, loc, v, c64(layer.qmin));
      v = arith::MinSIOp::create(b, loc, v, c64(layer.qmax));
      Value q = arith::TruncIOp::create(b, loc, b.getI8Type(), v);
      Value out;
      if (layer.conv) {
        int64_t pixels = layer.oh * layer.ow;
        out = add(mul(add(mul(row.image, c32(layer.n)), col), c32(pixels)),
                  row.pixel);
      } else {
        Value r = add(row0, c32(8 * (i / 2)));
        out = add(mul(r, c32(layer.n)), col);
      }
      memref::StoreOp::create(b, loc, q, args[5], ValueRange{index(out)});
    }
  gpu::ReturnOp::create(b, loc);
}

/// A quantized conv/gemm/matmul as a tensor-core kernel (a gpu.func in the
/// module's `quant_int8_mma` gpu.module, created on first use) and a call
/// of a launch stub on buffers of its tensors.
struct LowerToMmaKernelPattern
    : OpInterfaceRewritePattern<qnt::LinearLayerOpInterface> {
  LowerToMmaKernelPattern(MLIRContext *ctx, int64_t &kernelsMade)
      : OpInterfaceRewritePattern(ctx), kernelsMade(kernelsMade) {}

  LogicalResult matchAndRewrite(qnt::LinearLayerOpInterface layerOp,
                                PatternRewriter &rewriter) const override {
    Operation *op = layerOp;
    FailureOr<MmaLayer> layer = analyze(op, rewriter);
    if (failed(layer))
      return failure();
    std::string name =
        (layer->conv ? "qconv" : "qgemm") + std::to_string(kernelsMade++);
    auto module = op->getParentOfType<ModuleOp>();
    gpu::GPUFuncOp kernel =
        buildKernel(rewriter, module, op->getLoc(), name, *layer);
    emitLaunch(rewriter, op, *layer, kernel, name);
    return success();
  }

private:
  /// The gpu.func `name` computing `layer`, in the `quant_int8_mma`
  /// gpu.module (made, and the module marked a GPU container, first).
  static gpu::GPUFuncOp buildKernel(PatternRewriter &rewriter, ModuleOp module,
                                    Location loc, StringRef name,
                                    const MmaLayer &layer) {
    MLIRContext *ctx = module.getContext();
    OpBuilder::InsertionGuard guard(rewriter);
    auto kernels = module.lookupSymbol<gpu::GPUModuleOp>("quant_int8_mma");
    if (!kernels) {
      module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                      UnitAttr::get(ctx));
      rewriter.setInsertionPointToEnd(module.getBody());
      kernels =
          gpu::GPUModuleOp::create(rewriter, module.getLoc(), "quant_int8_mma");
    }
    Type i8 = IntegerType::get(ctx, 8), i32 = IntegerType::get(ctx, 32);
    auto bytes = MemRefType::get({ShapedType::kDynamic}, i8);
    auto words = MemRefType::get({ShapedType::kDynamic}, i32);
    rewriter.setInsertionPointToEnd(kernels.getBody());
    auto func = gpu::GPUFuncOp::create(
        rewriter, loc, name,
        FunctionType::get(ctx, {bytes, words, words, words, words, bytes}, {}));
    func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), UnitAttr::get(ctx));
    KernelBuilder(func, layer).build();
    return func;
  }

  /// The launch of `kernel` on buffers of `op`'s tensors, as a call of a
  /// declaration standing for it until buffers are final (buffer
  /// deallocation cannot look into gpu.launch_func);
  /// quant-gpu-launch-kernel-calls replaces it.
  static void emitLaunch(PatternRewriter &rewriter, Operation *op,
                         const MmaLayer &layer, gpu::GPUFuncOp kernel,
                         StringRef name) {
    MLIRContext *ctx = op->getContext();
    Location loc = op->getLoc();
    Type i8 = IntegerType::get(ctx, 8);
    auto bytes = MemRefType::get({ShapedType::kDynamic}, i8);
    std::string prefix = ("__quant_mma_" + name).str();
    Value input = qnt::castToStorage(rewriter, loc, op->getOperand(0));
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    auto outFlat = MemRefType::get({outType.getNumElements()}, i8);
    Value out = memref::AllocOp::create(rewriter, loc, outFlat,
                                        rewriter.getI64IntegerAttr(64));
    SmallVector<Value> args{
        flatBuffer(rewriter, loc, input),
        constantI32Buffer(rewriter, loc, layer.packedWeights, prefix + "_w"),
        constantI32Buffer(rewriter, loc, layer.bias, prefix + "_b"),
        constantI32Buffer(rewriter, loc, layer.multipliers, prefix + "_m"),
        constantI32Buffer(rewriter, loc, layer.shifts, prefix + "_s"),
        memref::CastOp::create(rewriter, loc, bytes, out)};
    auto module = op->getParentOfType<ModuleOp>();
    auto kernels = kernel->getParentOfType<gpu::GPUModuleOp>();
    func::FuncOp stub;
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(module.getBody());
      stub = func::FuncOp::create(
          rewriter, loc, ("__quant_launch_" + name).str(),
          FunctionType::get(ctx, ValueRange(args).getTypes(), {}));
      stub.setPrivate();
      stub->setAttr(kLaunchKernelAttr,
                    SymbolRefAttr::get(kernels.getNameAttr(),
                                       {FlatSymbolRefAttr::get(kernel)}));
      stub->setAttr(kLaunchGridAttr,
                    rewriter.getDenseI64ArrayAttr(
                        {(layer.m + kBlockRows - 1) / kBlockRows,
                         layer.nTiles() / kWarpNTiles, 1}));
      stub->setAttr(kLaunchBlockAttr,
                    rewriter.getDenseI64ArrayAttr({kWarps * 32, 1, 1}));
    }
    func::CallOp::create(rewriter, loc, stub, args);
    replaceWithKernelOutput(rewriter, op, out);
  }

  int64_t &kernelsMade;
};

struct QuantNvptxInt8MmaPass
    : quant_compiler::impl::QuantNvptxInt8MmaBase<QuantNvptxInt8MmaPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    int64_t kernelsMade = 0;
    RewritePatternSet patterns(ctx);
    patterns.add<LowerToMmaKernelPattern>(ctx, kernelsMade);
    // One walk in program order: each layer is visited once; one no
    // kernel takes stays for the reference lowering.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

namespace {

struct QuantGpuLaunchKernelCallsPass
    : quant_compiler::impl::QuantGpuLaunchKernelCallsBase<
          QuantGpuLaunchKernelCallsPass> {
  void runOnOperation() override;
};

void QuantGpuLaunchKernelCallsPass::runOnOperation() {
  ModuleOp module = getOperation();
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) {
    auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
    if (callee && callee->hasAttr(kLaunchKernelAttr))
      calls.push_back(call);
  });
  llvm::SetVector<func::FuncOp> stubs;
  for (func::CallOp call : calls) {
    auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
    auto kernel = callee->getAttrOfType<SymbolRefAttr>(kLaunchKernelAttr);
    auto grid = callee->getAttrOfType<DenseI64ArrayAttr>(kLaunchGridAttr);
    auto block = callee->getAttrOfType<DenseI64ArrayAttr>(kLaunchBlockAttr);
    if (!kernel || !grid || !block || grid.size() != 3 || block.size() != 3) {
      callee.emitError("quant-gpu-launch-kernel-calls: expected ")
          << kLaunchKernelAttr << ", " << kLaunchGridAttr << " and "
          << kLaunchBlockAttr << " (3 sizes each)";
      return signalPassFailure();
    }
    OpBuilder b(call);
    Location loc = call.getLoc();
    auto size = [&](DenseI64ArrayAttr dims) {
      SmallVector<Value> values;
      for (int64_t d : dims.asArrayRef())
        values.push_back(arith::ConstantIndexOp::create(b, loc, d));
      return gpu::KernelDim3{values[0], values[1], values[2]};
    };
    gpu::LaunchFuncOp::create(b, loc, kernel, size(grid), size(block),
                              /*dynamicSharedMemorySize=*/Value(),
                              call.getOperands());
    call.erase();
    stubs.insert(callee);
  }
  for (func::FuncOp stub : stubs)
    if (SymbolTable::symbolKnownUseEmpty(stub, module))
      stub.erase();
}

} // namespace
