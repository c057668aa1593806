//===- Pipelines.cpp - Named pass pipelines
//---------------------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Pipelines/Pipelines.h"

#include "quant/Conversion/Passes.h"
#include "quant/Dialect/Qnt/Transforms/Passes.h"
#include "quant/Target/Cpu/Passes.h"
#include "quant/Target/Nvptx/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::quant_compiler;

void quant_compiler::buildLowerToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(qnt::createQntFoldBatchNorm());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(qnt::createQntInt8Tables());
  pm.addPass(qnt::createConvertQuantizedQntToLinalg());
  pm.addPass(qnt::createConvertQntToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// The host code's conversions to the LLVM dialect, after SCF, affine and
/// strided metadata are lowered; `gpuLaunches` adds gpu-to-llvm.
static void buildHostToLLVMPasses(OpPassManager &pm, bool gpuLaunches) {
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertVectorToLLVMPass());
  // Scratch buffers go through the runtime's cache (quant_runtime.c).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  if (gpuLaunches)
    pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

/// Bufferization shared by the CPU and GPU paths: results become
/// caller-provided output buffers, scratch is freed where it dies.
static void buildBufferizationPipeline(OpPassManager &pm) {
  pm.addPass(createQuantBufferize());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addNestedPass<func::FuncOp>(bufferization::createBufferHoistingPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createCanonicalizerPass());
}

void quant_compiler::buildLinalgToLLVMPipeline(
    OpPassManager &pm, const CpuPipelineOptions &options) {
  // Fuse element-wise chains (and producers into consumers) on tensors.
  pm.addNestedPass<func::FuncOp>(createQuantFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // SIMD register tiles (scf.forall over tiles, vector ops inside).
  if (options.vectorWidth > 0) {
    QuantCpuTileAndVectorizeOptions tiling;
    tiling.vectorWidth = options.vectorWidth;
    // 8 rows x 2 vectors = 16 accumulators fit AVX-512's 32 registers;
    // AVX2's 16 take 4 rows.
    tiling.rows = options.vectorWidth >= 16 ? 8 : 4;
    pm.addNestedPass<func::FuncOp>(createQuantCpuTileAndVectorize(tiling));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }

  // Tensors -> buffers; results become caller-provided output buffers.
  buildBufferizationPipeline(pm);

  // Copies bufferization introduced (pads, im2col taps, layout changes) get
  // the same SIMD tiles.
  if (options.vectorWidth > 0) {
    QuantCpuTileAndVectorizeOptions tiling;
    tiling.vectorWidth = options.vectorWidth;
    pm.addNestedPass<func::FuncOp>(createQuantCpuTileAndVectorize(tiling));
    pm.addPass(createCanonicalizerPass());
  }

  // Loops; the parallel ones become OpenMP work-sharing loops. Transfers
  // that are not plain vector loads (strided, transposed) become scalar
  // loads first.
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  VectorTransferToSCFOptions transfers;
  transfers.enableFullUnroll(true);
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(transfers));
  if (options.parallel) {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
    pm.addPass(createConvertSCFToOpenMPPass());
  } else {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createQuantApproximateMath());

  // Down to the LLVM dialect.
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  buildHostToLLVMPasses(pm, /*gpuLaunches=*/false);
}

void quant_compiler::buildFp32ToLLVMPipeline(
    OpPassManager &pm, const CpuPipelineOptions &options) {
  if (options.int8Kernels != Int8Kernels::Reference) {
    QuantCpuInt8KernelsOptions kernels;
    kernels.isa = options.int8Kernels;
    kernels.parallel = options.parallel;
    pm.addPass(createQuantCpuInt8Kernels(kernels));
  }
  buildLowerToLinalgPipeline(pm);
  buildLinalgToLLVMPipeline(pm, options);
}

void quant_compiler::buildNvptxPipeline(OpPassManager &pm,
                                        const NvptxPipelineOptions &options) {
  if (options.int8Mma)
    pm.addPass(createQuantNvptxInt8Mma());
  buildLowerToLinalgPipeline(pm);
  pm.addNestedPass<func::FuncOp>(createQuantFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  buildBufferizationPipeline(pm);
  pm.addPass(createQuantGpuLaunchKernelCalls());

  // Every linalg op becomes loops whose parallel dimensions are one GPU
  // thread each; reductions stay sequential in the thread.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createQuantApproximateMath());
  QuantGpuMapParallelLoopsOptions mapping;
  mapping.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createQuantGpuMapParallelLoops(mapping));
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Device code: NVVM for the chip.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertNVVMToLLVMPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  // Host code, as on the CPU, then the launches.
  buildHostToLLVMPasses(pm, /*gpuLaunches=*/true);
  pm.addPass(createQuantGpuDeviceConstants());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void quant_compiler::registerPipelines() {
  PassPipelineRegistration<>(
      "quant-lower-to-linalg",
      "Fold batch norms and lower float qnt ops to linalg on tensors",
      buildLowerToLinalgPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "quant-linalg-to-llvm",
      "Bufferize linalg on tensors and lower it to the LLVM dialect for the "
      "host CPU",
      buildLinalgToLLVMPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "quant-fp32-to-llvm",
      "The whole path, float and int8: qnt -> linalg -> LLVM dialect",
      buildFp32ToLLVMPipeline);
  PassPipelineRegistration<NvptxPipelineOptions>(
      "quant-nvptx-to-llvm",
      "The NVIDIA GPU path: qnt -> host LLVM dialect launching PTX kernels "
      "(gpu.binary)",
      buildNvptxPipeline);
}
