//===- quant-compile-fuzzer.cpp - libFuzzer target, the front half --------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes through the compiler's front half, as quant-compile
// does for --precision=int8|int4 (without the calibration run, which
// needs sample data): ONNX import, verification, ranges written on every
// float activation, qnt-quantize, prepareModelEntry, the CPU lowering to
// the LLVM dialect (reference lowering or the generic int8 kernels) and the
// translation to LLVM IR, which must then verify. Any stage may reject an
// input with diagnostics; a crash, a sanitizer report, a hang, a pass that
// leaves invalid IR or invalid LLVM IR is a bug. Built with
// -DQUANT_BUILD_FUZZERS=ON (clang); utils/fuzz.sh compile runs it.
//
//===----------------------------------------------------------------------===//

#include "quant/Compiler/ModelCompiler.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/Transforms/Passes.h"
#include "quant/Import/OnnxImporter.h"
#include "quant/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mlir;

namespace {
/// Elements above which a model is skipped: lowering and translating
/// constants is linear in their size, and the fuzzer wants many runs.
constexpr int64_t kMaxElements = int64_t(1) << 18;

bool isSmall(ModuleOp module) {
  bool small = true;
  module.walk([&](Operation *op) {
    auto check = [&](Type type) {
      auto shaped = dyn_cast<ShapedType>(type);
      if (shaped &&
          (!shaped.hasStaticShape() || shaped.getNumElements() > kMaxElements))
        small = false;
    };
    for (Type t : op->getResultTypes())
      check(t);
    for (Region &r : op->getRegions())
      for (Block &b : r)
        for (BlockArgument a : b.getArguments())
          check(a.getType());
    return small ? WalkResult::advance() : WalkResult::interrupt();
  });
  return small;
}

/// Writes `#qnt.range<-r, r>` (r from the input's size, so a corpus entry
/// always gets the same) on main's float arguments and on every result of a
/// non-constant qnt op: what qnt-calibrate leaves.
void writeRanges(ModuleOp module, float r) {
  MLIRContext *context = module.getContext();
  Attribute range = qnt::RangeAttr::get(context, -r, r);
  StringRef name = qnt::QntDialect::getRangeAttrName();
  auto isFloatTensor = [](Type t) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    return tensor && tensor.getElementType().isF32();
  };
  module.walk([&](func::FuncOp f) {
    for (BlockArgument arg : f.getArguments())
      if (isFloatTensor(arg.getType()))
        f.setArgAttr(arg.getArgNumber(), name, range);
  });
  module.walk([&](Operation *op) {
    if (!isa<qnt::QntDialect>(op->getDialect()) || op->getNumResults() != 1 ||
        isa<qnt::ConstantOp>(op) || !isFloatTensor(op->getResult(0).getType()))
      return;
    op->setAttr(name, range);
  });
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    quant_compiler::registerAllDialects(*r);
    return r;
  }();
  MLIRContext context(*registry);
  context.disableMultithreading();
  context.getDiagEngine().registerHandler(
      [](Diagnostic &) { return success(); });
  qnt::OnnxImportOptions importOptions;
  OwningOpRef<ModuleOp> module = qnt::importOnnxModelFromBuffer(
      &context, StringRef(reinterpret_cast<const char *>(data), size),
      "/nonexistent/fuzz/model.onnx", importOptions);
  if (!module || failed(verify(*module)) || !isSmall(*module))
    return 0;

  // The choices quant-compile offers, picked by the input's size.
  static const float kRanges[] = {0.5f, 4.0f, 1000.0f};
  writeRanges(*module, kRanges[size % 3]);
  qnt::QntQuantizeOptions quantize;
  quantize.granularity = (size / 3) % 2 ? qnt::Granularity::PerTensor
                                        : qnt::Granularity::PerChannel;
  quantize.weightBits = (size / 6) % 4 == 3 ? 4 : 8;
  // One input in five: dynamic activations (int8 weights), each scaling.
  if ((size / 48) % 5 == 4) {
    quantize.weightBits = 8;
    quantize.activations = qnt::Activations::Dynamic;
    quantize.dynamicScaling = static_cast<qnt::DynamicScaling>((size / 7) % 4);
  }
  PassManager pm(&context);
  pm.addNestedPass<func::FuncOp>(qnt::createQntQuantize(quantize));
  if (failed(pm.run(*module)))
    return 0;
  if (failed(verify(*module)))
    std::abort(); // the pass manager verifies; this is a second line

  FailureOr<quant_compiler::ModelSignature> signature =
      quant_compiler::prepareModelEntry(*module, "fuzz");
  if (failed(signature))
    return 0;
  quant_compiler::Int8Kernels kernels =
      (size / 24) % 2 ? quant_compiler::Int8Kernels::Generic
                      : quant_compiler::Int8Kernels::Reference;
  if (failed(quant_compiler::lowerModelToLLVMDialect(
          *module, /*parallel=*/false, /*vectorWidth=*/8, kernels)))
    return 0;
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      quant_compiler::translateModelToLLVMIR(*module, llvmContext, *signature);
  if (!llvmModule)
    return 0;
  if (llvm::verifyModule(*llvmModule, &llvm::errs()))
    std::abort(); // translated IR that LLVM rejects
  return 0;
}
