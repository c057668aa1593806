//===- ModelLoader.cpp - Load .onnx or .mlir models for the tools ---------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/ToolSupport.h"

#include "quant/Import/OnnxImporter.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

OwningOpRef<ModuleOp>
quant_compiler::loadModelFile(MLIRContext *context, StringRef path,
                              ArrayRef<std::string> inputShapes) {
  if (path.ends_with(".onnx")) {
    qnt::OnnxImportOptions options;
    for (const std::string &spec : inputShapes) {
      qnt::InputShape shape;
      std::string error;
      if (!qnt::parseInputShape(spec, shape, error)) {
        emitError(UnknownLoc::get(context)) << "--input-shape: " << error;
        return nullptr;
      }
      options.inputShapes.push_back(std::move(shape));
    }
    OwningOpRef<ModuleOp> module = qnt::importOnnxModel(context, path, options);
    if (!module || failed(verify(*module)))
      return nullptr;
    return module;
  }
  if (!inputShapes.empty()) {
    emitError(UnknownLoc::get(context))
        << "--input-shape applies to .onnx models only";
    return nullptr;
  }
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!file) {
    emitError(UnknownLoc::get(context))
        << "cannot open file: " << file.getError().message();
    return nullptr;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
  ParserConfig config(context);
  return parseSourceFile<ModuleOp>(sourceMgr, config);
}
