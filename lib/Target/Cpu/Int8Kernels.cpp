//===- Int8Kernels.cpp - Packing for the int8 microkernels ----------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Cpu/Int8Kernels.h"

#include "quant_int8_kernels.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir::quant_compiler;

#define QUANT_ISA(kind, name, arch, isa, MR, NC)                               \
  {                                                                            \
    Int8Kernels::kind, name, arch, MR, NC, QUANT_ISA_KGROUP(isa),              \
        QUANT_ISA_SIGNED_ACTIVATIONS(isa)                                      \
  }
static const Int8KernelIsa kIsas[] = {
    QUANT_ISA(Generic, "generic", "", QUANT_ISA_GENERIC, QUANT_GENERIC_MR,
              QUANT_GENERIC_NC),
    QUANT_ISA(Avx2, "avx2", "x86_64", QUANT_ISA_AVX2, QUANT_AVX2_MR,
              QUANT_AVX2_NC),
    QUANT_ISA(AvxVnni, "avxvnni", "x86_64", QUANT_ISA_AVXVNNI, QUANT_AVXVNNI_MR,
              QUANT_AVXVNNI_NC),
    QUANT_ISA(Avx512Vnni, "avx512vnni", "x86_64", QUANT_ISA_AVX512VNNI,
              QUANT_AVX512VNNI_MR, QUANT_AVX512VNNI_NC),
    QUANT_ISA(Dotprod, "dotprod", "aarch64", QUANT_ISA_DOTPROD,
              QUANT_DOTPROD_MR, QUANT_DOTPROD_NC),
    QUANT_ISA(I8mm, "i8mm", "aarch64", QUANT_ISA_I8MM, QUANT_I8MM_MR,
              QUANT_I8MM_NC),
};
#undef QUANT_ISA

std::optional<Int8KernelIsa>
mlir::quant_compiler::lookupInt8KernelIsa(Int8Kernels kind) {
  for (const Int8KernelIsa &isa : kIsas)
    if (isa.kind == kind)
      return isa;
  return std::nullopt;
}

llvm::StringRef mlir::quant_compiler::stringifyInt8Kernels(Int8Kernels kind) {
  if (kind == Int8Kernels::Auto)
    return "auto";
  if (kind == Int8Kernels::Reference)
    return "reference";
  return lookupInt8KernelIsa(kind)->name;
}

std::optional<Int8Kernels>
mlir::quant_compiler::parseInt8Kernels(llvm::StringRef name) {
  for (Int8Kernels kind : {Int8Kernels::Auto, Int8Kernels::Reference})
    if (name == stringifyInt8Kernels(kind))
      return kind;
  for (const Int8KernelIsa &isa : kIsas)
    if (isa.name == name)
      return isa.kind;
  return std::nullopt;
}

Int8KernelIsa mlir::quant_compiler::selectInt8KernelIsa(
    llvm::StringRef arch, llvm::function_ref<bool(llvm::StringRef)> has) {
  if (arch == "aarch64") {
    if (has("i8mm") && has("dotprod"))
      return kIsas[5];
    if (has("dotprod"))
      return kIsas[4];
    return kIsas[0];
  }
  if (arch != "x86_64")
    return kIsas[0];
  if (has("avx512vnni") && has("avx512bw") && has("avx512dq") &&
      has("avx512vl"))
    return kIsas[3];
  if (has("avxvnni") && has("avx2"))
    return kIsas[2];
  if (has("avx2") && has("fma"))
    return kIsas[1];
  return kIsas[0];
}

std::vector<int8_t>
mlir::quant_compiler::packRowsPanels(llvm::ArrayRef<int8_t> matrix,
                                     int64_t rows, int64_t k, int64_t mr,
                                     int64_t kg) {
  int64_t groups = (k + kg - 1) / kg, blocks = (rows + mr - 1) / mr;
  std::vector<int8_t> packed(blocks * groups * mr * kg, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t kk = 0; kk < k; ++kk)
      packed[((r / mr) * groups + kk / kg) * mr * kg + (r % mr) * kg +
             kk % kg] = matrix[r * k + kk];
  return packed;
}

std::vector<int8_t>
mlir::quant_compiler::directConvMatrix(llvm::ArrayRef<int8_t> weights,
                                       int64_t oc, int64_t ic, int64_t kh,
                                       int64_t kw, int64_t kg) {
  int64_t row = quant_qconv_direct_row(ic, kh, kw, kg);
  std::vector<int8_t> matrix(oc * row, 0);
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t c = 0; c < ic; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          matrix[o * row + quant_qconv_direct_k(c, y, x, kh, kw, kg)] =
              weights[((o * ic + c) * kh + y) * kw + x];
  return matrix;
}

std::vector<int8_t>
mlir::quant_compiler::packColsPanels(llvm::ArrayRef<int8_t> matrix, int64_t k,
                                     int64_t cols, bool transposed, int64_t nc,
                                     int64_t kg) {
  int64_t groups = (k + kg - 1) / kg, panels = (cols + nc - 1) / nc;
  std::vector<int8_t> packed(panels * groups * nc * kg, 0);
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t c = 0; c < cols; ++c)
      packed[((c / nc) * groups + kk / kg) * nc * kg + (c % nc) * kg +
             kk % kg] = transposed ? matrix[c * k + kk] : matrix[kk * cols + c];
  return packed;
}

mlir::quant_compiler::W4GemmOperands mlir::quant_compiler::packW4GemmOperands(
    llvm::function_ref<int64_t(int64_t o, int64_t kk)> q, int64_t n, int64_t k,
    int64_t groupK, llvm::ArrayRef<float> scales, int64_t inZeroPoint) {
  constexpr int64_t nb = QUANT_W4_NB;
  int64_t blocks = (n + nb - 1) / nb, quads = k / 4, groups = k / groupK;
  W4GemmOperands ops;
  // n = 8 (w = 0) in both nibbles wherever no channel is.
  ops.weights.assign(blocks * quads * 64, static_cast<int8_t>(0x88));
  ops.scales.assign(blocks * groups * nb, 0.0f);
  ops.corrections.assign(blocks * groups * nb, 0);
  int64_t shiftedZp = inZeroPoint + 128;
  for (int64_t o = 0; o < n; ++o) {
    int64_t b = o / nb, lane = o % nb % 16, high = o % nb / 16;
    for (int64_t g = 0; g < groups; ++g) {
      int64_t sum = 0;
      for (int64_t kk = g * groupK; kk < (g + 1) * groupK; ++kk) {
        int64_t w = q(o, kk);
        sum += w;
        auto &byte = reinterpret_cast<uint8_t &>(
            ops.weights[(b * quads + kk / 4) * 64 + lane * 4 + kk % 4]);
        uint8_t nibble = static_cast<uint8_t>(w + 8);
        byte = high ? static_cast<uint8_t>((byte & 0x0F) | (nibble << 4))
                    : static_cast<uint8_t>((byte & 0xF0) | nibble);
      }
      int64_t slot = (b * groups + g) * nb + o % nb;
      ops.scales[slot] = scales[o * groups + g];
      ops.corrections[slot] = static_cast<int32_t>(
          static_cast<uint32_t>(static_cast<uint64_t>(-shiftedZp * sum)));
    }
  }
  return ops;
}
