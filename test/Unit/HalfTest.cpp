//===- HalfTest.cpp - The importer's float16 helpers ----------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// float16 models compute in float32 (docs/QdqImport.md): the importer
// widens float16 values, rounds Cast-to-float16 constants, and writes
// float16 constants back for ONNX shape inference. Every one of the 65536
// bit patterns must survive widening and narrowing unchanged, and rounding
// must be to nearest, ties to even, overflowing to infinity.
//
//===----------------------------------------------------------------------===//

#include "../../lib/Import/OnnxOpsCommon.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace mlir::qnt::detail;

namespace {

TEST(Half, EveryBitPatternRoundTrips) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    float x = halfToFloat(static_cast<uint16_t>(bits));
    if (std::isnan(x))
      continue;
    EXPECT_EQ(halfBits(x), bits) << bits;
    EXPECT_EQ(roundToHalf(x), x) << bits;
  }
}

TEST(Half, KnownValues) {
  EXPECT_EQ(halfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(halfToFloat(0xC000), -2.0f);
  EXPECT_EQ(halfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24)); // smallest subnormal
  EXPECT_EQ(roundToHalf(0.1f), 0.0999755859375f);
  EXPECT_EQ(roundToHalf(1.0f / 3.0f), 0.333251953125f);
  // Ties to even: 2049 lies between 2048 and 2050 (step 2 there).
  EXPECT_EQ(roundToHalf(2049.0f), 2048.0f);
  EXPECT_EQ(roundToHalf(2051.0f), 2052.0f);
  EXPECT_EQ(roundToHalf(65519.0f), 65504.0f);
  EXPECT_EQ(roundToHalf(65520.0f), std::numeric_limits<float>::infinity());
  EXPECT_EQ(roundToHalf(std::ldexp(1.0f, -26)),
            0.0f); // below half the subnormal step
  EXPECT_TRUE(std::isnan(halfToFloat(halfBits(std::nanf("")))));
}

} // namespace
