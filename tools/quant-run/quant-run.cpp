//===- quant-run.cpp - Run a compiled model or JIT-compile one ---------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
//   quant-run model.so   --input x=x.npy [--output-dir DIR] [--bench N]
//   quant-run model.mlir --input x=x.pb  [--threads T]
//   quant-run model.onnx --input x=x.npy [--input-shape x=1x3x32x32]
//
// A shared library from `quant-compile --emit=shared` is loaded with dlopen;
// a .mlir (qnt, as quant-import writes it) or .onnx model is compiled with
// the same pipeline as quant-compile and run with MLIR's ExecutionEngine
// (ORC JIT) for this host's CPU. Either way the command line after the model
// is handled by the driver that --emit=exe executables use.
//
//===----------------------------------------------------------------------===//

#include "quant/Compiler/ModelCompiler.h"
#include "quant/ToolSupport.h"

#include "quant_driver.h"
#include "quant_runtime.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstring>
#include <dlfcn.h>

using namespace mlir;
using namespace mlir::quant_compiler;

static void printHelp() {
  llvm::outs()
      << "quant-run: run a model compiled by quant-compile, or JIT-compile "
         "and run a .mlir/.onnx model\n\n"
         "usage: quant-run MODEL [--input NAME=FILE]... [--output-dir DIR] "
         "[--bench N] [--threads T]\n"
         "                       [--input-shape NAME=D0xD1...] "
         "[--print-signature]\n\n"
         "  MODEL              a shared library (--emit=shared), a qnt .mlir "
         "or an .onnx model\n"
         "  --input NAME=FILE  input NAME from .npy or ONNX TensorProto .pb; "
         "FILE alone for one input\n"
         "  --output-dir DIR   write each output to DIR/NAME.npy (otherwise "
         "print a summary)\n"
         "  --bench N          time N runs after warm-up: 'median X.XXX ms' "
         "plus min/max\n"
         "  --threads T        OpenMP threads (default 1)\n"
         "  --input-shape S    fix a dynamic input dim of an .onnx model\n"
         "  --print-signature  print inputs and outputs and exit\n";
}

extern "C" {
// The generated code's scratch allocator (runtime/quant_runtime.c).
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  if (argc < 2 || StringRef(argv[1]) == "--help" ||
      StringRef(argv[1]) == "-h") {
    printHelp();
    return argc < 2 ? 1 : 0;
  }
  std::string modelPath = argv[1];
  std::vector<std::string> inputShapes;
  std::vector<char *> rest;
  for (int i = 2; i < argc; ++i) {
    StringRef arg = argv[i];
    if (arg == "--input-shape" && i + 1 < argc) {
      inputShapes.push_back(argv[++i]);
    } else if (arg.consume_front("--input-shape=")) {
      inputShapes.push_back(arg.str());
    } else {
      rest.push_back(argv[i]);
    }
  }

  // A compiled shared library.
  auto isSharedLibrary = [&]() {
    char magic[4] = {};
    FILE *f = std::fopen(modelPath.c_str(), "rb");
    if (!f)
      return false;
    size_t n = std::fread(magic, 1, 4, f);
    std::fclose(f);
    return n == 4 && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
  };
  if (isSharedLibrary()) {
    std::string path = modelPath;
    if (!llvm::sys::path::has_parent_path(path))
      path = "./" + path;
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      llvm::errs() << modelPath << ": error: cannot load: " << dlerror()
                   << "\n";
      return 1;
    }
    using InfoFn = const quant_model_info *(*)();
    auto info = reinterpret_cast<InfoFn>(
        dlsym(handle, "quant_default_model_info"));
    if (!info) {
      llvm::errs() << modelPath
                   << ": error: not a quant model library (no "
                      "quant_default_model_info symbol)\n";
      return 1;
    }
    return quant_driver_main("quant-run", info(), rest.size(), rest.data());
  }

  // JIT.
  std::unique_ptr<MLIRContext> context = createToolContext(modelPath);
  OwningOpRef<ModuleOp> module =
      loadModelFile(context.get(), modelPath, inputShapes);
  if (!module)
    return 1;
  std::string name = makeModelName(llvm::sys::path::stem(modelPath));
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string error;
  auto machine = createCpuTargetMachine("", "native", error);
  if (failed(machine)) {
    llvm::errs() << "quant-run: error: " << error << "\n";
    return 1;
  }
  FailureOr<ModelSignature> signature = prepareModelEntry(*module, name);
  if (failed(signature) ||
      failed(lowerModelToLLVMDialect(*module, /*parallel=*/true,
                                     defaultVectorWidth(**machine))))
    return 1;
  auto optimize = makeOptimizingTransformer(3, 0, machine->get());
  ExecutionEngineOptions options;
  auto builder = [&](Operation *op, llvm::LLVMContext &llvmContext) {
    return translateModelToLLVMIR(cast<ModuleOp>(op), llvmContext, *signature);
  };
  options.llvmModuleBuilder = builder;
  options.transformer = optimize;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(*module, options);
  if (!engine) {
    llvm::errs() << modelPath << ": error: JIT compilation failed: "
                 << llvm::toString(engine.takeError()) << "\n";
    return 1;
  }
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("quant_model_run")] = {
        llvm::orc::ExecutorAddr::fromPtr(&quant_model_run),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("_mlir_memref_to_llvm_alloc")] = {
        llvm::orc::ExecutorAddr::fromPtr(&_mlir_memref_to_llvm_alloc),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("_mlir_memref_to_llvm_aligned_alloc")] = {
        llvm::orc::ExecutorAddr::fromPtr(&_mlir_memref_to_llvm_aligned_alloc),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("_mlir_memref_to_llvm_free")] = {
        llvm::orc::ExecutorAddr::fromPtr(&_mlir_memref_to_llvm_free),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  auto infoFn = (*engine)->lookup(name + "_info");
  if (!infoFn) {
    llvm::errs() << modelPath << ": error: "
                 << llvm::toString(infoFn.takeError()) << "\n";
    return 1;
  }
  using InfoFn = const quant_model_info *(*)();
  const quant_model_info *info = reinterpret_cast<InfoFn>(*infoFn)();
  return quant_driver_main("quant-run", info, rest.size(), rest.data());
}
