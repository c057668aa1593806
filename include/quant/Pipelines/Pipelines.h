//===- Pipelines.h - Named pass pipelines ------------------------*- C++
//-*-===//
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
//   quant-nvptx-to-llvm     qnt -> host LLVM dialect + gpu.binary of PTX
//                           for an NVIDIA GPU (tensor-core int8 kernels,
//                           one thread per element for the rest)
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_PIPELINES_PIPELINES_H
#define QUANT_PIPELINES_PIPELINES_H

#include "quant/Target/Cpu/Int8Kernels.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#ifndef QUANT_CUDA_TOOLKIT_DIR
#define QUANT_CUDA_TOOLKIT_DIR ""
#endif

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
  Option<Int8Kernels> int8Kernels{
      *this, "int8-kernels",
      llvm::cl::desc("How quantized convolutions and GEMMs run: 'reference' "
                     "(convert-quantized-qnt-to-linalg's integer loops) or "
                     "the microkernels of an instruction set "
                     "(quant-cpu-int8-kernels); 'auto' is resolved by "
                     "quant-compile for its target CPU"),
      llvm::cl::init(Int8Kernels::Reference), int8KernelsValues()};
};

struct NvptxPipelineOptions : public PassPipelineOptions<NvptxPipelineOptions> {
  Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("GPU architecture: sm_80 (A100), sm_86, sm_89, sm_90 "
                     "(H100), ..."),
      llvm::cl::init("sm_80")};
  Option<bool> int8Mma{
      *this, "int8-mma",
      llvm::cl::desc("Run quantized convolutions and GEMMs on tensor cores "
                     "(quant-nvptx-int8-mma); off: the reference integer "
                     "loops"),
      llvm::cl::init(true)};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu-module-to-binary embeds: isa (PTX, compiled "
                     "by the driver at load) or bin (cubin, needs ptxas)"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit folder whose nvvm/libdevice serves the "
                     "math functions kernels call (default: the toolkit quant "
                     "was configured with)"),
      llvm::cl::init(QUANT_CUDA_TOOLKIT_DIR)};
  Option<int64_t> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block of the element-wise kernels"),
      llvm::cl::init(256)};
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

/// The NVIDIA GPU path: qnt -> host code in the LLVM dialect that launches
/// kernels held by gpu.binary ops (PTX for `chip`).
void buildNvptxPipeline(OpPassManager &pm, const NvptxPipelineOptions &options);

void registerPipelines();

} // namespace mlir::quant_compiler

#endif // QUANT_PIPELINES_PIPELINES_H
