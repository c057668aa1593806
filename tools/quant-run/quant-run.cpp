//===- quant-run.cpp - Run a compiled model or JIT-compile one
//---------------===//
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
#include "quant/Dialect/Qnt/Transforms/Passes.h"
#include "quant/Target/Cpu/Int8Kernels.h"
#include "quant/ToolSupport.h"

#include "quant_driver.h"
#include "quant_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
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
         "  --vector-width N   JIT only: f32 SIMD lanes (default: this CPU's; "
         "0 = scalar reference loops)\n"
         "  --int8-kernels K   JIT only: auto (this CPU's best), reference, "
         "generic, avx2,\n"
         "                     avxvnni or avx512vnni (see quant-compile "
         "--help)\n"
         "  --print-signature  print inputs and outputs and exit\n";
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
  int64_t vectorWidth = -1;
  std::string int8Kernels = "auto";
  for (int i = 2; i < argc; ++i) {
    StringRef arg = argv[i];
    if (arg == "--int8-kernels" && i + 1 < argc) {
      int8Kernels = argv[++i];
      continue;
    }
    if (arg.consume_front("--int8-kernels=")) {
      int8Kernels = arg.str();
      continue;
    }
    StringRef width;
    if (arg == "--vector-width" && i + 1 < argc)
      width = argv[++i];
    else if (arg.starts_with("--vector-width="))
      width = arg.drop_front(strlen("--vector-width="));
    if (!width.empty() || arg.starts_with("--vector-width")) {
      if (width.getAsInteger(10, vectorWidth) || vectorWidth < 0) {
        llvm::errs() << "quant-run: error: --vector-width takes a lane count "
                        "(0 for scalar loops), got '"
                     << width << "'\n";
        return 1;
      }
      continue;
    }
    if (arg == "--input-shape" && i + 1 < argc) {
      inputShapes.push_back(argv[++i]);
    } else if (arg.consume_front("--input-shape=")) {
      inputShapes.push_back(arg.str());
    } else {
      rest.push_back(argv[i]);
    }
  }

  std::optional<Int8Kernels> kernels = parseInt8Kernels(int8Kernels);
  if (!kernels) {
    llvm::errs() << "quant-run: error: --int8-kernels takes auto, reference, "
                    "generic, avx2, avxvnni, avx512vnni (x86_64), dotprod, "
                    "i8mm (aarch64); got '"
                 << int8Kernels << "'\n";
    return 1;
  }

  // A compiled shared library.
  auto isSharedLibrary = [&]() {
    char magic[4] = {};
    FILE *f = std::fopen(modelPath.c_str(), "rb");
    if (!f)
      return false;
    size_t n = std::fread(magic, 1, 4, f);
    std::fclose(f);
    return n == 4 && std::memcmp(magic,
                                 "\x7f"
                                 "ELF",
                                 4) == 0;
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
    auto info =
        reinterpret_cast<InfoFn>(dlsym(handle, "quant_default_model_info"));
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
  // A QDQ model's casts become what quant-compile's pipeline makes of them
  // (int8 layers with the model's scales, activation rounding kept); the
  // lowering's canonicalization would otherwise fold dcast(qcast(x)) to x.
  PassManager pm(context.get());
  pm.addNestedPass<func::FuncOp>(qnt::createQntFuseQdq());
  if (failed(pm.run(*module)))
    return 1;
  std::string name = makeModelName(llvm::sys::path::stem(modelPath));
  FailureOr<JitModel> jit =
      jitCompileModel(*module, name, /*parallel=*/true, vectorWidth, *kernels);
  if (failed(jit))
    return 1;
  return quant_driver_main("quant-run", jit->info, rest.size(), rest.data());
}
