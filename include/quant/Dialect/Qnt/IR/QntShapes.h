//===- QntShapes.h - ONNX shape formulas used by qnt ------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The shape arithmetic of ONNX operators as plain functions, shared by the op
// verifiers and the importer and unit-tested on their own. They take and
// return static dims; a result <= 0 or std::nullopt means "no valid shape".
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTSHAPES_H
#define QUANT_DIALECT_QNT_IR_QNTSHAPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>
#include <string>

namespace mlir::qnt {

/// Multidirectional (numpy) broadcast of two shapes, or nullopt.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// Whether `from` broadcasts unidirectionally to `to` (ONNX Gemm's C,
/// LayerNormalization's scale).
bool broadcastsTo(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to);

/// Output size of one spatial dim of a convolution or pooling window:
/// floor (or ceil) of (in + padBegin + padEnd - dilation*(kernel-1) - 1) /
/// stride, plus one.
int64_t slidingWindowOutputDim(int64_t in, int64_t kernel, int64_t stride,
                               int64_t dilation, int64_t padBegin,
                               int64_t padEnd, bool ceilMode = false);

/// Output size of one spatial dim of a transposed convolution.
int64_t convTransposeOutputDim(int64_t in, int64_t kernel, int64_t stride,
                               int64_t dilation, int64_t padBegin,
                               int64_t padEnd, int64_t outputPadding);

/// Number of elements a clamped slice [start, end) with `step` selects.
int64_t sliceOutputDim(int64_t start, int64_t end, int64_t step);

/// Result shape of ONNX MatMul (numpy matmul), or nullopt when the
/// contracting dims differ or the batch dims do not broadcast.
std::optional<llvm::SmallVector<int64_t>>
matmulShape(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// Product of the dims, or nullopt on overflow or a negative (dynamic) dim.
std::optional<int64_t> numElements(llvm::ArrayRef<int64_t> shape);

/// The largest byte size a tensor may have: every size the compiler, the
/// generated header and the C ABI form (element counts, byte counts, memref
/// strides) is then an int64_t and a size_t without wrapping.
constexpr int64_t kMaxTensorBytes = INT64_MAX;

/// Bytes of a dense tensor of `shape` whose elements take `elementBits` bits
/// each, rounded up to whole bytes per element (i1 and i4 take one byte, as
/// the runtime ABI stores them), or nullopt when a dim is negative or the
/// count exceeds kMaxTensorBytes.
std::optional<int64_t> numBytes(llvm::ArrayRef<int64_t> shape,
                                unsigned elementBits);

/// "1x3x224x224"; "scalar" for rank 0.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// The shortest form that reads back as the same double ("2", "0.25"), for
/// diagnostics.
std::string formatFloat(double value);

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_IR_QNTSHAPES_H
