//===- Passes.h - Calibration passes ----------------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CALIBRATION_PASSES_H
#define QUANT_CALIBRATION_PASSES_H

#include "quant/Quantization/Options.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::qnt {

#define GEN_PASS_DECL
#include "quant/Calibration/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "quant/Calibration/Passes.h.inc"

} // namespace mlir::qnt

#endif // QUANT_CALIBRATION_PASSES_H
