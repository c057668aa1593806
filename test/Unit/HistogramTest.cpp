//===- HistogramTest.cpp - Unit tests for calibration histograms -*- C++
//-*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Cases small enough to compute by hand: where values land, how the grid
// coarsens without losing counts, and what each method chooses.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Histogram.h"

#include "gtest/gtest.h"

#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace mlir::qnt;

namespace {

uint64_t total(const StreamingHistogram &h) {
  return std::accumulate(h.getCounts().begin(), h.getCounts().end(),
                         uint64_t(0));
}

/// The grid is anchored at 0 and covers the first batch.
TEST(StreamingHistogram, FirstBatchDefinesTheGrid) {
  StreamingHistogram h(16);
  std::vector<float> x = {-1.0f, 0.0f, 0.5f, 6.0f};
  h.add(x.data(), x.size());
  // 7 units over 14 bins: w = 0.5, bin j covers [0.5 j, 0.5 j + 0.5).
  EXPECT_DOUBLE_EQ(h.getBinWidth(), 0.5);
  EXPECT_EQ(h.getFirstBin(), -2);
  EXPECT_EQ(h.getCounts()[0], 1u);  // -1.0
  EXPECT_EQ(h.getCounts()[2], 1u);  // 0.0
  EXPECT_EQ(h.getCounts()[3], 1u);  // 0.5
  EXPECT_EQ(h.getCounts()[14], 1u); // 6.0
  EXPECT_EQ(total(h), 4u);
  EXPECT_EQ(h.getMin(), -1.0);
  EXPECT_EQ(h.getMax(), 6.0);
}

/// A wider batch coarsens by an integer factor; old bins merge exactly.
TEST(StreamingHistogram, GrowsByIntegerFactors) {
  StreamingHistogram h(16);
  std::vector<float> a = {-1.0f, 0.0f, 0.5f, 6.0f};
  h.add(a.data(), a.size());
  std::vector<float> b = {-10.0f, 12.0f};
  h.add(b.data(), b.size());
  // Needs bins -20..24 at w = 0.5: factor k = 3 gives w = 1.5 and bins
  // floor(-20/3) = -7 .. 8, 16 bins.
  EXPECT_DOUBLE_EQ(h.getBinWidth(), 1.5);
  EXPECT_EQ(h.getFirstBin(), -7);
  EXPECT_EQ(total(h), 6u);
  // -1.0 was old bin -2 -> floor(-2/3) = -1; 0.0, 0.5 -> 0; 6.0 -> 4.
  EXPECT_EQ(h.getCounts()[-1 + 7], 1u);
  EXPECT_EQ(h.getCounts()[0 + 7], 2u);
  EXPECT_EQ(h.getCounts()[4 + 7], 1u);
  EXPECT_EQ(h.getCounts()[0], 1u);  // -10 in [-10.5, -9)
  EXPECT_EQ(h.getCounts()[15], 1u); // 12 in [12, 13.5)
}

/// Constant batches wait for a second value before they fix a grid, so a
/// ReLU that starts at all zeros still gets fine bins later.
TEST(StreamingHistogram, ConstantStartKeepsResolution) {
  StreamingHistogram h(16);
  std::vector<float> zeros(8, 0.0f);
  h.add(zeros.data(), zeros.size());
  EXPECT_EQ(h.getBinWidth(), 0.0);
  std::vector<float> x = {0.0f, 0.07f};
  h.add(x.data(), x.size());
  EXPECT_NEAR(h.getBinWidth(), 0.005, 1e-8);
  EXPECT_EQ(h.getCounts()[0], 9u);
  EXPECT_EQ(total(h), 10u);
}

TEST(StreamingHistogram, SkipsNonFinite) {
  StreamingHistogram h(16);
  std::vector<float> x = {1.0f, NAN, INFINITY, 2.0f};
  h.add(x.data(), x.size());
  EXPECT_EQ(h.getCount(), 2u);
  EXPECT_EQ(h.getNonFiniteCount(), 2u);
  EXPECT_EQ(h.getMax(), 2.0);
}

/// Many batches of growing scale keep the bins about as fine as one batch
/// over the union would: at most twice as wide (integer factors).
TEST(StreamingHistogram, StreamingKeepsBinsFine) {
  StreamingHistogram h(2048);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.3f, 1.0f);
  for (int s = 0; s < 16; ++s) {
    std::vector<float> x(4096);
    for (float &v : x)
      v = normal(rng) * (0.5f + s / 8.0f);
    h.add(x.data(), x.size());
  }
  double ideal = (h.getMax() - h.getMin()) / 2048;
  EXPECT_LE(h.getBinWidth(), 2.01 * ideal);
  EXPECT_EQ(total(h), 16u * 4096u);
}

TEST(ChooseRange, MinMaxAndPercentile) {
  StreamingHistogram h(1000);
  std::vector<float> x;
  for (int i = 0; i <= 1000; ++i)
    x.push_back(i / 10.0f); // 0.0 .. 100.0 uniformly
  h.add(x.data(), x.size());
  RangeOptions minmax;
  auto r = chooseRange(h, minmax);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->min, 0.0);
  EXPECT_FLOAT_EQ(r->max, 100.0f);
  RangeOptions p;
  p.method = CalibrationMethod::Percentile;
  p.percentile = 90;
  r = chooseRange(h, p);
  ASSERT_TRUE(r);
  // 10% and 90% of 0..100, within a bin (0.1).
  EXPECT_NEAR(r->min, 10.0, 0.11);
  EXPECT_NEAR(r->max, 90.0, 0.11);
}

/// Entropy and MSE clip rare outliers but keep the dense body: 2M Laplace
/// values (|x| rarely above 15) plus two at +-50. For MSE, keeping them
/// costs 2M * (100/255)^2/12 = 25.6k of rounding error; clipping at 12
/// costs 2 * 38^2 = 2.9k plus 1.5k of rounding.
TEST(ChooseRange, EntropyAndMseClipOutliers) {
  StreamingHistogram h(2048);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> uniform(1e-12, 1.0);
  std::vector<float> x;
  for (int i = 0; i < 2000000; ++i) {
    double magnitude = -std::log(uniform(rng));
    x.push_back(static_cast<float>(i % 2 ? magnitude : -magnitude));
  }
  x.push_back(50.0f);
  x.push_back(-50.0f);
  h.add(x.data(), x.size());
  for (CalibrationMethod m :
       {CalibrationMethod::Entropy, CalibrationMethod::Mse}) {
    RangeOptions o;
    o.method = m;
    auto r = chooseRange(h, o);
    ASSERT_TRUE(r);
    EXPECT_LT(r->max, 30.0) << stringifyCalibrationMethod(m).str();
    EXPECT_GT(r->max, 4.0) << stringifyCalibrationMethod(m).str();
    EXPECT_GT(r->min, -30.0) << stringifyCalibrationMethod(m).str();
    EXPECT_LT(r->min, -4.0) << stringifyCalibrationMethod(m).str();
  }
  // Without the outliers' weight, min/max keeps them.
  auto r = chooseRange(h, RangeOptions());
  EXPECT_EQ(r->max, 50.0);
}

TEST(ChooseRange, EmptyAndConstant) {
  StreamingHistogram h(64);
  EXPECT_FALSE(chooseRange(h, RangeOptions()));
  std::vector<float> x(5, 3.0f);
  h.add(x.data(), x.size());
  RangeOptions o;
  o.method = CalibrationMethod::Entropy;
  auto r = chooseRange(h, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->min, 3.0);
  EXPECT_EQ(r->max, 3.0);
}

TEST(CalibrationMethod, Names) {
  // The spellings reports and pass options print (Options.h).
  EXPECT_EQ(stringifyCalibrationMethod(CalibrationMethod::MinMax), "minmax");
  EXPECT_EQ(stringifyCalibrationMethod(CalibrationMethod::Percentile),
            "percentile");
  EXPECT_EQ(stringifyCalibrationMethod(CalibrationMethod::Entropy), "entropy");
  EXPECT_EQ(stringifyCalibrationMethod(CalibrationMethod::Mse), "mse");
}

} // namespace
