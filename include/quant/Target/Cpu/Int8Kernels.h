//===- Int8Kernels.h - Packing for the int8 microkernels --------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The compile-time half of runtime/kernels/quant_int8_kernels.h: which
// instruction sets have kernels, their register tiles, and the weight
// packing and zero-point compensation that quant-cpu-int8-kernels does
// before emitting a call. No MLIR dependency (test/Unit/Int8KernelsTest.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_TARGET_CPU_INT8KERNELS_H
#define QUANT_TARGET_CPU_INT8KERNELS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::quant_compiler {

/// An instruction set with int8 kernels and its register tile.
struct Int8KernelIsa {
  llvm::StringRef name; // generic, avx2, avxvnni, avx512vnni
  int64_t mr;           // rows per tile
  int64_t nc;           // columns per tile
};

/// The ISA called `name`, or nullopt.
std::optional<Int8KernelIsa> lookupInt8KernelIsa(llvm::StringRef name);

/// The names lookupInt8KernelIsa accepts, for messages.
llvm::StringRef int8KernelIsaNames();

/// The best ISA for an `arch` ("x86_64", ...) CPU that has the LLVM target
/// features for which `has("avx512vnni")` etc. is true: avx512vnni,
/// avxvnni, avx2, else generic.
Int8KernelIsa
selectInt8KernelIsa(llvm::StringRef arch,
                    llvm::function_ref<bool(llvm::StringRef)> has);

/// rows panels [ceil(rows / mr)][K4][mr][4] of a row-major [rows][k] matrix
/// (K4 = ceil(k / 4); padding is 0).
std::vector<int8_t> packRowsPanels(llvm::ArrayRef<int8_t> matrix,
                                   int64_t rows, int64_t k, int64_t mr);

/// cols panels [ceil(cols / nc)][K4][nc][4] of a [k][cols] matrix, read
/// from row-major [k][cols], or [cols][k] when `transposed`.
std::vector<int8_t> packColsPanels(llvm::ArrayRef<int8_t> matrix, int64_t k,
                                   int64_t cols, bool transposed, int64_t nc);

/// The int32 biases the kernels start from, one per output channel:
/// bias[c] - (zp + 128) * sum_k w[c][k] modulo 2^32 (activations are shifted
/// to u8, see the runtime header). `matrix` holds w as [channels][k] when
/// `channelMajor`, else as [k][channels].
std::vector<int32_t> compensatedBiases(llvm::ArrayRef<int8_t> matrix,
                                       int64_t channels, int64_t k,
                                       bool channelMajor,
                                       llvm::ArrayRef<int64_t> bias,
                                       int32_t inputZeroPoint);

} // namespace mlir::quant_compiler

#endif // QUANT_TARGET_CPU_INT8KERNELS_H
