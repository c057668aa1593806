//===- InitAll.h - Register quant's dialects and passes ---------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// One place that lists what the tools register, shared by quant-opt and the
// compiler driver so that the driver runs nothing a lit test cannot run.
// Only the dialects quant uses are registered (registerAllDialects would pull
// in every upstream dialect).
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_INITALL_H
#define QUANT_INITALL_H

#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::quant_compiler {

/// The dialects quant's IR is made of, at every stage it has today.
inline void registerAllDialects(DialectRegistry &registry) {
  registry.insert<qnt::QntDialect, quant::QuantDialect, func::FuncDialect>();
}

/// quant's own passes plus the upstream passes its pipelines use.
inline void registerAllPasses() {
  qnt::registerQntPasses();
  registerCanonicalizerPass();
  registerCSEPass();
  registerSymbolDCEPass();
}

} // namespace mlir::quant_compiler

#endif // QUANT_INITALL_H
