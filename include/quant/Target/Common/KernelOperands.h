//===- KernelOperands.h - Operands of int8 kernels, any target -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// What a kernel for a quantized qnt.conv / qnt.gemm / qnt.matmul with
// constant weights needs at compile time, and the buffers a kernel call
// passes, shared by the targets' kernel lowerings (quant-cpu-int8-kernels,
// quant-nvptx-int8-mma). Target-neutral: the targets depend on this
// library, never on each other.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TARGET_COMMON_KERNELOPERANDS_H
#define QUANT_TARGET_COMMON_KERNELOPERANDS_H

#include "quant/Dialect/Qnt/IR/QntLayers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::quant_compiler {

/// A linear layer on per-tensor int8 input and result: where every int8
/// kernel pattern starts.
struct Int8Layer {
  qnt::LinearLayer layer;
  quant::UniformQuantizedType input, output;
  RankedTensorType inputType, weightType, resultType;
};

/// `op` as an Int8Layer, or a match failure that says why not (not a plain
/// 2-D linear layer; input or result not per-tensor i8).
FailureOr<Int8Layer> matchInt8Layer(Operation *op, PatternRewriter &rewriter);

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

/// The int32 biases a kernel starts from, one per output channel:
/// bias[c] - (zp + shift) * sum_k w[c][k] modulo 2^32, where `shift` is
/// what the kernel adds to activations (128 when they are shifted to u8,
/// see runtime/kernels/quant_int8_kernels.h; Int8KernelIsa::
/// activationShift). `matrix` holds w as [channels][k] when
/// `channelMajor`, else as [k][channels].
std::vector<int32_t>
compensatedBiases(llvm::ArrayRef<int8_t> matrix, int64_t channels, int64_t k,
                  bool channelMajor, llvm::ArrayRef<int64_t> bias,
                  int32_t inputZeroPoint, int32_t activationShift = 128);

/// The storage-type constant behind a quantized constant operand
/// (`quant.scast(qnt.constant)`), or nullopt.
std::optional<llvm::SmallVector<int64_t>> getStorageConstant(Value value);

/// `memref<?xT>` viewing the whole of `tensor`'s buffer (read only,
/// through bufferization.to_buffer).
Value flatBuffer(OpBuilder &b, Location loc, Value tensor);

/// A 1-D constant (i8, i32, i64 or f32; a blob named `blobName` when not
/// empty), as a flat buffer.
Value constantI8Buffer(OpBuilder &b, Location loc,
                       llvm::ArrayRef<int8_t> values, llvm::StringRef blobName);
Value constantI32Buffer(OpBuilder &b, Location loc,
                        llvm::ArrayRef<int32_t> values,
                        llvm::StringRef blobName);
Value constantI64Buffer(OpBuilder &b, Location loc,
                        llvm::ArrayRef<int64_t> values);
Value constantF32Buffer(OpBuilder &b, Location loc,
                        llvm::ArrayRef<float> values, llvm::StringRef blobName);

/// `func.func private @name(argTypes) -> ()` with a C interface
/// (`llvm.emit_c_interface`) at the start of `module`, or the existing one.
func::FuncOp declareKernelFunction(OpBuilder &b, ModuleOp module,
                                   llvm::StringRef name, TypeRange argTypes);

/// What a kernel wrote into `out` (a flat `memref<N x T>`) as a tensor of
/// `type`'s shape and T (`bufferization.to_tensor restrict writable`,
/// `tensor.expand_shape`).
Value kernelOutputAsTensor(OpBuilder &b, Location loc, Value out,
                           RankedTensorType type);

/// Replaces `op`'s (quantized) result by what its kernel wrote into `out`,
/// a flat `memref<N x i8>` of the result's storage, behind a `quant.scast`.
void replaceWithKernelOutput(RewriterBase &rewriter, Operation *op, Value out);

} // namespace mlir::quant_compiler

#endif // QUANT_TARGET_COMMON_KERNELOPERANDS_H
