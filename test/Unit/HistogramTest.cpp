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

/// The grid is anchored at 0, its width the smallest power of two whose
/// bins from floor(min/w) to floor(max/w) fit.
TEST(StreamingHistogram, RangeDefinesTheGrid) {
  StreamingHistogram h(16);
  std::vector<float> x = {-1.0f, 0.0f, 0.5f, 6.0f};
  h.add(x.data(), x.size());
  // w = 0.5: bins -2..12 (15 of 16); w = 0.25 would need -4..24.
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

/// A wider batch coarsens by a power of two; old bins merge exactly.
TEST(StreamingHistogram, GrowsByPowersOfTwo) {
  StreamingHistogram h(16);
  std::vector<float> a = {-1.0f, 0.0f, 0.5f, 6.0f};
  h.add(a.data(), a.size());
  std::vector<float> b = {-10.0f, 12.0f};
  h.add(b.data(), b.size());
  // [-10, 12]: w = 1 needs bins -10..12 (23); w = 2 needs -5..6.
  EXPECT_DOUBLE_EQ(h.getBinWidth(), 2.0);
  EXPECT_EQ(h.getFirstBin(), -5);
  EXPECT_EQ(total(h), 6u);
  // Old bins (w = 0.5) -2, 0, 1, 12 become floor(j / 4) = -1, 0, 0, 3.
  EXPECT_EQ(h.getCounts()[-1 + 5], 1u);
  EXPECT_EQ(h.getCounts()[0 + 5], 2u);
  EXPECT_EQ(h.getCounts()[3 + 5], 1u);
  EXPECT_EQ(h.getCounts()[0], 1u);  // -10 in [-10, -8)
  EXPECT_EQ(h.getCounts()[11], 1u); // 12 in [12, 14)
}

void expectSame(const StreamingHistogram &a, const StreamingHistogram &b) {
  EXPECT_EQ(a.getCount(), b.getCount());
  EXPECT_EQ(a.getNonFiniteCount(), b.getNonFiniteCount());
  EXPECT_EQ(a.getMin(), b.getMin());
  EXPECT_EQ(a.getMax(), b.getMax());
  EXPECT_EQ(a.getBinWidth(), b.getBinWidth());
  EXPECT_EQ(a.getFirstBin(), b.getFirstBin());
  EXPECT_EQ(a.getCounts(), b.getCounts());
}

/// Batches of different scales and offsets (a constant one, NaNs, one far
/// from zero): in order, reversed, and as three shards merged in another
/// order, the histograms are identical.
TEST(StreamingHistogram, OrderAndShardsDoNotMatter) {
  std::mt19937 rng(5);
  std::vector<std::vector<float>> batches;
  for (int s = 0; s < 12; ++s) {
    std::normal_distribution<float> normal(s == 7 ? 1000.0f : 0.3f * s,
                                           0.01f + s * s * 0.2f);
    std::vector<float> x(s == 3 ? 5 : 700);
    for (float &v : x)
      v = s == 3 ? 0.25f : normal(rng);
    if (s == 5)
      x[17] = NAN;
    batches.push_back(x);
  }
  StreamingHistogram forward(256), backward(256), merged(256);
  for (auto &b : batches)
    forward.add(b.data(), b.size());
  for (size_t i = batches.size(); i-- > 0;)
    backward.add(batches[i].data(), batches[i].size());
  StreamingHistogram shards[3] = {StreamingHistogram(256),
                                  StreamingHistogram(256),
                                  StreamingHistogram(256)};
  for (size_t i = 0; i < batches.size(); ++i)
    shards[i % 3].add(batches[i].data(), batches[i].size());
  merged.merge(shards[2]);
  merged.merge(shards[0]);
  merged.merge(shards[1]);
  expectSame(forward, backward);
  expectSame(forward, merged);
  EXPECT_EQ(forward.getNonFiniteCount(), 1u);
  EXPECT_EQ(total(forward), forward.getCount());
}

/// Constant shards stay gridless when merged; a later value gives them
/// their bin.
TEST(StreamingHistogram, MergesConstantShards) {
  StreamingHistogram a(16), b(16), c(16), empty(16);
  std::vector<float> zeros(4, 0.0f), x = {0.0f, 1.0f};
  a.add(zeros.data(), zeros.size());
  b.add(zeros.data(), 3);
  a.merge(b);
  a.merge(empty);
  EXPECT_EQ(a.getBinWidth(), 0.0);
  EXPECT_EQ(a.getCount(), 7u);
  c.add(x.data(), x.size());
  a.merge(c);
  StreamingHistogram direct(16);
  direct.add(zeros.data(), zeros.size());
  direct.add(x.data(), x.size());
  direct.add(zeros.data(), 3);
  expectSame(a, direct);
  EXPECT_EQ(a.getCounts()[0], 8u);
}

/// A saved histogram comes back identical; parts no histogram can have
/// are refused with a reason.
TEST(StreamingHistogram, FromParts) {
  StreamingHistogram h(16);
  std::vector<float> x = {-1.0f, 0.0f, 0.5f, 6.0f, NAN};
  h.add(x.data(), x.size());
  std::string error;
  auto back = StreamingHistogram::fromParts(
      16, h.getCount(), h.getNonFiniteCount(), h.getMin(), h.getMax(),
      h.getBinWidth(), h.getFirstBin(), h.getCounts(), error);
  ASSERT_TRUE(back) << error;
  expectSame(h, *back);
  std::vector<uint64_t> more = h.getCounts();
  ++more[3];
  EXPECT_FALSE(
      StreamingHistogram::fromParts(16, 4, 0, -1.0, 6.0, 0.5, -2, more, error));
  EXPECT_EQ(error, "the bins hold more values than the count");
  EXPECT_FALSE(StreamingHistogram::fromParts(16, 4, 0, -1.0, 6.0, 1.0, -1,
                                             h.getCounts(), error));
  EXPECT_EQ(error, "the grid is not the one [min, max] gives");
  EXPECT_FALSE(StreamingHistogram::fromParts(16, 4, 0, 6.0, -1.0, 0.5, -2,
                                             h.getCounts(), error));
  EXPECT_FALSE(StreamingHistogram::fromParts(16, 4, 0, -1.0, 6.0, 0.5, -2,
                                             {1, 2, 1}, error));
  EXPECT_EQ(error, "expected 16 bins, got 3");
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
  // The smallest power of two with floor(0.07 / w) <= 15: 2^-7.
  EXPECT_EQ(h.getBinWidth(), 0.0078125);
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

/// Many batches of growing scale keep the bins at most twice as wide as
/// the union's span over the bin count (powers of two).
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
