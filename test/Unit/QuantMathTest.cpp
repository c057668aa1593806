//===- QuantMathTest.cpp - Unit tests for quantization arithmetic -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Scales and zero points computed by hand, ONNX's half-to-even quantize, and
// an exhaustive check of fixed-point requantization over every shift and
// every int8 zero point against exact 128-bit rational arithmetic.
//
//===----------------------------------------------------------------------===//

#include "quant/Quantization/QuantMath.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <vector>

using namespace mlir::qnt;

namespace {

/// Scales are the f32 nearest to the exact quotient.
double f32(double x) { return static_cast<double>(static_cast<float>(x)); }

TEST(ChooseQuantParams, AsymmetricHandComputed) {
  // [0, 6] onto [-128, 127]: scale 6/255, real 0 at -128.
  QuantParams p = chooseQuantParams(0.0, 6.0, 8, /*symmetric=*/false);
  EXPECT_EQ(p.scale, f32(6.0 / 255));
  EXPECT_NE(p.scale, 6.0 / 255);
  EXPECT_EQ(p.zeroPoint, -128);
  EXPECT_EQ(p.qmin, -128);
  EXPECT_EQ(p.qmax, 127);
  // [-1, 1]: with the exact scale 2/255 the zero point would be the tie
  // -128 + 127.5; the f32 scale is a little larger, 1 / scale a little
  // below 127.5, so it is -0.50000x and rounds to -1.
  p = chooseQuantParams(-1.0, 1.0, 8, false);
  EXPECT_EQ(p.scale, f32(2.0 / 255));
  EXPECT_GT(p.scale, 2.0 / 255);
  EXPECT_EQ(p.zeroPoint, -1);
  // A range not containing 0 is widened to contain it: [2, 4] -> [0, 4].
  p = chooseQuantParams(2.0, 4.0, 8, false);
  EXPECT_EQ(p.scale, f32(4.0 / 255));
  EXPECT_EQ(p.zeroPoint, -128);
  // [-3, -1] -> [-3, 0]: real 0 at the top of the grid.
  p = chooseQuantParams(-3.0, -1.0, 8, false);
  EXPECT_EQ(p.zeroPoint, 127);
  // Every asymmetric grid represents 0 exactly.
  for (double lo : {-5.3, -0.01, 0.0}) {
    for (double hi : {0.0, 0.2, 7.9}) {
      QuantParams q = chooseQuantParams(lo, hi, 8, false);
      EXPECT_EQ(quantize(0.0f, q), q.zeroPoint);
    }
  }
  // An all-zero range.
  p = chooseQuantParams(0.0, 0.0, 8, false);
  EXPECT_EQ(p.scale, 1.0);
  EXPECT_EQ(p.zeroPoint, 0);
}

TEST(ChooseQuantParams, SymmetricNarrowRange) {
  QuantParams p = chooseQuantParams(-3.0, 1.5, 8, /*symmetric=*/true);
  EXPECT_EQ(p.scale, f32(3.0 / 127));
  EXPECT_EQ(p.zeroPoint, 0);
  EXPECT_EQ(p.qmin, -127);
  EXPECT_EQ(p.qmax, 127);
  p = chooseQuantParams(-0.5, 0.25, 4, true);
  EXPECT_EQ(p.scale, f32(0.5 / 7));
  EXPECT_EQ(p.qmin, -7);
  EXPECT_EQ(p.qmax, 7);
}

TEST(Quantize, HalfToEvenAndSaturation) {
  QuantParams p;
  p.scale = 0.5;
  p.zeroPoint = 3;
  // x / scale = 2.5 -> 2, 3.5 -> 4, -2.5 -> -2 (ties to even), then + 3.
  EXPECT_EQ(quantize(1.25f, p), 5);
  EXPECT_EQ(quantize(1.75f, p), 7);
  EXPECT_EQ(quantize(-1.25f, p), 1);
  EXPECT_EQ(quantize(1.3f, p), 6);
  EXPECT_EQ(quantize(1000.0f, p), 127);
  EXPECT_EQ(quantize(-1000.0f, p), -128);
  EXPECT_EQ(quantize(std::numeric_limits<float>::infinity(), p), 127);
  EXPECT_EQ(quantize(std::nanf(""), p), 3);
}

TEST(Quantize, DividesInF32LikeOnnxRuntime) {
  // A Fashion-MNIST pixel 32 normalized to (32/255 - 0.5) / 0.5 in f32 is
  // -0.7490196; divided by the f32 scale 2/255 in f32 the quotient rounds
  // to the tie -95.5 (-> -96, half to even), where the exact quotient
  // -95.4999963 would give -95. quantize follows f32, as ONNX Runtime does.
  QuantParams p;
  p.scale = f32(2.0 / 255);
  p.zeroPoint = 0;
  float x = (32.0f / 255.0f - 0.5f) / 0.5f;
  ASSERT_EQ(x / static_cast<float>(p.scale), -95.5f);
  EXPECT_EQ(quantize(x, p), -96);
}

TEST(ToFixedPoint, HandComputedAndLimits) {
  auto one = toFixedPoint(1.0);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->multiplier, 1 << 30);
  EXPECT_EQ(one->shift, 30);
  auto quarter = toFixedPoint(0.25);
  ASSERT_TRUE(quarter);
  EXPECT_EQ(quarter->multiplier, 1 << 30);
  EXPECT_EQ(quarter->shift, 32);
  // Just below a power of two, the mantissa rounds up to the next one.
  auto almost = toFixedPoint(1.0 - std::ldexp(1.0, -40));
  ASSERT_TRUE(almost);
  EXPECT_EQ(almost->multiplier, 1 << 30);
  EXPECT_EQ(almost->shift, 30);
  EXPECT_FALSE(toFixedPoint(0.0));
  EXPECT_FALSE(toFixedPoint(-0.5));
  EXPECT_FALSE(toFixedPoint(std::nan("")));
  EXPECT_FALSE(toFixedPoint(std::ldexp(1.0, 31))); // shift would be -1
  EXPECT_FALSE(toFixedPoint(std::ldexp(1.0, -40))); // shift would be 71
  EXPECT_TRUE(toFixedPoint(std::ldexp(1.0, -32)));  // shift 62
}

/// Log-uniform multipliers over TOSA's range are represented to 2^-31.
TEST(ToFixedPoint, RelativeError) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> exponent(-31.5, 29.5);
  for (int i = 0; i < 100000; ++i) {
    double real = std::exp2(exponent(rng));
    auto m = toFixedPoint(real);
    ASSERT_TRUE(m) << real;
    EXPECT_GE(m->multiplier, 1 << 30);
    EXPECT_LE(m->shift, 62);
    EXPECT_GE(m->shift, 1);
    double back = std::ldexp(static_cast<double>(m->multiplier), -m->shift);
    EXPECT_LE(std::fabs(back / real - 1), std::ldexp(1.0, -31)) << real;
  }
}

/// floor(a / 2^k) for 128-bit a.
__int128 floorShift(__int128 a, int k) {
  __int128 d = static_cast<__int128>(1) << k;
  __int128 q = a / d;
  return (a % d != 0 && a < 0) ? q - 1 : q;
}

/// The rounding rule stated independently: value * m / 2^s rounded to the
/// nearest integer, ties toward +infinity, i.e. floor((2vm + 2^s) / 2^(s+1)).
int64_t referenceRound(int32_t value, int32_t multiplier, int shift) {
  __int128 twice = static_cast<__int128>(value) * multiplier * 2 +
                   (static_cast<__int128>(1) << shift);
  return static_cast<int64_t>(floorShift(twice, shift + 1));
}

/// Every shift 1..62, every int8 zero point, multipliers at both ends of
/// [2^30, 2^31) and between, accumulators at the int32 limits, near zero,
/// random, and exact ties.
TEST(Requantize, ExhaustiveOverShiftsAndZeroPoints) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int32_t> any(
      std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  const int32_t multipliers[] = {1 << 30, (1 << 30) + 1, 1518500250,
                                 1860498370, 2147483647};
  std::vector<int32_t> values = {std::numeric_limits<int32_t>::min(),
                                 std::numeric_limits<int32_t>::max(), 0,
                                 1, -1, 2, -2, 127, -128, 1 << 20, -(1 << 20)};
  for (int i = 0; i < 200; ++i)
    values.push_back(any(rng));
  for (int i = -300; i <= 300; ++i)
    values.push_back(i * 997);
  uint64_t checked = 0;
  for (int shift = 1; shift <= 62; ++shift) {
    for (int32_t multiplier : multipliers) {
      FixedPointMultiplier m{multiplier, shift};
      for (int32_t v : values) {
        int64_t rounded = referenceRound(v, multiplier, shift);
        ASSERT_EQ(applyFixedPoint(v, m), rounded)
            << "v=" << v << " m=" << multiplier << " shift=" << shift;
        for (int32_t zp = -128; zp <= 127; ++zp) {
          int64_t want = std::clamp<int64_t>(rounded + zp, -128, 127);
          ASSERT_EQ(requantize(v, m, zp, -128, 127), want)
              << "v=" << v << " m=" << multiplier << " shift=" << shift
              << " zp=" << zp;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 50000000u);
}

/// Ties go toward +infinity: with multiplier 2^30 and shift s > 30 the real
/// multiplier is 2^(30-s), and v = odd * 2^(s-31) lands exactly on .5.
TEST(Requantize, TiesTowardPositiveInfinity) {
  FixedPointMultiplier quarter{1 << 30, 32}; // 0.25
  EXPECT_EQ(applyFixedPoint(2, quarter), 1);   // 0.5 -> 1
  EXPECT_EQ(applyFixedPoint(-2, quarter), 0);  // -0.5 -> 0
  EXPECT_EQ(applyFixedPoint(6, quarter), 2);   // 1.5 -> 2
  EXPECT_EQ(applyFixedPoint(-6, quarter), -1); // -1.5 -> -1
  EXPECT_EQ(applyFixedPoint(5, quarter), 1);   // 1.25 -> 1
  EXPECT_EQ(applyFixedPoint(-5, quarter), -1); // -1.25 -> -1
  for (int shift = 31; shift <= 61; ++shift) {
    FixedPointMultiplier m{1 << 30, shift};
    for (int64_t odd = -7; odd <= 7; odd += 2) {
      int64_t v = odd * (int64_t(1) << (shift - 31));
      if (v < std::numeric_limits<int32_t>::min() ||
          v > std::numeric_limits<int32_t>::max())
        continue;
      // v * 2^(30-s) = odd / 2: ties, rounded up.
      EXPECT_EQ(applyFixedPoint(static_cast<int32_t>(v), m),
                static_cast<int64_t>(std::floor(odd / 2.0 + 0.5)))
          << "shift=" << shift << " odd=" << odd;
    }
  }
}

/// Against real arithmetic: requantizing with toFixedPoint(real) is within
/// half an LSB (plus the multiplier's 2^-31 relative error) of v * real.
TEST(Requantize, MatchesRealArithmetic) {
  std::mt19937 rng(13);
  std::uniform_real_distribution<double> exponent(-20, 0);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
  for (int i = 0; i < 20000; ++i) {
    double real = std::exp2(exponent(rng));
    auto m = toFixedPoint(real);
    ASSERT_TRUE(m);
    int32_t v = acc(rng);
    double exact = v * real;
    double slack = 0.5 + std::fabs(exact) * std::ldexp(1.0, -30);
    EXPECT_LE(std::fabs(applyFixedPoint(v, *m) - exact), slack)
        << "v=" << v << " real=" << real;
  }
}

} // namespace

TEST(QuantizeSymmetricWeights, PerChannelPerTensorAndFloor) {
  // Two output channels of three weights (channel = i / 3 % 2).
  const float w[] = {0.5f, -0.25f, 0.3f, 0.01f, 0.0f, -0.02f};
  SymmetricWeights pc = quantizeSymmetricWeights(w, 6, 2, 3, true, 0.0);
  ASSERT_EQ(pc.scales.size(), 2u);
  EXPECT_EQ(pc.scales[0], static_cast<double>(0.5f / 127));
  EXPECT_EQ(pc.scales[1], static_cast<double>(0.02f / 127));
  // 0.25 / (0.5/127) = 63.5 rounds to even; 0.3 -> 76.2 -> 76; 0.01 /
  // (0.02/127) is just under 63.5 in f32 -> 63.
  EXPECT_EQ(std::vector<int8_t>(pc.values.begin(), pc.values.end()),
            (std::vector<int8_t>{127, -64, 76, 63, 0, -127}));
  // Per tensor: the second channel shares the first's scale.
  SymmetricWeights pt = quantizeSymmetricWeights(w, 6, 2, 3, false, 0.0);
  EXPECT_EQ(pt.scales[0], pt.scales[1]);
  EXPECT_EQ(pt.values[3], 3); // 0.01 / (0.5/127) = 2.54
  EXPECT_EQ(pt.values[5], -5); // 0.02 / (0.5/127) = 5.08
  // A floor of 0.001 * 127 on the range: the small channel's scale becomes
  // 0.001 and its weights round to 10 and -20 steps.
  SymmetricWeights floored = quantizeSymmetricWeights(w, 6, 2, 3, true, 0.001);
  EXPECT_NEAR(floored.scales[1], 0.001, 1e-9);
  EXPECT_EQ(floored.values[3], 10);
  EXPECT_EQ(floored.values[5], -20);
  // Channel i % channels when inner is 1 (a gemm's [K, N] weights).
  const float kn[] = {1.0f, 0.1f, -0.5f, 0.2f};
  SymmetricWeights cols = quantizeSymmetricWeights(kn, 4, 2, 1, true, 0.0);
  EXPECT_EQ(cols.scales[0], static_cast<double>(1.0f / 127));
  EXPECT_EQ(cols.scales[1], static_cast<double>(0.2f / 127));
  EXPECT_EQ(cols.values[3], 127);
}

TEST(SumMultipliers, HandComputedAndLimits) {
  // ra = 0.5, rb = 0.25: the larger lands in [2^20, 2^21) at shift 21.
  std::optional<SumMultipliers> m = toSumMultipliers(0.5, 0.25, false);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->shift, 21);
  EXPECT_EQ(m->a, 1 << 20);
  EXPECT_EQ(m->b, 1 << 19);
  // 3 * 0.5 + 1 * 0.25 = 1.75 -> 2; -3 * 0.5 - 1 * 0.25 = -1.75 -> -2;
  // ties toward +infinity: 1 * 0.5 = 0.5 -> 1, -1 * 0.5 = -0.5 -> 0.
  EXPECT_EQ(requantizeSum(3, 1, *m, 0, -128, 127), 2);
  EXPECT_EQ(requantizeSum(-3, -1, *m, 0, -128, 127), -2);
  EXPECT_EQ(requantizeSum(1, 0, *m, 0, -128, 127), 1);
  EXPECT_EQ(requantizeSum(-1, 0, *m, 0, -128, 127), 0);
  // Zero point and saturation.
  EXPECT_EQ(requantizeSum(255, 255, *m, 10, -128, 127), 127);
  EXPECT_EQ(requantizeSum(-255, -255, *m, -10, -128, 127), -128);
  // Subtraction negates b only.
  std::optional<SumMultipliers> sub = toSumMultipliers(0.5, 0.25, true);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->a, m->a);
  EXPECT_EQ(sub->b, -m->b);
  EXPECT_EQ(requantizeSum(3, 1, *sub, 0, -128, 127), 1); // 1.25 -> 1
  // The shift stays in [1, 31].
  EXPECT_FALSE(toSumMultipliers(std::ldexp(1.0, 20), 1.0, false));
  EXPECT_TRUE(toSumMultipliers(std::ldexp(1.0, 19), 1.0, false));
  EXPECT_FALSE(toSumMultipliers(std::ldexp(1.0, -12), 1e-5, false));
  EXPECT_TRUE(toSumMultipliers(std::ldexp(1.0, -11), 1e-5, false));
  EXPECT_FALSE(toSumMultipliers(0.0, 1.0, false));
  EXPECT_FALSE(toSumMultipliers(1.0, std::nan(""), false));
}

TEST(SumMultipliers, WithinOneRoundingOfRealArithmetic) {
  // Against round(da * ra + db * rb) in double: the multipliers' rounding
  // (relative 2^-21) moves a result by at most one step, and only next to
  // a tie; over random grids almost all results are the exact rounding.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> logRatio(-8.0, 3.0);
  std::uniform_int_distribution<int32_t> d(-255, 255);
  int64_t exact = 0, total = 0;
  for (int grid = 0; grid < 200; ++grid) {
    double ra = std::exp2(logRatio(rng)), rb = std::exp2(logRatio(rng));
    bool subtract = grid % 2;
    std::optional<SumMultipliers> m = toSumMultipliers(ra, rb, subtract);
    ASSERT_TRUE(m) << ra << " " << rb;
    EXPECT_GE(std::max(std::abs(m->a), std::abs(m->b)), 1 << 20);
    EXPECT_LT(std::max(std::abs(m->a), std::abs(m->b)), 1 << 21);
    for (int i = 0; i < 500; ++i) {
      int32_t da = d(rng), db = d(rng);
      double real = da * ra + (subtract ? -db : db) * rb;
      int32_t got = requantizeSum(da, db, *m, 0, INT32_MIN, INT32_MAX);
      EXPECT_LE(std::fabs(got - std::floor(real + 0.5)), 1.0)
          << "da=" << da << " db=" << db << " ra=" << ra << " rb=" << rb;
      exact += got == std::floor(real + 0.5);
      ++total;
    }
  }
  EXPECT_GT(exact, total * 999 / 1000);
}

TEST(SharedZeroPointSteps, NonNegativeChannelsStartAtTheBottom) {
  // Ranges from 0 up: every level above zero, z = -128, the steps of each
  // channel's own [0, hi] grid.
  SharedZeroPointSteps s = chooseSharedZeroPointSteps({0.0, 0.0}, {6.0, 0.6});
  EXPECT_EQ(s.zeroPoint, -128);
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_DOUBLE_EQ(s.steps[0], 6.0 / 255);
  EXPECT_DOUBLE_EQ(s.steps[1], 0.6 / 255);
}

TEST(SharedZeroPointSteps, SymmetricChannelsCentre) {
  // [-1, 1] and [-2, 2]: 127 or 128 levels below zero, step 1/127 and 2/127.
  SharedZeroPointSteps s = chooseSharedZeroPointSteps({-1.0, -2.0}, {1.0, 2.0});
  EXPECT_TRUE(s.zeroPoint == -1 || s.zeroPoint == 0) << s.zeroPoint;
  EXPECT_DOUBLE_EQ(s.steps[0], 1.0 / 127);
  EXPECT_DOUBLE_EQ(s.steps[1], 2.0 / 127);
}

TEST(SharedZeroPointSteps, ZeroChannelsKeepStepZero) {
  SharedZeroPointSteps s = chooseSharedZeroPointSteps({0.0, -0.5}, {0.0, 3.0});
  EXPECT_EQ(s.steps[0], 0.0);
  EXPECT_GT(s.steps[1], 0.0);
  SharedZeroPointSteps none = chooseSharedZeroPointSteps({0.0}, {0.0});
  ASSERT_EQ(none.steps.size(), 1u);
  EXPECT_EQ(none.steps[0], 0.0);
}

TEST(SharedZeroPointSteps, FitsEveryChannelAndIsTheBestZeroPoint) {
  // Hardswish-like channels (a small negative tail, wide positive spans)
  // and a few symmetric ones, at random: every range fits its grid, and
  // no other zero point has a smaller sum of log-steps.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> span(0.01, 50.0), tail(0.0, 0.4);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<double> lo, hi;
    for (int c = 0; c < 16; ++c) {
      double h = span(rng);
      lo.push_back(c % 5 == 0 ? -h : -tail(rng));
      hi.push_back(h);
    }
    SharedZeroPointSteps s = chooseSharedZeroPointSteps(lo, hi);
    double cost = 0.0;
    for (size_t c = 0; c < lo.size(); ++c) {
      ASSERT_GT(s.steps[c], 0.0);
      EXPECT_GE(lo[c], (-128 - s.zeroPoint) * s.steps[c] * (1 + 1e-12));
      EXPECT_GE(hi[c], 0.0);
      EXPECT_LE(hi[c], (127 - s.zeroPoint) * s.steps[c] * (1 + 1e-12));
      cost += std::log(s.steps[c]);
    }
    for (int z = -128; z <= 127; ++z) {
      double other = 0.0;
      bool feasible = true;
      for (size_t c = 0; c < lo.size(); ++c) {
        int below = z + 128, above = 127 - z;
        if ((lo[c] < 0 && below == 0) || above == 0) {
          feasible = false;
          break;
        }
        other +=
            std::log(std::max(below ? -lo[c] / below : 0.0, hi[c] / above));
      }
      if (feasible)
        EXPECT_GE(other, cost - 1e-9) << "z = " << z;
    }
  }
}
