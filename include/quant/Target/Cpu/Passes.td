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

def QuantCpuTileAndVectorize
    : Pass<"quant-cpu-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors into SIMD register tiles and vectorize them";
  let description = [{
    The CPU code generation step between fusion and bufferization. On tensors
    with static shapes:

    1. Convolutions become contractions the vectorizer handles:
       `linalg.conv_2d_nchw_fchw` with a 1x1 kernel, unit strides and batch 1
       becomes a `linalg.matmul` (weights [F,C] x image [C,H*W]); other
       `conv_2d_nchw_fchw` go through im2col (upstream
       `linalg::rewriteInIm2Col`); `linalg.depthwise_conv_2d_nchw_chw`
       becomes one elementwise `linalg.generic` that sums the KHxKW taps
       (strided slices of the input times per-channel weights).
    2. Every linalg op whose indexing maps are projected permutations and
       whose output's innermost dim is a parallel loop is tiled with
       `scf.forall` (later OpenMP) into tiles of `rows` x `vector-width`
       (contractions) or 1 x ... x `vector-width` (elementwise), then its
       reduction loops with `scf.for`, and each tile is vectorized with
       `linalg::vectorize`. Tile sizes are the largest divisors of the loop
       ranges not above the targets, so every tile is full (no masks); an
       op whose innermost range has no divisor of at least 4 stays scalar.
    3. Accumulators are hoisted out of reduction loops
       (`hoistLoopInvariantSubsets`), multi-reductions become
       `vector.contract`, and contractions are lowered to outer products
       (FMAs on `vector-width` lanes).

    Ops it does not handle (pools, reductions along the innermost dim,
    gathers) are left as they are for the loop lowering.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes of the target's SIMD registers (8: AVX2, 16: AVX-512)">,
    Option<"rows", "rows", "int64_t", /*default=*/"4",
           "output rows of a contraction register tile">,
    Option<"reductionTile", "reduction-tile", "int64_t", /*default=*/"4",
           "innermost reduction steps per vectorized tile (unrolled FMAs)">,
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect",
    "::mlir::arith::ArithDialect", "::mlir::affine::AffineDialect"
  ];
}

#endif // QUANT_TARGET_CPU_PASSES_TD
