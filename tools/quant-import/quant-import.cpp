//===- quant-import.cpp - Import an ONNX model as qnt IR --------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
//   quant-import model.onnx [--input-shape NAME=1x3x224x224 ...] -o model.mlir
//
// Every failure prints one line per problem, "<file>: error: <message>",
// and exits with status 1.
//
//===----------------------------------------------------------------------===//

#include "quant/Import/OnnxImporter.h"
#include "quant/InitAll.h"
#include "quant/ToolSupport.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("quant-import options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::cat(category));
static cl::opt<bool> listOps(
    "list-ops",
    cl::desc("Print the ONNX ops quant-import supports, one per line with "
             "the opsets of each converter (\"Clip 7-10, 11-17\"; ONNX "
             "Runtime's com.microsoft ops with that domain's version), and "
             "exit"),
    cl::cat(category));
static cl::opt<std::string>
    outputFile("o", cl::desc("Output file (default: stdout)"),
               cl::value_desc("file"), cl::init("-"), cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Fix an input's shape: NAME=D0xD1x... (repeat for several "
             "inputs); every dynamic input dim must be fixed"),
    cl::value_desc("NAME=1x3x224x224"), cl::cat(category));
static cl::opt<bool> emitBytecode("emit-bytecode",
                                  cl::desc("Write MLIR bytecode, not text"),
                                  cl::cat(category));
static cl::opt<bool> printLocations(
    "mlir-print-debuginfo",
    cl::desc("Print locations (the ONNX node names) in the output"),
    cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "quant-import: import an ONNX model as qnt IR with static shapes\n\n"
      "  quant-import model.onnx --input-shape x=1x3x224x224 -o model.mlir\n");

  if (listOps) {
    std::vector<qnt::SupportedOnnxOp> ops = qnt::getSupportedOnnxOps();
    size_t width = 20;
    for (const qnt::SupportedOnnxOp &op : ops)
      width = std::max(width, op.opType.size() + 2);
    for (const qnt::SupportedOnnxOp &op : ops)
      llvm::outs() << llvm::left_justify(op.opType, width) << op.formatOpsets()
                   << "\n";
    return 0;
  }
  if (inputFile.empty()) {
    llvm::errs() << "quant-import: error: no input model (see --help)\n";
    return 1;
  }

  qnt::OnnxImportOptions options;
  for (const std::string &spec : inputShapes) {
    qnt::InputShape shape;
    std::string error;
    if (!qnt::parseInputShape(spec, shape, error)) {
      llvm::errs() << "quant-import: error: --input-shape: " << error << "\n";
      return 1;
    }
    options.inputShapes.push_back(std::move(shape));
  }

  DialectRegistry registry;
  quant_compiler::registerAllDialects(registry);
  MLIRContext context(registry);
  quant_compiler::installToolDiagnostics(context, inputFile);

  OwningOpRef<ModuleOp> module =
      qnt::importOnnxModel(&context, inputFile, options);
  if (!module)
    return 1;
  // The importer's result types come from ONNX shape inference; the qnt
  // verifiers check them against quant's own shape formulas.
  if (failed(verify(*module)))
    return 1;

  std::string error;
  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "quant-import: error: " << error << "\n";
    return 1;
  }
  if (emitBytecode) {
    if (failed(writeBytecodeToFile(*module, output->os())))
      return 1;
  } else {
    OpPrintingFlags flags;
    if (printLocations)
      flags.enableDebugInfo();
    module->print(output->os(), flags);
  }
  output->keep();
  return 0;
}
