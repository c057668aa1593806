//===- ModelCompiler.h - From a qnt module to native code -------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// The steps quant-compile and quant-run share: read the model's signature,
// lower it with the named pipelines, translate to LLVM IR with the runtime
// ABI (runtime/quant_runtime.h) attached, and pick a target machine.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_COMPILER_MODELCOMPILER_H
#define QUANT_COMPILER_MODELCOMPILER_H

#include "quant/Target/Cpu/Int8Kernels.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>
#include <vector>

struct quant_model_info;

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace mlir::quant_compiler {

struct TensorSignature {
  std::string name;
  int32_t dtype; // ONNX TensorProto code, as in quant_dtype
  SmallVector<int64_t> shape;
  uint64_t numBytes;
};

struct ModelSignature {
  /// A C identifier: the prefix of the ABI symbols (NAME_info, NAME_run).
  std::string name;
  std::vector<TensorSignature> inputs, outputs;
  /// For each output, the earlier output it repeats (the model returns the
  /// same value twice), or -1. Repeats are not results of NAME_impl; the
  /// entry wrapper copies them.
  std::vector<int64_t> repeatOf;
};

/// A C identifier made from `text` (a file stem, usually): other characters
/// become '_', and "model_" goes in front of a leading digit or of the
/// runtime's reserved "quant_" prefix.
std::string makeModelName(StringRef text);

/// Reads the signature of `func.func @main` (names from `onnx.name`) and
/// renames it to NAME_impl with a C interface; a value returned more than
/// once is returned once (see ModelSignature::repeatOf). Fails with a
/// diagnostic when
/// there is no main or a type has no runtime dtype.
FailureOr<ModelSignature> prepareModelEntry(ModuleOp module, StringRef name);

/// Lowers a prepared module (qnt, float or quantized) to the LLVM dialect;
/// `int8Kernels` is CpuPipelineOptions::int8Kernels (Reference or an ISA,
/// not Auto: see resolveInt8Kernels).
LogicalResult lowerModelToLLVMDialect(ModuleOp module, bool parallel,
                                      int64_t vectorWidth,
                                      Int8Kernels int8Kernels);

/// Lowers a prepared module for an NVIDIA GPU of architecture `chip`
/// (buildNvptxPipeline): host code in the LLVM dialect whose launches name
/// kernels in gpu.binary ops holding PTX. `int8Mma` runs quantized
/// convolutions and GEMMs on tensor cores.
LogicalResult lowerModelToNvptx(ModuleOp module, StringRef chip, bool int8Mma);

/// Whether `chip` is a GPU architecture the nvptx target supports: sm_80 or
/// later (int8 mma.sync m16n8k32), known to LLVM's NVPTX backend. Otherwise
/// `error` says why.
bool isSupportedGpuChip(StringRef chip, std::string &error);

/// The PTX of every gpu.binary in a module lowered by lowerModelToNvptx,
/// each after a `// gpu.module @NAME` line.
FailureOr<std::string> collectPtx(ModuleOp module);

/// The int8 kernel ISA for `machine` (defaultInt8Kernels) or the one
/// `requested` names ("auto" = the default, "reference" = none); an error
/// names the choices.
FailureOr<Int8Kernels> resolveInt8Kernels(const llvm::TargetMachine &machine,
                                          Int8Kernels requested,
                                          std::string &error);

/// The f32 lanes quant-cpu-tile-and-vectorize should target on `machine`:
/// 16 with AVX-512F, otherwise 8 (AVX2; on narrower x86 targets and on
/// AArch64's 128-bit NEON, LLVM splits the vectors into 2 or 4 registers).
int64_t defaultVectorWidth(const llvm::TargetMachine &machine);

/// Links the int8 microkernels (runtime/kernels) the module calls, compiled
/// for `machine`'s CPU; nothing when it calls none.
LogicalResult linkKernelLibrary(llvm::Module &module,
                                const llvm::TargetMachine &machine,
                                std::string &error);

/// Translates an LLVM-dialect module and adds NAME_info, NAME_run, the
/// packed entry and the weak `quant_default_model_info`; `cuda` sets
/// QUANT_MODEL_CUDA in the model's flags (--target=nvptx).
std::unique_ptr<llvm::Module>
translateModelToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                       const ModelSignature &signature, bool cuda = false);

/// Adds `int main(argc, argv)` calling the command-line driver.
void addExecutableMain(llvm::Module &module, const ModelSignature &signature);

/// The LLVM triple of a --target name: x86_64 (or x86-64) and aarch64 (or
/// arm64), Linux; nullopt for anything else.
std::optional<std::string> cpuTargetTriple(StringRef target);

/// A target machine for `triple` ("" = this host's) with `cpu`: "native" is
/// this host (only when `triple` is the host's architecture), "" the
/// architecture's default (the host for x86-64 on an x86-64 host, else
/// "generic"), or an LLVM CPU name, which must be known.
FailureOr<std::unique_ptr<llvm::TargetMachine>>
createCpuTargetMachine(StringRef triple, StringRef cpu, std::string &error);

/// Runs LLVM's O3 pipeline for `machine` on `module`.
LogicalResult optimizeModule(llvm::Module &module,
                             llvm::TargetMachine &machine);

/// Writes an object file.
LogicalResult emitObjectFile(llvm::Module &module, llvm::TargetMachine &machine,
                             StringRef path, std::string &error);

/// A model compiled in memory for this host. `info` points into the engine's
/// code and lives as long as `engine`.
struct JitModel {
  JitModel();
  JitModel(JitModel &&);
  JitModel &operator=(JitModel &&);
  ~JitModel();
  std::unique_ptr<ExecutionEngine> engine;
  const quant_model_info *info = nullptr;
};

/// prepareModelEntry + lowering + ORC JIT for the host CPU ("native"), with
/// the runtime's symbols (quant_model_run, the scratch allocator) resolved
/// in this process. Errors are diagnostics on `module`.
/// `vectorWidth` < 0 picks defaultVectorWidth for this host; `int8Kernels`
/// is resolveInt8Kernels' `requested`.
FailureOr<JitModel>
jitCompileModel(ModuleOp module, StringRef name, bool parallel,
                int64_t vectorWidth = -1,
                Int8Kernels int8Kernels = Int8Kernels::Auto);

/// The C header declaring NAME_info/NAME_run and the ABI types.
/// `objectLinkFlags` are the libraries a program linking the object or
/// archive needs (the header says so).
std::string generateHeader(const ModelSignature &signature,
                           StringRef objectLinkFlags = "-lomp -lm");

} // namespace mlir::quant_compiler

#endif // QUANT_COMPILER_MODELCOMPILER_H
