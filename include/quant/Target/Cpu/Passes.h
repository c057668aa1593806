//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TARGET_CPU_PASSES_H
#define QUANT_TARGET_CPU_PASSES_H

#include "quant/Target/Cpu/Int8Kernels.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::quant_compiler {

#define GEN_PASS_DECL
#include "quant/Target/Cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "quant/Target/Cpu/Passes.h.inc"

} // namespace mlir::quant_compiler

#endif // QUANT_TARGET_CPU_PASSES_H
