//===- KernelLibrary.cpp - Linking the int8 microkernels into a model -----===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// runtime/kernels/quant_int8_kernels.c is embedded as LLVM bitcode (one
// module per target architecture, every instruction set's copy inside).
// A model that calls a kernel gets the library linked in (only what it
// calls), internalized, and re-targeted to the model's CPU, so that the
// kernels are optimized and code-generated together with the model.
//
//===----------------------------------------------------------------------===//

#include "quant/Compiler/ModelCompiler.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

#include "Int8Kernels.aarch64.inc"
#include "Int8Kernels.x86_64.inc"

using namespace mlir;
using namespace mlir::quant_compiler;

/// Kernel entry points are `_mlir_ciface_quant_q*` (int8) and
/// `_mlir_ciface_quant_w4*` (int4).
static bool isKernelEntry(const llvm::Function &f) {
  return f.getName().starts_with("_mlir_ciface_quant_q") ||
         f.getName().starts_with("_mlir_ciface_quant_w4");
}

LogicalResult quant_compiler::linkKernelLibrary(llvm::Module &module,
                                                const llvm::TargetMachine &machine,
                                                std::string &error) {
  bool needed = llvm::any_of(module.functions(), [](llvm::Function &f) {
    return f.isDeclaration() && isKernelEntry(f);
  });
  if (!needed)
    return success();
  module.setDataLayout(machine.createDataLayout());
  module.setTargetTriple(machine.getTargetTriple());
  const llvm::Triple &triple = machine.getTargetTriple();
  llvm::StringRef bytes;
  if (triple.getArch() == llvm::Triple::x86_64)
    bytes = llvm::StringRef(reinterpret_cast<const char *>(kInt8Kernels_x86_64),
                            sizeof(kInt8Kernels_x86_64));
  else if (triple.getArch() == llvm::Triple::aarch64)
    bytes =
        llvm::StringRef(reinterpret_cast<const char *>(kInt8Kernels_aarch64),
                        sizeof(kInt8Kernels_aarch64));
  else {
    error = "the int8 kernels are not built for " + triple.str() +
            " (compile with --int8-kernels=reference)";
    return failure();
  }
  llvm::Expected<std::unique_ptr<llvm::Module>> library = llvm::parseBitcodeFile(
      llvm::MemoryBufferRef(bytes, "quant_int8_kernels." +
                                       triple.getArchName().str() + ".bc"),
      module.getContext());
  if (!library) {
    error = "cannot read the embedded int8 kernel bitcode: " +
            llvm::toString(library.takeError());
    return failure();
  }
  // Compiled for the model's CPU: its features plus the ones the kernel's
  // instruction set needs (each ISA's copy carries those).
  std::string cpu = machine.getTargetCPU().str();
  std::string features = machine.getTargetFeatureString().str();
  for (llvm::Function &f : (*library)->functions()) {
    if (f.isDeclaration())
      continue;
    std::string own =
        f.getFnAttribute("target-features").getValueAsString().str();
    std::string merged = features;
    if (!own.empty())
      merged = merged.empty() ? own : merged + "," + own;
    f.removeFnAttr("target-cpu");
    f.removeFnAttr("tune-cpu");
    f.removeFnAttr("target-features");
    if (!cpu.empty())
      f.addFnAttr("target-cpu", cpu);
    if (!merged.empty())
      f.addFnAttr("target-features", merged);
  }
  (*library)->setTargetTriple(module.getTargetTriple());
  (*library)->setDataLayout(module.getDataLayout());
  if (llvm::Linker::linkModules(module, std::move(*library),
                                llvm::Linker::LinkOnlyNeeded)) {
    error = "linking the int8 kernels failed";
    return failure();
  }
  // The entry points become internal (everything else in the library is
  // static), so two models in one process or one link do not clash.
  for (llvm::Function &f : module.functions())
    if (!f.isDeclaration() && isKernelEntry(f))
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  return success();
}
