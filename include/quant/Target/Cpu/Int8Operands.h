//===- Int8Operands.h - Constant operands of int8 contractions --*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// What a kernel for a quantized qnt.conv / qnt.gemm / qnt.matmul with
// constant weights needs at compile time, shared by the CPU microkernel
// calls (quant-cpu-int8-kernels) and the tensor-core kernels
// (quant-nvptx-int8-mma).
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TARGET_CPU_INT8OPERANDS_H
#define QUANT_TARGET_CPU_INT8OPERANDS_H

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::quant_compiler {

struct Int8ContractionOperands {
  /// The int8 weights as stored in operand 1 (row-major).
  llvm::SmallVector<int8_t> weights;
  /// The int32 bias of operand 2 per output channel, or zeros.
  llvm::SmallVector<int64_t> bias;
  /// Each output channel's fixed-point requantization (QuantMath).
  llvm::SmallVector<int32_t> multipliers, shifts;
};

/// The operands of `op` (input operand 0, symmetric int8 weights operand 1,
/// optional int32 bias operand 2) with `channels` output channels, or
/// nullopt when an operand is not a constant of the right type or a scale
/// has no fixed-point form (the reference lowering reports that).
std::optional<Int8ContractionOperands>
getInt8ContractionOperands(Operation *op, int64_t channels,
                           quant::UniformQuantizedType inQ,
                           quant::UniformQuantizedType outQ);

/// `memref<?xT>` viewing the whole of `tensor`'s buffer (read only,
/// through bufferization.to_buffer).
Value flatBuffer(OpBuilder &b, Location loc, Value tensor);

/// A 1-D i32 constant (a blob named `blobName` when not empty), as a flat
/// buffer.
Value constantI32Buffer(OpBuilder &b, Location loc,
                        llvm::ArrayRef<int32_t> values,
                        llvm::StringRef blobName);

/// Replaces `op`'s (quantized) result by what its kernel wrote into `out`,
/// a flat `memref<N x i8>` of the result's storage: `bufferization.to_tensor
/// restrict writable`, `tensor.expand_shape` to the result's shape and a
/// `quant.scast`; erases `op`.
void replaceWithKernelOutput(OpBuilder &b, Operation *op, Value out);

} // namespace mlir::quant_compiler

#endif // QUANT_TARGET_CPU_INT8OPERANDS_H
