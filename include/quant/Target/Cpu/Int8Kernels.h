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
#include "llvm/Support/CommandLine.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::quant_compiler {

/// How quantized convolutions and GEMMs run on a CPU: the reference loops
/// of convert-quantized-qnt-to-linalg, the microkernels of one instruction
/// set, or (Auto) the best set the target CPU has.
enum class Int8Kernels {
  Auto,
  Reference,
  Generic,
  Avx2,
  AvxVnni,
  Avx512Vnni,
  Dotprod,
  I8mm,
};

/// The command-line spellings of Int8Kernels, for pass, pipeline and tool
/// options.
inline auto int8KernelsValues() {
  return llvm::cl::values(
      clEnumValN(Int8Kernels::Auto, "auto",
                 "the best microkernels the target CPU has"),
      clEnumValN(Int8Kernels::Reference, "reference",
                 "the plain integer loops of the reference lowering"),
      clEnumValN(Int8Kernels::Generic, "generic", "portable C"),
      clEnumValN(Int8Kernels::Avx2, "avx2", "x86-64 AVX2"),
      clEnumValN(Int8Kernels::AvxVnni, "avxvnni", "x86-64 AVX-VNNI (ymm)"),
      clEnumValN(Int8Kernels::Avx512Vnni, "avx512vnni",
                 "x86-64 AVX-512 VNNI (zmm)"),
      clEnumValN(Int8Kernels::Dotprod, "dotprod", "AArch64 sdot"),
      clEnumValN(Int8Kernels::I8mm, "i8mm", "AArch64 smmla"));
}

/// An instruction set with int8 kernels, its register tile and its panel
/// layout.
struct Int8KernelIsa {
  Int8Kernels kind;
  llvm::StringRef name; // generic, avx2, avxvnni, avx512vnni, dotprod, i8mm
  llvm::StringRef arch; // the one architecture it runs on, "" for any
  int64_t mr;           // rows per tile
  int64_t nc;           // columns per tile
  int64_t kGroup;       // k values of one row/column stored together (4, 8)
  /// Activations are packed as s8 (sdot, smmla) rather than shifted to u8
  /// (vpdpbusd and the portable kernels).
  bool signedActivations;

  /// What compensatedBiases (Target/Common/KernelOperands.h) subtracts per
  /// unit of sum(w) on top of the input zero point: 128 for u8
  /// activations, 0 for s8.
  int32_t activationShift() const { return signedActivations ? 0 : 128; }
};

/// The ISA `kind` names, or nullopt for Auto and Reference.
std::optional<Int8KernelIsa> lookupInt8KernelIsa(Int8Kernels kind);

/// "auto", "reference" or the ISA's name.
llvm::StringRef stringifyInt8Kernels(Int8Kernels kind);

/// The Int8Kernels spelled `name` (as int8KernelsValues spells them), for
/// command lines that cl::opt does not parse (quant-run's).
std::optional<Int8Kernels> parseInt8Kernels(llvm::StringRef name);

/// The best ISA for an `arch` ("x86_64", "aarch64", ...) CPU that has the
/// LLVM target features for which `has("avx512vnni")` etc. is true:
/// avx512vnni, avxvnni, avx2 on x86-64; i8mm, dotprod on AArch64; else
/// generic.
Int8KernelIsa
selectInt8KernelIsa(llvm::StringRef arch,
                    llvm::function_ref<bool(llvm::StringRef)> has);

/// rows panels [ceil(rows / mr)][KG][mr][kg] of a row-major [rows][k]
/// matrix (KG = ceil(k / kg); padding is 0).
std::vector<int8_t> packRowsPanels(llvm::ArrayRef<int8_t> matrix, int64_t rows,
                                   int64_t k, int64_t mr, int64_t kg = 4);

/// A convolution's weights [oc][ic][kh][kw] (row-major) with each row's K
/// in the direct kernels' order (cg, y, x, channel in group of `kg`),
/// channels past `ic` zero: rows of quant_qconv_direct_row(ic, kh, kw, kg)
/// (runtime/kernels/quant_int8_kernels.h), for packRowsPanels.
std::vector<int8_t> directConvMatrix(llvm::ArrayRef<int8_t> weights, int64_t oc,
                                     int64_t ic, int64_t kh, int64_t kw,
                                     int64_t kg);

/// cols panels [ceil(cols / nc)][KG][nc][kg] of a [k][cols] matrix, read
/// from row-major [k][cols], or [cols][k] when `transposed`.
std::vector<int8_t> packColsPanels(llvm::ArrayRef<int8_t> matrix, int64_t k,
                                   int64_t cols, bool transposed, int64_t nc,
                                   int64_t kg = 4);

/// The constant operands of the W4A8 GEMM kernel (quant_w4gemm_<isa>;
/// runtime/kernels/quant_int8_kernels.h, "the W4A8 layout").
struct W4GemmOperands {
  /// [ceil(n / 32)][k / 4][16][4] bytes, offset-binary nibbles w + 8.
  std::vector<int8_t> weights;
  /// Combined scales, [ceil(n / 32)][k / groupK][32], 0 past n.
  std::vector<float> scales;
  /// -(inZeroPoint + 128) * (sum of the group's w), modulo 2^32, in the
  /// scales' layout.
  std::vector<int32_t> corrections;
};

/// Packs int4 weights `q(o, kk)` (in [-8, 7]) of n output channels by k
/// inputs, groups of `groupK` inputs, with `scales` the combined scales
/// [n][k / groupK]. Needs quant_w4gemm_supported(k, groupK).
W4GemmOperands
packW4GemmOperands(llvm::function_ref<int64_t(int64_t o, int64_t kk)> q,
                   int64_t n, int64_t k, int64_t groupK,
                   llvm::ArrayRef<float> scales, int64_t inZeroPoint);

} // namespace mlir::quant_compiler

#endif // QUANT_TARGET_CPU_INT8KERNELS_H
