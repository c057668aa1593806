//===- Int8Kernels.cpp - Packing for the int8 microkernels ----------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Cpu/Int8Kernels.h"

#include "quant_int8_kernels.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir::quant_compiler;

static const Int8KernelIsa kIsas[] = {
    {"generic", QUANT_GENERIC_MR, QUANT_GENERIC_NC},
    {"avx2", QUANT_AVX2_MR, QUANT_AVX2_NC},
    {"avxvnni", QUANT_AVXVNNI_MR, QUANT_AVXVNNI_NC},
    {"avx512vnni", QUANT_AVX512VNNI_MR, QUANT_AVX512VNNI_NC},
};

std::optional<Int8KernelIsa>
mlir::quant_compiler::lookupInt8KernelIsa(llvm::StringRef name) {
  for (const Int8KernelIsa &isa : kIsas)
    if (isa.name == name)
      return isa;
  return std::nullopt;
}

llvm::StringRef mlir::quant_compiler::int8KernelIsaNames() {
  return "generic, avx2, avxvnni, avx512vnni";
}

Int8KernelIsa mlir::quant_compiler::selectInt8KernelIsa(
    llvm::StringRef arch, llvm::function_ref<bool(llvm::StringRef)> has) {
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
                                     int64_t rows, int64_t k, int64_t mr) {
  int64_t k4 = (k + 3) / 4, blocks = (rows + mr - 1) / mr;
  std::vector<int8_t> packed(blocks * k4 * mr * 4, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t kk = 0; kk < k; ++kk)
      packed[((r / mr) * k4 + kk / 4) * mr * 4 + (r % mr) * 4 + kk % 4] =
          matrix[r * k + kk];
  return packed;
}

std::vector<int8_t>
mlir::quant_compiler::packColsPanels(llvm::ArrayRef<int8_t> matrix, int64_t k,
                                     int64_t cols, bool transposed,
                                     int64_t nc) {
  int64_t k4 = (k + 3) / 4, panels = (cols + nc - 1) / nc;
  std::vector<int8_t> packed(panels * k4 * nc * 4, 0);
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t c = 0; c < cols; ++c)
      packed[((c / nc) * k4 + kk / 4) * nc * 4 + (c % nc) * 4 + kk % 4] =
          transposed ? matrix[c * k + kk] : matrix[kk * cols + c];
  return packed;
}

std::vector<int32_t> mlir::quant_compiler::compensatedBiases(
    llvm::ArrayRef<int8_t> matrix, int64_t channels, int64_t k,
    bool channelMajor, llvm::ArrayRef<int64_t> bias, int32_t inputZeroPoint) {
  std::vector<int32_t> result;
  uint64_t shift = static_cast<uint64_t>(int64_t(inputZeroPoint) + 128);
  for (int64_t c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (int64_t i = 0; i < k; ++i)
      sum += channelMajor ? matrix[c * k + i] : matrix[i * channels + c];
    // Unsigned arithmetic: the wrap modulo 2^32 the accumulators have.
    uint64_t v = static_cast<uint64_t>(bias[c]) -
                 shift * static_cast<uint64_t>(sum);
    result.push_back(static_cast<int32_t>(static_cast<uint32_t>(v)));
  }
  return result;
}
