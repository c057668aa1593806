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

/// An instruction set with int8 kernels, its register tile and its panel
/// layout.
struct Int8KernelIsa {
  llvm::StringRef name; // generic, avx2, avxvnni, avx512vnni, dotprod, i8mm
  llvm::StringRef arch; // the one architecture it runs on, "" for any
  int64_t mr;           // rows per tile
  int64_t nc;           // columns per tile
  int64_t kGroup;       // k values of one row/column stored together (4, 8)
  /// Activations are packed as s8 (sdot, smmla) rather than shifted to u8
  /// (vpdpbusd and the portable kernels).
  bool signedActivations;

  /// What compensatedBiases subtracts per unit of sum(w) on top of the
  /// input zero point: 128 for u8 activations, 0 for s8.
  int32_t activationShift() const { return signedActivations ? 0 : 128; }
};

/// The ISA called `name`, or nullopt.
std::optional<Int8KernelIsa> lookupInt8KernelIsa(llvm::StringRef name);

/// The names lookupInt8KernelIsa accepts, for messages.
llvm::StringRef int8KernelIsaNames();

/// The best ISA for an `arch` ("x86_64", "aarch64", ...) CPU that has the
/// LLVM target features for which `has("avx512vnni")` etc. is true:
/// avx512vnni, avxvnni, avx2 on x86-64; i8mm, dotprod on AArch64; else
/// generic.
Int8KernelIsa
selectInt8KernelIsa(llvm::StringRef arch,
                    llvm::function_ref<bool(llvm::StringRef)> has);

/// rows panels [ceil(rows / mr)][KG][mr][kg] of a row-major [rows][k]
/// matrix (KG = ceil(k / kg); padding is 0).
std::vector<int8_t> packRowsPanels(llvm::ArrayRef<int8_t> matrix,
                                   int64_t rows, int64_t k, int64_t mr,
                                   int64_t kg = 4);

/// A convolution's weights [oc][ic][kh][kw] (row-major) with each row's K
/// in the direct kernels' order (cg, y, x, channel in group of `kg`),
/// channels past `ic` zero: rows of quant_qconv_direct_row(ic, kh, kw, kg)
/// (runtime/kernels/quant_int8_kernels.h), for packRowsPanels.
std::vector<int8_t> directConvMatrix(llvm::ArrayRef<int8_t> weights,
                                     int64_t oc, int64_t ic, int64_t kh,
                                     int64_t kw, int64_t kg);

/// cols panels [ceil(cols / nc)][KG][nc][kg] of a [k][cols] matrix, read
/// from row-major [k][cols], or [cols][k] when `transposed`.
std::vector<int8_t> packColsPanels(llvm::ArrayRef<int8_t> matrix, int64_t k,
                                   int64_t cols, bool transposed, int64_t nc,
                                   int64_t kg = 4);

/// The int32 biases the kernels start from, one per output channel:
/// bias[c] - (zp + shift) * sum_k w[c][k] modulo 2^32, where `shift` is
/// what the kernels add to activations (128 when they are shifted to u8,
/// see the runtime header; Int8KernelIsa::activationShift). `matrix` holds
/// w as [channels][k] when `channelMajor`, else as [k][channels].
std::vector<int32_t> compensatedBiases(llvm::ArrayRef<int8_t> matrix,
                                       int64_t channels, int64_t k,
                                       bool channelMajor,
                                       llvm::ArrayRef<int64_t> bias,
                                       int32_t inputZeroPoint,
                                       int32_t activationShift = 128);

} // namespace mlir::quant_compiler

#endif // QUANT_TARGET_CPU_INT8KERNELS_H
