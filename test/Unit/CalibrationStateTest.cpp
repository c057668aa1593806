//===- CalibrationStateTest.cpp - Mergeable calibration statistics --------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// ExactSum is exact whatever the order; per-value statistics merge to what
// one pass over every sample gives; a state survives its JSON file.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/CalibrationState.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace mlir::qnt;

namespace {

/// 1e16 + 1 - 1e16 is 0 in doubles; exactly it is 1, in any order.
TEST(ExactSum, CancellationIsExact) {
  std::vector<double> values = {1e16, 1.0, -1e16, 3.0, 1e-30};
  double naive = 0;
  for (double v : values)
    naive += v;
  EXPECT_EQ(naive, 3.0); // the 1 is lost
  std::sort(values.begin(), values.end());
  do {
    ExactSum s;
    for (double v : values)
      s.add(v);
    EXPECT_EQ(s.value(), 4.0);
  } while (std::next_permutation(values.begin(), values.end()));
}

/// Shards of random sums merged in any order give the correctly rounded
/// total, which a long double check agrees with to its precision.
TEST(ExactSum, MergedShardsEqualOneSum) {
  std::mt19937 rng(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> values(3000);
  for (double &v : values)
    v = normal(rng) * std::ldexp(1.0, static_cast<int>(rng() % 60) - 30);
  ExactSum all, shards[3];
  for (size_t i = 0; i < values.size(); ++i) {
    all.add(values[i]);
    shards[i % 3].add(values[i]);
  }
  ExactSum merged;
  merged.merge(shards[1]);
  merged.merge(shards[2]);
  merged.merge(shards[0]);
  EXPECT_EQ(all.value(), merged.value());
  ExactSum back = ExactSum::fromPartials(merged.getPartials());
  EXPECT_EQ(back.value(), all.value());
  std::shuffle(values.begin(), values.end(), rng);
  ExactSum shuffled;
  for (double v : values)
    shuffled.add(v);
  EXPECT_EQ(shuffled.value(), all.value());
}

/// Per-channel statistics of a [2, 3, 2, 2] tensor (axis 1), and their
/// merge with a second tensor.
TEST(ValueStatistics, ChannelsMerge) {
  std::vector<float> a(24), b(24);
  for (int i = 0; i < 24; ++i) {
    a[i] = static_cast<float>(i) * 0.1f;
    b[i] = i == 5 ? NAN : -static_cast<float>(i);
  }
  std::vector<int64_t> shape = {2, 3, 2, 2};
  ValueStatistics one(64), other(64), both(64);
  one.add(a.data(), shape, /*perChannel=*/true);
  other.add(b.data(), shape, true);
  both.add(a.data(), shape, true);
  both.add(b.data(), shape, true);
  one.merge(other);
  EXPECT_EQ(one.axis, 1);
  ASSERT_EQ(one.channelMin.size(), 3u);
  for (size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(one.channelMin[c], both.channelMin[c]);
    EXPECT_EQ(one.channelMax[c], both.channelMax[c]);
    EXPECT_EQ(one.channelSum[c].value(), both.channelSum[c].value());
    EXPECT_EQ(one.channelCount[c], both.channelCount[c]);
  }
  // Channel 1 holds elements 4..7 and 16..19 of each tensor; b's 5 is NaN.
  EXPECT_EQ(one.channelCount[1], 15);
  EXPECT_EQ(one.channelMin[1], -19.0f);
  EXPECT_EQ(one.histogram.getNonFiniteCount(), 1u);
  EXPECT_EQ(one.histogram.getCounts(), both.histogram.getCounts());
}

/// write() then read() gives back a state that merges and chooses like the
/// original; empty channels (+-inf) survive as null.
TEST(CalibrationState, FileRoundTrip) {
  CalibrationState state;
  state.bins = 32;
  state.perChannel = true;
  state.samples = 2;
  std::vector<float> x = {-1.5f, 0.25f, 3.0f, NAN, 2.0f, 7.5f};
  state.values.push_back({"qnt.conv at c", {1, 2, 3}, ValueStatistics(32)});
  state.values.back().stats.add(x.data(), {1, 2, 3}, true);
  std::vector<float> nans = {NAN, NAN};
  state.values.push_back({"argument 0 'x'", {2}, ValueStatistics(32)});
  state.values.back().stats.add(nans.data(), {2}, false);

  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("quant-state", "json", path));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    ASSERT_FALSE(ec);
    state.write(os);
  }
  llvm::Expected<CalibrationState> back = CalibrationState::read(path);
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  llvm::sys::fs::remove(path);
  ASSERT_EQ(back->values.size(), 2u);
  EXPECT_EQ(back->samples, 2u);
  const ValueStatistics &s = back->values[0].stats;
  const ValueStatistics &t = state.values[0].stats;
  EXPECT_EQ(s.histogram.getCounts(), t.histogram.getCounts());
  EXPECT_EQ(s.histogram.getBinWidth(), t.histogram.getBinWidth());
  EXPECT_EQ(s.channelMin, t.channelMin);
  EXPECT_EQ(s.channelMax, t.channelMax);
  // Rank 3: channels on the last axis, rows [-1.5, .25, 3], [NaN, 2, 7.5].
  EXPECT_EQ(s.channelSum[2].value(), 3.0 + 7.5);
  EXPECT_EQ(s.channelCount[0], 1);
  EXPECT_EQ(back->values[1].stats.histogram.getNonFiniteCount(), 2u);
  EXPECT_EQ(back->values[1].stats.histogram.getCount(), 0u);

  // Merging the copy doubles every count.
  ASSERT_FALSE(static_cast<bool>(state.merge(*back)));
  EXPECT_EQ(state.samples, 4u);
  EXPECT_EQ(state.values[0].stats.histogram.getCount(), 10u);
  EXPECT_EQ(state.values[0].stats.channelCount[0], 2);
  EXPECT_TRUE(std::isinf(state.values[1].stats.histogram.getMin()));
}

} // namespace
