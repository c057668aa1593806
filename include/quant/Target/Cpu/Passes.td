//===- Passes.td - CPU code generation passes ---------------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TARGET_CPU_PASSES_TD
#define QUANT_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def QuantBufferize : Pass<"quant-bufferize", "::mlir::ModuleOp"> {
  let summary = "One-Shot bufferization of a whole model with quant's options";
  let description = [{
    Runs One-Shot Module Bufferize with function boundaries bufferized to
    identity-layout memrefs (the layout the runtime ABI passes) and buffer
    copies emitted as `linalg.copy`, so that copies go through the same
    tiling and vectorization as every other linalg op instead of calling a
    runtime helper.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect", "::mlir::linalg::LinalgDialect"
  ];
}

def QuantCpuInt8Kernels : Pass<"quant-cpu-int8-kernels", "::mlir::ModuleOp"> {
  let summary = "Run quantized convolutions and GEMMs on the int8 (and int4) "
                "kernels";
  let description = [{
    Rewrites each quantized `qnt.conv` (2-D, group 1 or depthwise), `qnt.gemm` (no
    trans_a, alpha = beta = 1) and 2-D `qnt.matmul` whose weights are
    constants into a call of the microkernel for `isa`
    (`runtime/kernels/quant_int8_kernels.c`, which the compiler links into
    the model as LLVM bitcode). At compile time it packs the weights into
    the kernel's panel layout (k-groups of 4 bytes, 8 for `i8mm`'s
    `smmla`; a convolution's K ordered by channel group, kernel row,
    kernel column, channel, so that the kernel reads its k-groups in place
    from the input repacked once per image: padded channel groups, stride
    phases, or for strided convolutions with short output rows the im2col
    matrix), folds the zero-point compensation into the int32 bias
    (`-(zp + 128) * sum(w)` where the kernels multiply activations shifted to
    u8 by s8 weights, as `vpdpbusd` does; `-zp * sum(w)` for the s8 x s8
    AArch64 kernels, `sdot` and `smmla`), and computes each channel's
    fixed-point multiplier and shift. The call reads its operands
    through `bufferization.to_buffer` and writes a fresh buffer wrapped by
    `bufferization.to_tensor restrict writable`, so One-Shot Bufferize
    and the deallocation pipeline handle it like any other op; the scratch
    buffer (the repacked, padded image or packed activation rows) is a
    `memref.alloc`.

    A depthwise conv (group = channels) becomes a call of
    `quant_qdwconv2d_<isa>` with its weights as stored (`[C][KH][KW]`),
    the raw int32 bias and per-channel multipliers. The kernel expands
    each padded input row once per group of output rows into windows of
    4-byte entries (the inputs of 4 consecutive taps of one output
    column), so every kernel row's quad of taps is a 4-way dot product of
    consecutive entries: `vpdpbusd` (AVX-512 VNNI, AVX-VNNI), two
    `vpmaddwd` on even and odd bytes (AVX2), `sdot` (AArch64), portable C;
    the zero point is folded into the bias at run time. Kernels over 8x8,
    horizontal strides over 4 or dilations over 32 stay on the reference
    lowering (`quant_qdwconv_supported`).

    int4 layers (`qnt-quantize weight-bits=4`: a grouped i4 weight, an
    int8 input, f32 bias and result) become calls of `quant_w4conv2d_<isa>`
    (portable C compiled for each ISA, weights packed two per byte as the
    reference lowering packs them) or `quant_w4gemm_<isa>` (W4A8
    microkernels: `vpdpbusd` on AVX-512 VNNI and AVX-VNNI,
    `vpmaddubsw`/`vpmaddwd` on AVX2, `udot` on AArch64 dotprod/i8mm, with
    a GEMV path for one row), whose weights are packed in blocks of 32
    output channels as offset-binary nibbles with per-group int32
    corrections for the zero point (quant_int8_kernels.h); both get the
    combined scales `f32(s_x * s_w)` and the f32 bias. A gemm whose K or
    group size is not a multiple of 4 stays on the reference lowering.

    A static int8 product of two activations (a `qnt.matmul` of per-tensor
    int8 operands whose rhs is not a constant: attention's `Q K^T` and
    `P V`) becomes a call of `quant_qbmm_<isa>` on both operands as
    stored, with the batch shape, zero points and the one fixed-point
    multiplier in its params (nothing packed). A transpose of the rhs's
    last two dims, on the int8 value or on the float one its `quant.qcast`
    quantizes (the qcast then moves before it), is not materialized: the
    kernel reads the untransposed `[N][K]` tensor (a key cache) in place.
    K past the exact int32 bound (33025) or batch dims that broadcast stay
    on the reference lowering.

    The kernels compute exactly what `convert-quantized-qnt-to-linalg`
    computes (int32 accumulation modulo 2^32, QuantMath's requantization;
    for int4 the group sums and the f32 steps of docs/Numerics.md);
    ops this pass leaves alone (grouped convolutions, a gemm with alpha !=
    1) go to that reference lowering. Run without this pass (quant-compile
    `--int8-kernels=reference`) for the reference everywhere.
  }];
  let options = [
    Option<"isa", "isa", "::mlir::quant_compiler::Int8Kernels",
           /*default=*/"::mlir::quant_compiler::Int8Kernels::Generic",
           "Instruction set of the kernels to call: generic, avx2, avxvnni, "
           "avx512vnni (x86-64), dotprod, i8mm (AArch64)",
           "::mlir::quant_compiler::int8KernelsValues()">,
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Let the kernels use OpenMP threads">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def QuantApproximateMath : Pass<"quant-approximate-math"> {
  let summary = "Replace transcendental math ops by vectorizable polynomials";
  let description = [{
    Rewrites `math.erf`, `math.tanh`, `math.exp`, `math.log` and friends on
    f32 into the polynomial approximations of upstream MLIR (accurate to a
    few ulps; see docs/Numerics.md) so that they vectorize instead of
    becoming one libm call per element.
  }];
  let dependentDialects = [
    "::mlir::math::MathDialect", "::mlir::arith::ArithDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def QuantFuseElementwise : Pass<"quant-fuse-elementwise"> {
  let summary = "Fuse elementwise producers into consumers without recomputation";
  let description = [{
    Upstream's elementwise fusion (`linalg::populateElementwiseOpsFusionPatterns`
    with reshape propagation by expansion and constant folding), restricted
    so that no value is computed more than once per element: a producer is
    fused into a consumer with reduction loops only when the consumer reads
    the producer's result through a permutation of all its loops (each
    element used once, e.g. `exp` into a row sum). Upstream's
    `linalg-fuse-elementwise-ops` would also fuse a LayerNorm or GELU into
    the following matmul, recomputing it once per output column.

    A `linalg.transpose` read only by a matrix-vector contraction (fewer
    than 4 output rows, e.g. a decoder's q [1,Dh] times its key cache
    transposed) is folded into the contraction's indexing map when that
    makes the innermost reduction loop the innermost dim of the folded
    operand: the cache is read in place instead of being copied with
    strided reads first (`quant-cpu-tile-and-vectorize` then takes it in
    its dot form). Contractions with 4 or more rows keep the copy.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::affine::AffineDialect"
  ];
}

def QuantCpuTileAndVectorize
    : Pass<"quant-cpu-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors into SIMD register tiles and vectorize them";
  let description = [{
    The CPU code generation step. It runs on tensors after elementwise
    fusion, and again on buffers after bufferization (for the copies and
    fills bufferization introduces). With static shapes:

    1. Convolutions become contractions the vectorizer handles. A batch > 1
       is first an `scf.for` over single images. `linalg.conv_2d_nchw_fchw`
       with a 1x1 kernel and unit strides becomes a `linalg.matmul`
       (weights [F,C] x image [C,H*W]); stride-1, dilation-1 ones whose
       im2col buffer would exceed 1 MiB and whose output rows are whole
       vectors need no im2col: an `scf.forall` over output rows accumulates,
       per kernel tap, the matmul W[:,:,kh,kw] [F,C] x image row [C,OW] read
       in place; the rest use im2col: one strided
       `tensor.extract_slice` per kernel tap inserted into a
       [C, KH*KW, OH, OW] tensor (kernels of up to 64 taps) or upstream's
       gather-based `linalg::rewriteInIm2Col` (larger kernels), then a
       `linalg.matmul`. `linalg.depthwise_conv_2d_nchw_chw` becomes one
       elementwise `linalg.generic` that adds every tap (strided slice of
       the input times a per-channel weight) in the reference order.
       A static `tensor.pad` with a constant value becomes fills of its
       border slabs (slices of the padded tensor, written in place) and an
       insert_slice of the source; other pads become a fill of the whole
       tensor + insert_slice.
    2. Ops are normalized for vectors: an elementwise op (identity maps)
       whose innermost dim has no divisor of at least 4 runs over its
       flattened shape; a tensor op whose innermost output dim divides badly
       (best tile under one vector, e.g. 97) is split with `linalg::splitOp`
       into a multiple of two vectors and a remainder; a contraction whose
       row dim divides badly into `rows` (e.g. 257) is split the same way.
       Fills are not split (`linalg::splitOp` hands back an erased op for
       them); they get shorter vectors instead.
    3. Every linalg op whose indexing maps are projected permutations
       (broadcasts allowed), whose innermost output dim is a parallel loop
       and which has no i1 operand (vector<Nxi1> memory is bit-packed) and
       is not a reduction over i8 operands (the reference int8 lowering's
       convolutions, contractions and pools: generic vectorization
       miscompiled an int8 contraction, see test/e2e/int8-sweep.test; the
       fast path runs them on quant-cpu-int8-kernels' microkernels) is
       tiled with `scf.forall` (later OpenMP) into tiles of
       `rows` x (up to 2 x `vector-width`) for contractions (4 vectors
       when fewer than 4 rows fit, to keep independent accumulators), or
       1 x ... x (up to 2 x `vector-width`) otherwise (an all-parallel op
       whose output rows are shorter than 4, as in a depth-to-space, takes
       that tile along the innermost dim of an input instead, with the
       short output dim whole), its innermost
       reduction loop into steps of `reduction-tile` with `scf.for`, and
       each tile is vectorized with `linalg::vectorize`. Tile sizes are the
       largest divisors of the loop ranges not above the targets, so every
       tile is full (no masks). Contraction tiles walk column tiles
       outermost, so one right-hand-side panel stays in cache. A float
       matrix-vector contraction (fewer than 4 rows) whose matrix is read
       along the reduction, strided along the output's columns (the folded
       q·Kᵀ above), takes its dot form instead: tiles of one vector of
       outputs by up to 4 vectors of the reduction, the matrix block read
       row by row and transposed in registers (no gathers).
    4. Accumulators are hoisted out of reduction loops
       (`hoistLoopInvariantSubsets`) and contractions are lowered to outer
       products, i.e. `vector.fma` on `vector-width` lanes. A tile with one
       output row, x[k] times B[k, n] (which the cleanup leaves as x
       broadcast and B transposed), becomes one broadcast FMA per k on rows
       of B as they lie in memory, where upstream's lowering would
       transpose B and sum each output's lanes. Every contraction keeps the
       reduction's order.

    Small ops (fewer than `parallel-threshold` iterations) and ops already
    inside an `scf.forall` get `scf.for` tiles instead of `scf.forall`, and on buffers the small ops the pass
    does not vectorize become sequential loops: waking a second thread costs
    more than they compute.

    Gathers (`tensor.extract` with computed indices, as in resize) are
    vectorized too, as `vector.gather`; a gather whose base is a
    `tensor.extract_slice` reads a contiguous `linalg.copy` of it instead
    (made once, next to the slice): the vectorizer's gather indices are
    linear offsets into a row-major base, and LLVM 22 lowers them without
    the strides of the subview the slice would bufferize to. Left alone for the loop lowering:
    pooling, reductions along the innermost dim, ops on i1, and whatever
    the vectorizer's precondition rejects.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes of the target's SIMD registers (8: AVX2, 16: AVX-512)">,
    Option<"rows", "rows", "int64_t", /*default=*/"4",
           "output rows of a contraction register tile">,
    Option<"reductionTile", "reduction-tile", "int64_t", /*default=*/"4",
           "innermost reduction steps per vectorized tile (unrolled FMAs)">,
    Option<"parallelThreshold", "parallel-threshold", "int64_t",
           /*default=*/"65536",
           "ops with fewer loop iterations than this are tiled with scf.for "
           "(one thread, no OpenMP region to enter), and on buffers the ones "
           "left untiled become scf.for loops">,
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect",
    "::mlir::arith::ArithDialect", "::mlir::affine::AffineDialect"
  ];
}

#endif // QUANT_TARGET_CPU_PASSES_TD
