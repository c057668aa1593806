//===- InitAll.cpp - Register quant's dialects and passes -----------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/InitAll.h"

#include "quant/Calibration/Passes.h"
#include "quant/Calibration/Pipeline.h"
#include "quant/Conversion/Passes.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/Transforms/Passes.h"
#include "quant/Pipelines/Pipelines.h"
#include "quant/Pipelines/PtqPipeline.h"
#include "quant/Target/Cpu/Passes.h"
#include "quant/Target/Nvptx/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

using namespace mlir;

void quant_compiler::registerAllDialects(DialectRegistry &registry) {
  registry.insert<qnt::QntDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

void quant_compiler::registerAllPasses() {
  mlir::registerAllPasses();
  qnt::registerQntPasses();
  qnt::registerQntCalibrationPasses();
  qnt::registerQntConversionPasses();
  registerQuantCpuPasses();
  registerQuantNvptxPasses();
  registerPipelines();
  qnt::registerCalibrationPipeline();
  qnt::registerPtqPipeline();
}

void quant_compiler::registerAllTranslations(DialectRegistry &registry) {
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  // --target=nvptx: kernels in gpu.binary ops, launched from host code.
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
}

// Under -DQUANT_SANITIZE=ON our code is instrumented but libMLIR.so is not.
// Both instantiate llvm::BumpPtrAllocator, and only our copy poisons the
// unused tail of a slab (ASan annotations in llvm/Support/Allocator.h), so
// libMLIR's copy allocating from the same uniquer slab (a StringAttr next
// to one of our attributes) writes "poisoned" memory: a false
// use-after-poison. Every tool links this file; turning off user poisoning
// keeps every real ASan check.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}
#endif
#endif
