//===- QntInterfaces.cpp - What passes ask of qnt ops ---------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The generated interface definitions. Each op's answers live beside it:
// in QntOps.td, or for answers that need code, in QntInterfaceImpls.cpp.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntInterfaces.h"

using namespace mlir;
using namespace mlir::qnt;

#include "quant/Dialect/Qnt/IR/QntInterfaces.cpp.inc"
