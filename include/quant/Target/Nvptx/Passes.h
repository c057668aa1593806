//===- Passes.h - NVIDIA GPU code generation passes -------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TARGET_NVPTX_PASSES_H
#define QUANT_TARGET_NVPTX_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::quant_compiler {

#define GEN_PASS_DECL
#include "quant/Target/Nvptx/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "quant/Target/Nvptx/Passes.h.inc"

} // namespace mlir::quant_compiler

#endif // QUANT_TARGET_NVPTX_PASSES_H
