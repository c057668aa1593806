//===- quant-import-fuzzer.cpp - libFuzzer target for the impo --*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to the ONNX importer and verifies whatever it
// produces. Any input must end in diagnostics or a valid module: a crash,
// a sanitizer report or a hang is a bug. Build with -DQUANT_BUILD_FUZZERS=ON
// (clang); utils/fuzz-importer.sh runs it on the seed corpus.
//
//===----------------------------------------------------------------------===//

#include "quant/Import/OnnxImporter.h"
#include "quant/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstddef>
#include <cstdint>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    quant_compiler::registerAllDialects(*r);
    return r;
  }();
  // A fresh context per input: nothing one input leaves behind (uniqued
  // attributes, blobs) can hide a bug in the next.
  MLIRContext context(*registry);
  context.getDiagEngine().registerHandler(
      [](Diagnostic &) { return success(); });
  qnt::OnnxImportOptions options;
  // A folder that does not exist: external data references fail cleanly.
  OwningOpRef<ModuleOp> module = qnt::importOnnxModelFromBuffer(
      &context, StringRef(reinterpret_cast<const char *>(data), size),
      "/nonexistent/fuzz/model.onnx", options);
  if (module)
    (void)verify(*module);
  return 0;
}
