//===- quant-opt.cpp - Optimizer driver for quant's dialects ----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// mlir-opt for the qnt dialect and every pass and pipeline of quant. Lit tests
// run passes through this tool, one flag at a time.
//
//===----------------------------------------------------------------------===//

#include "quant/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mlir::quant_compiler::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::quant_compiler::registerAllDialects(registry);
  // gpu-module-to-binary translates gpu.modules to LLVM IR.
  mlir::quant_compiler::registerAllTranslations(registry);
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "quant-opt (quant " QUANT_VERSION ")\n";
  });
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv,
      "quant-opt: run qnt passes and pipelines on MLIR files\n\n"
      "  quant-opt model.mlir --qnt-fold-batch-norm -o folded.mlir\n",
      registry));
}
