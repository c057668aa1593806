//===- Passes.td - NVIDIA GPU code generation passes --------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TARGET_NVPTX_PASSES_TD
#define QUANT_TARGET_NVPTX_PASSES_TD

include "mlir/Pass/PassBase.td"

def QuantNvptxInt8Mma : Pass<"quant-nvptx-int8-mma", "::mlir::ModuleOp"> {
  let summary = "Run quantized convolutions and GEMMs on int8 tensor cores";
  let description = [{
    Rewrites each quantized `qnt.conv` (2-D NCHW, group 1), `qnt.gemm` (no
    trans_a, alpha = beta = 1) and 2-D `qnt.matmul` whose weights are
    constants into a `gpu.launch_func` of a kernel generated for that layer
    in `gpu.module @quant_int8_mma`. The kernel is an implicit GEMM
    `[M = N*OH*OW (rows)] x [K = IC*KH*KW] x [N = OC]` on
    `nvvm.mma.sync` m16n8k32 s8 x s8 -> s32 (PTX
    `mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32`, sm_80 and later):
    each warp computes a 16 x 32 output tile, four warps a 64 x 32 block.
    Threads gather their A fragments straight from the NCHW input (padding
    reads the input zero point); the weights are packed at compile time in
    the B fragment order (8 bytes per lane per k-step of 32, zero-filled
    past K and N); the zero-point compensation `-zp * sum(w)` is folded into
    the int32 bias; the epilogue is QuantMath's requantization, so results
    equal `convert-quantized-qnt-to-linalg`'s bit for bit. Other ops go to
    the generic GPU lowering.

    The launch is first a `func.call` of a private declaration
    `@__quant_launch_<kernel>` carrying the kernel, grid and block sizes
    (`quant.launch_kernel`, `quant.launch_grid`, `quant.launch_block`), on
    buffers from `bufferization.to_buffer` and a fresh `memref.alloc`
    wrapped by `bufferization.to_tensor restrict writable`: bufferization
    and buffer deallocation handle calls, not `gpu.launch_func`.
    `quant-gpu-launch-kernel-calls` turns the calls into launches after
    bufferization.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect", "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect", "::mlir::NVVM::NVVMDialect",
    "::mlir::quant::QuantDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def QuantGpuLaunchKernelCalls
    : Pass<"quant-gpu-launch-kernel-calls", "::mlir::ModuleOp"> {
  let summary = "Replace calls of kernel-launch declarations by gpu.launch_func";
  let description = [{
    Each `func.call` of a declaration with `quant.launch_kernel` (a symbol
    `@gpu_module::@kernel`), `quant.launch_grid` and `quant.launch_block`
    (3 sizes each), as `quant-nvptx-int8-mma` makes them, becomes a
    `gpu.launch_func` of that kernel with the call's operands; declarations
    left without uses are erased.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect"
  ];
}

def QuantGpuMapParallelLoops
    : Pass<"quant-gpu-map-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Run each outermost scf.parallel as a 1-D gpu.launch";
  let description = [{
    Turns every `scf.parallel` that is not nested in another into a
    `gpu.launch` with one thread per iteration: the iteration space is
    linearized row-major (the last dimension fastest, so neighbouring
    threads touch neighbouring elements of row-major buffers), split into
    blocks of `block-size` threads, and each thread delinearizes its index
    and runs the loop body once when it is inside the space (an empty space
    still launches one block, whose threads do nothing). Nested loops stay
    sequential inside the thread. Reductions (`scf.reduce` with operands)
    are not mapped and fail the pass. Run `gpu-kernel-outlining` next.

    Upstream's `gpu-map-parallel-loops` + `convert-parallel-loops-to-gpu`
    map each loop dimension to a grid or block dimension instead: without
    tiling first, every block gets one thread, and dimensions beyond three
    become sequential loops. The linearized mapping needs neither, and keeps
    neighbouring threads on neighbouring elements whatever the rank.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def QuantGpuDeviceConstants
    : Pass<"quant-gpu-device-constants", "::mlir::ModuleOp"> {
  let summary = "Hand kernels device copies of the model's constants";
  let description = [{
    Runs on the host code in the LLVM dialect, after `gpu-to-llvm`: each
    address of a constant global (the weights and tables that
    `memref.global` became) is replaced by
    `quant_cuda_constant(address, bytes)`, which the CUDA runtime
    (runtime/quant_cuda_runtime.c) answers with a copy in GPU-reachable
    memory, made on the first call and reused after. Kernels cannot read the
    host's read-only data.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // QUANT_TARGET_NVPTX_PASSES_TD
