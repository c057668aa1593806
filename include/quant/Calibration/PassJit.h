//===- PassJit.h - Running a model from inside a pass -----------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Passes that measure the model on data (qnt-calibrate, qnt-allocate-bits)
// compile a clone of it with the float pipeline and JIT it. The lowering
// loads dialects and runs its own pass manager, which must not happen in the
// running pass's context, so the clone is serialized and re-read in a
// private context, whose diagnostics are re-emitted at the pass's module.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CALIBRATION_PASSJIT_H
#define QUANT_CALIBRATION_PASSJIT_H

#include "quant/Calibration/CalibrationData.h"
#include "quant/Compiler/ModelCompiler.h"

#include "quant_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <vector>

namespace mlir::qnt {

class PassJitModel {
public:
  /// Compiles `clone` (a module the caller built; it is consumed) for this
  /// host. Errors are reported at `reportAt`'s location as
  /// "<passName>: <message>"; nullptr then.
  static std::unique_ptr<PassJitModel> compile(OwningOpRef<ModuleOp> clone,
                                               ModuleOp reportAt,
                                               StringRef passName,
                                               StringRef symbolName);

  const quant_model_info *info() const { return jit.info; }

  /// Runs one sample into the output buffers below; a quant_status.
  int run(const void *const *inputs, const size_t *inputBytes);

  /// Loads sample `index` of `data` (checked against the model's inputs)
  /// and runs it: the sample's tensors, with the outputs in `outputs`, or
  /// the load error or "running sample NAME failed: STATUS".
  llvm::Expected<std::vector<HostTensor>> runSample(const CalibrationData &data,
                                                    size_t index);

  /// One buffer per model output, reused by every run.
  std::vector<std::vector<char>> outputs;

private:
  PassJitModel() = default;
  std::unique_ptr<MLIRContext> context;
  OwningOpRef<ModuleOp> module;
  quant_compiler::JitModel jit;
  std::vector<void *> outputPointers;
  std::vector<size_t> outputBytes;
};

/// @main's arguments as the samples must give them (name from `onnx.name`,
/// element kind, shape): static tensors of f32, i64, i32, i8 or i1. Else
/// an error "<passName>: @main argument #i has type ..." at @main, and
/// nullopt.
std::optional<SmallVector<CalibrationInput>>
getSampleInputs(func::FuncOp main, StringRef passName);

/// The samples in `dir` for @main's inputs (getSampleInputs; at most
/// `maxSamples`, 0: all). A bad argument or folder is one error
/// "<passName>: ..." at `reportAt`, and failure.
FailureOr<CalibrationData> openSamples(func::FuncOp main, ModuleOp reportAt,
                                       StringRef passName, StringRef dir,
                                       unsigned maxSamples);

} // namespace mlir::qnt

#endif // QUANT_CALIBRATION_PASSJIT_H
