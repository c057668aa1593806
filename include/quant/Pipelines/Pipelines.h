//===- Pipelines.h - Named pass pipelines ------------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// The pipelines quant-compile runs, one builder per stage, each registered
// with quant-opt under the name below so that it can be run and tested alone:
//
//   quant-lower-to-linalg   qnt (float)      -> linalg/tensor/arith/math
//   quant-linalg-to-llvm    linalg on tensors -> LLVM dialect (bufferize,
//                           loops, OpenMP, math approximations)
//   quant-fp32-to-llvm      both, in order
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_PIPELINES_PIPELINES_H
#define QUANT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::quant_compiler {

struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the outer parallel loops of each op on OpenMP "
                     "threads"),
      llvm::cl::init(true)};
  Option<int64_t> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("f32 SIMD lanes to tile and vectorize for (8: AVX2, 16: "
                     "AVX-512); 0 skips quant-cpu-tile-and-vectorize and "
                     "leaves every op as scalar loops (the reference)"),
      llvm::cl::init(8)};
  Option<std::string> int8Kernels{
      *this, "int8-kernels",
      llvm::cl::desc("How quantized convolutions and GEMMs run: 'reference' "
                     "(convert-quantized-qnt-to-linalg's integer loops) or "
                     "the microkernels of an instruction set (generic, avx2, "
                     "avxvnni, avx512vnni, dotprod, i8mm; "
                     "quant-cpu-int8-kernels)"),
      llvm::cl::init("reference")};
};

/// Graph cleanup and the float lowering to linalg on tensors.
void buildLowerToLinalgPipeline(OpPassManager &pm);

/// Bufferization, loops, math approximations and conversion to the LLVM
/// dialect for the host CPU.
void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options);

/// The whole float path: qnt -> LLVM dialect.
void buildFp32ToLLVMPipeline(OpPassManager &pm,
                             const CpuPipelineOptions &options);

void registerPipelines();

} // namespace mlir::quant_compiler

#endif // QUANT_PIPELINES_PIPELINES_H
