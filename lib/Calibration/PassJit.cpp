//===- PassJit.cpp - Running a model from inside a pass -------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/PassJit.h"

#include "quant/Dialect/Qnt/IR/QntDialect.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::qnt;

std::unique_ptr<PassJitModel> PassJitModel::compile(OwningOpRef<ModuleOp> clone,
                                                    ModuleOp reportAt,
                                                    StringRef passName,
                                                    StringRef symbolName) {
  Location loc = reportAt.getLoc();
  std::string prefix = (passName + ": ").str();
  // Calibration attributes of an earlier run mean nothing to the lowering.
  (*clone)->removeAttr(QntDialect::getCalibrationAttrName());
  std::string bytecode;
  {
    llvm::raw_string_ostream os(bytecode);
    if (failed(writeBytecodeToFile(*clone, os))) {
      emitError(loc, prefix) << "cannot serialize the model";
      return nullptr;
    }
  }
  clone = nullptr;

  std::unique_ptr<PassJitModel> model(new PassJitModel());
  DialectRegistry registry;
  reportAt.getContext()->getDialectRegistry().appendTo(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  model->context = std::make_unique<MLIRContext>(registry);
  model->context->getDiagEngine().registerHandler(
      [loc, prefix](Diagnostic &diag) {
        emitError(loc, prefix) << diag.str();
      });
  model->module = parseSourceString<ModuleOp>(bytecode, model->context.get());
  if (!model->module) {
    emitError(loc, prefix) << "cannot re-read the model";
    return nullptr;
  }
  FailureOr<quant_compiler::JitModel> jit = quant_compiler::jitCompileModel(
      *model->module, symbolName, /*parallel=*/true);
  if (failed(jit)) {
    emitError(loc, prefix) << "cannot compile the model (see the errors above)";
    return nullptr;
  }
  model->jit = std::move(*jit);
  const quant_model_info *info = model->jit.info;
  model->outputs.resize(info->num_outputs);
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    model->outputs[i].resize(info->outputs[i].num_bytes);
    model->outputPointers.push_back(model->outputs[i].data());
    model->outputBytes.push_back(model->outputs[i].size());
  }
  return model;
}

int PassJitModel::run(const void *const *inputs, const size_t *inputBytes) {
  return quant_model_run(jit.info, inputs, inputBytes, outputPointers.data(),
                         outputBytes.data());
}

llvm::Expected<std::vector<HostTensor>>
PassJitModel::runSample(const CalibrationData &data, size_t index) {
  llvm::Expected<std::vector<HostTensor>> sample = data.load(index);
  if (!sample)
    return sample.takeError();
  std::vector<const void *> pointers;
  std::vector<size_t> bytes;
  for (const HostTensor &t : *sample) {
    pointers.push_back(t.data.data());
    bytes.push_back(t.data.size());
  }
  if (int status = run(pointers.data(), bytes.data()); status != QUANT_OK)
    return llvm::createStringError("running sample " +
                                   data.getSampleName(index) +
                                   " failed: " + quant_status_string(status));
  return sample;
}

static std::optional<ElementKind> elementKindOf(Type type) {
  if (type.isF32())
    return ElementKind::F32;
  if (type.isInteger(64))
    return ElementKind::I64;
  if (type.isInteger(32))
    return ElementKind::I32;
  if (type.isInteger(8))
    return ElementKind::I8;
  if (type.isInteger(1))
    return ElementKind::Bool;
  return std::nullopt;
}

std::optional<SmallVector<CalibrationInput>>
qnt::getSampleInputs(func::FuncOp main, StringRef passName) {
  SmallVector<CalibrationInput> inputs;
  for (auto [i, arg] : llvm::enumerate(main.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    std::optional<ElementKind> kind =
        type ? elementKindOf(type.getElementType()) : std::nullopt;
    if (!type || !type.hasStaticShape() || !kind) {
      emitError(main.getLoc(), passName + ": @main argument #")
          << i << " has type " << arg.getType()
          << "; calibration feeds static tensors of f32, i64, i32, i8 or i1";
      return std::nullopt;
    }
    auto name = main.getArgAttrOfType<StringAttr>(i, "onnx.name");
    inputs.push_back({name ? name.str() : "input" + std::to_string(i), *kind,
                      SmallVector<int64_t>(type.getShape())});
  }
  return inputs;
}

FailureOr<CalibrationData> qnt::openSamples(func::FuncOp main,
                                            ModuleOp reportAt,
                                            StringRef passName, StringRef dir,
                                            unsigned maxSamples) {
  std::optional<SmallVector<CalibrationInput>> inputs =
      getSampleInputs(main, passName);
  if (!inputs)
    return failure();
  llvm::Expected<CalibrationData> data =
      CalibrationData::open(dir, *inputs, maxSamples);
  if (!data) {
    emitError(reportAt.getLoc(), passName + ": ")
        << llvm::toString(data.takeError());
    return failure();
  }
  return std::move(*data);
}
