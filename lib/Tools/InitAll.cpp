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
#include "quant/Target/Cpu/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
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
  registerPipelines();
  qnt::registerCalibrationPipeline();
}

void quant_compiler::registerAllTranslations(DialectRegistry &registry) {
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}
