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

#endif // QUANT_TARGET_CPU_PASSES_TD
