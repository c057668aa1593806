//===- Int8KernelsTest.cpp - Packing for the int8 microkernels ---*- C++
//-*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The compile-time half of the kernel contract (runtime/kernels/
// quant_int8_kernels.h): panel layouts, zero-point compensation, and which
// instruction set a CPU gets. The kernels themselves are held to the
// reference lowering by test/e2e/int8-sweep.test.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Cpu/Int8Kernels.h"
#include "quant/Target/Common/KernelOperands.h"

#include "llvm/ADT/StringSet.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <functional>

using namespace mlir::quant_compiler;

namespace {

/// A feature test for selectInt8KernelIsa: true for the names listed.
std::function<bool(llvm::StringRef)>
with(std::initializer_list<const char *> features) {
  llvm::StringSet<> set;
  for (const char *f : features)
    set.insert(f);
  return [set](llvm::StringRef f) { return set.contains(f); };
}

// 3 rows x K = 5 with MR = 2: blocks [2][K4 = 2][2][4]; row r, k at
// ((r / 2) * 2 + k / 4) * 8 + (r % 2) * 4 + k % 4; the rest is 0.
TEST(Int8Kernels, RowsPanels) {
  std::vector<int8_t> m;
  for (int i = 0; i < 15; ++i)
    m.push_back(static_cast<int8_t>(i + 1)); // row r = [5r+1 .. 5r+5]
  std::vector<int8_t> p = packRowsPanels(m, 3, 5, 2);
  std::vector<int8_t> expected = {
      1,  2,  3,  4,  6,  7, 8, 9, // block 0, k 0..3, rows 0 and 1
      5,  0,  0,  0,  10, 0, 0, 0, // block 0, k 4 (k padding 0)
      11, 12, 13, 14, 0,  0, 0, 0, // block 1, row 2 and a padding row
      15, 0,  0,  0,  0,  0, 0, 0};
  EXPECT_EQ(p, expected);
}

// The direct convolution's K order: 2 output channels, 5 input channels,
// a 1x2 kernel, channel groups of 4: each row is (group, y, x, channel in
// group) = 2 groups x 1 x 2 taps x 4 = 16, channels 5..7 zero; weight
// (o, c, 0, x) = 100 * o + 10 * c + x + 1.
TEST(Int8Kernels, DirectConvMatrix) {
  std::vector<int8_t> w;
  for (int o = 0; o < 2; ++o)
    for (int c = 0; c < 5; ++c)
      for (int x = 0; x < 2; ++x)
        w.push_back(static_cast<int8_t>(100 * o + 10 * c + x + 1));
  std::vector<int8_t> m = directConvMatrix(w, 2, 5, 1, 2, /*kg=*/4);
  std::vector<int> expected = {
      1,   11,  21,  31,  2,   12,  22,  32,  // o 0, group 0: x = 0, x = 1
      41,  0,   0,   0,   42,  0,   0,   0,   // group 1: channel 4, padding
      101, 111, 121, 131, 102, 112, 122, 132, // o 1 (int8: 131.. wrap)
      141, 0,   0,   0,   142, 0,   0,   0};
  ASSERT_EQ(m.size(), expected.size());
  for (size_t i = 0; i < m.size(); ++i)
    EXPECT_EQ(m[i], static_cast<int8_t>(expected[i])) << "at " << i;
}

// K = 2 x 3 columns with NC = 2, from [k][cols] and from the transposed
// [cols][k]: panels [2][K4 = 1][2][4].
TEST(Int8Kernels, ColsPanels) {
  std::vector<int8_t> kByCols = {1, 2, 3, 4, 5, 6}; // w[k][c]
  std::vector<int8_t> colsByK = {1, 4, 2, 5, 3, 6}; // the same w as [c][k]
  std::vector<int8_t> expected = {1, 4, 0, 0, 2, 5, 0, 0,  // columns 0, 1
                                  3, 6, 0, 0, 0, 0, 0, 0}; // column 2, pad
  EXPECT_EQ(packColsPanels(kByCols, 2, 3, /*transposed=*/false, 2), expected);
  EXPECT_EQ(packColsPanels(colsByK, 2, 3, /*transposed=*/true, 2), expected);
}

// bias - (zp + 128) * sum(w) per channel, wrapping modulo 2^32 like the
// accumulators.
TEST(Int8Kernels, CompensatedBiases) {
  std::vector<int8_t> w = {1, 2, -3, 127, 127, 127}; // [2][3]
  std::vector<int32_t> b =
      compensatedBiases(w, 2, 3, /*channelMajor=*/true, {10, -20}, /*zp=*/-128);
  EXPECT_EQ(b, (std::vector<int32_t>{10, -20})); // zp + 128 = 0
  b = compensatedBiases(w, 2, 3, true, {10, -20}, 3);
  EXPECT_EQ(b, (std::vector<int32_t>{10 - 131 * 0, -20 - 131 * 381}));
  // The same w read as [k = 3][channels = 2]: columns (1, -3, 127) and
  // (2, 127, 127).
  b = compensatedBiases(w, 2, 3, /*channelMajor=*/false, {0, 0}, 0);
  EXPECT_EQ(b, (std::vector<int32_t>{-128 * 125, -128 * 256}));
  // 2^31 - 1 minus a negative product wraps around to negative.
  b = compensatedBiases({-1}, 1, 1, true, {INT32_MAX}, 0);
  EXPECT_EQ(b, (std::vector<int32_t>{INT32_MIN + 127}));
}

TEST(Int8Kernels, IsaSelection) {
  EXPECT_EQ(selectInt8KernelIsa("x86_64",
                                with({"avx512vnni", "avx512bw", "avx512dq",
                                      "avx512vl", "avxvnni", "avx2", "fma"}))
                .name,
            "avx512vnni");
  // AVX-512 VNNI without VL (no ymm forms) is not enough for the zmm kernel.
  EXPECT_EQ(selectInt8KernelIsa("x86_64", with({"avx512vnni", "avx512bw",
                                                "avxvnni", "avx2", "fma"}))
                .name,
            "avxvnni");
  EXPECT_EQ(selectInt8KernelIsa("x86_64", with({"avx2", "fma"})).name, "avx2");
  EXPECT_EQ(selectInt8KernelIsa("x86_64", with({"sse4.2"})).name, "generic");
  EXPECT_EQ(selectInt8KernelIsa("aarch64", with({"avx2", "fma"})).name,
            "generic");
  std::optional<Int8KernelIsa> isa =
      lookupInt8KernelIsa(Int8Kernels::Avx512Vnni);
  ASSERT_TRUE(isa.has_value());
  EXPECT_EQ(isa->mr, 8);
  EXPECT_EQ(isa->nc, 48);
  EXPECT_FALSE(lookupInt8KernelIsa(Int8Kernels::Auto).has_value());
  EXPECT_FALSE(lookupInt8KernelIsa(Int8Kernels::Reference).has_value());
  EXPECT_EQ(stringifyInt8Kernels(Int8Kernels::AvxVnni), "avxvnni");
  EXPECT_EQ(isa->kGroup, 4);
  EXPECT_EQ(isa->activationShift(), 128);
}

TEST(Int8Kernels, AArch64IsaSelection) {
  EXPECT_EQ(
      selectInt8KernelIsa("aarch64", with({"neon", "dotprod", "i8mm"})).name,
      "i8mm");
  EXPECT_EQ(selectInt8KernelIsa("aarch64", with({"neon", "dotprod"})).name,
            "dotprod");
  EXPECT_EQ(selectInt8KernelIsa("aarch64", with({"neon"})).name, "generic");
  // x86 names mean nothing on AArch64 and the reverse.
  EXPECT_EQ(selectInt8KernelIsa("x86_64", with({"dotprod", "i8mm"})).name,
            "generic");
  std::optional<Int8KernelIsa> i8mm = lookupInt8KernelIsa(Int8Kernels::I8mm);
  ASSERT_TRUE(i8mm.has_value());
  EXPECT_EQ(i8mm->arch, "aarch64");
  EXPECT_EQ(i8mm->kGroup, 8);
  EXPECT_EQ(i8mm->activationShift(), 0);
  std::optional<Int8KernelIsa> dotprod =
      lookupInt8KernelIsa(Int8Kernels::Dotprod);
  ASSERT_TRUE(dotprod.has_value());
  EXPECT_EQ(dotprod->kGroup, 4);
  EXPECT_TRUE(dotprod->signedActivations);
  EXPECT_EQ(lookupInt8KernelIsa(Int8Kernels::Generic)->arch, "");
}

// k-groups of 8 (smmla's operands): 3 rows x K = 10 with MR = 2, panels
// [2][KG = 2][2][8]; row r, k at ((r / 2) * 2 + k / 8) * 16 + (r % 2) * 8
// + k % 8.
TEST(Int8Kernels, RowsPanelsOfEight) {
  std::vector<int8_t> m;
  for (int i = 0; i < 30; ++i)
    m.push_back(static_cast<int8_t>(i + 1)); // row r = [10r+1 .. 10r+10]
  std::vector<int8_t> p = packRowsPanels(m, 3, 10, 2, /*kg=*/8);
  std::vector<int8_t> expected = {
      1,  2,  3,  4,  5,  6,  7,  8,  11, 12, 13, 14, 15, 16, 17, 18,
      9,  10, 0,  0,  0,  0,  0,  0,  19, 20, 0,  0,  0,  0,  0,  0,
      21, 22, 23, 24, 25, 26, 27, 28, 0,  0,  0,  0,  0,  0,  0,  0,
      29, 30, 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0};
  EXPECT_EQ(p, expected);
  // Columns are the same layout of the transposed matrix.
  EXPECT_EQ(packColsPanels(m, 10, 3, /*transposed=*/true, 2, /*kg=*/8),
            expected);
}

// s8 activations (sdot, smmla): bias - zp * sum(w).
TEST(Int8Kernels, CompensatedBiasesSigned) {
  std::vector<int8_t> w = {1, 2, -3, 127, 127, 127}; // [2][3]
  EXPECT_EQ(compensatedBiases(w, 2, 3, true, {10, -20}, /*zp=*/3,
                              /*activationShift=*/0),
            (std::vector<int32_t>{10 - 3 * 0, -20 - 3 * 381}));
  EXPECT_EQ(compensatedBiases(w, 2, 3, true, {10, -20}, -128, 0),
            (std::vector<int32_t>{10, -20 + 128 * 381}));
}

} // namespace
