//===- AdaRoundTest.cpp - adaRound against brute force --------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The rounding adaRound chooses for small random layers with correlated
// inputs: every value is the floor or the ceiling of w / s; the grid's ends
// keep their nearest value; no row is worse than round-to-nearest; and the
// error comes close to the best of all 2^n up/down choices (brute force),
// well below nearest rounding's.
//
//===----------------------------------------------------------------------===//

#include "quant/Quantization/AdaRound.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir::qnt;

namespace {

/// A random layer: `rows` x `features` weights with one scale per row
/// (max |w| / qmax), and H = E[x x^T] of inputs with strongly correlated
/// features (x = A z with A random), as a conv's neighbouring taps are.
struct RandomLayer {
  std::vector<float> weights, hessian;
  std::vector<double> scales;
  AdaRoundRows rows;

  RandomLayer(std::mt19937 &rng, int64_t rowCount, int64_t features,
              int32_t qmax) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    weights.resize(rowCount * features);
    for (float &w : weights)
      w = 0.1f * normal(rng);
    scales.resize(weights.size());
    for (int64_t r = 0; r < rowCount; ++r) {
      double amax = 0;
      for (int64_t f = 0; f < features; ++f)
        amax = std::max(amax, std::fabs(double(weights[r * features + f])));
      for (int64_t f = 0; f < features; ++f)
        scales[r * features + f] = amax / qmax;
    }
    std::vector<float> mix(features * features);
    for (float &a : mix)
      a = normal(rng);
    const int samples = 256;
    hessian.assign(features * features, 0.0f);
    std::vector<float> x(features);
    for (int s = 0; s < samples; ++s) {
      std::vector<float> z(features);
      for (float &v : z)
        v = normal(rng);
      for (int64_t i = 0; i < features; ++i) {
        x[i] = 0;
        for (int64_t j = 0; j < features; ++j)
          x[i] += mix[i * features + j] * z[j];
      }
      for (int64_t i = 0; i < features; ++i)
        for (int64_t j = 0; j < features; ++j)
          hessian[i * features + j] += x[i] * x[j] / samples;
    }
    rows.rows = rowCount;
    rows.features = features;
    rows.weights = weights.data();
    rows.scales = scales.data();
    rows.qmax = qmax;
    rows.hessian = hessian.data();
  }

  /// The least error over every floor/ceil choice of row `r` (grid ends
  /// fixed at their nearest value, as adaRound fixes them).
  double bruteForce(int64_t r) const {
    int64_t n = rows.features;
    std::vector<int32_t> nearest = roundToNearest(rows);
    AdaRoundRows one = rows;
    one.rows = 1;
    one.weights = weights.data() + r * n;
    one.scales = scales.data() + r * n;
    std::vector<int32_t> q(nearest.begin() + r * n,
                           nearest.begin() + (r + 1) * n);
    double best = reconstructionError(one, q);
    for (int64_t mask = 0; mask < (int64_t(1) << n); ++mask) {
      for (int64_t f = 0; f < n; ++f) {
        double x = weights[r * n + f] / scales[r * n + f];
        if (std::abs(nearest[r * n + f]) >= rows.qmax)
          continue;
        q[f] = static_cast<int32_t>(std::floor(x)) + ((mask >> f) & 1);
      }
      best = std::min(best, reconstructionError(one, q));
    }
    return best;
  }
};

TEST(AdaRound, ValuesAreFloorOrCeilAndEndsStay) {
  std::mt19937 rng(7);
  RandomLayer layer(rng, 6, 24, 7);
  std::vector<int32_t> q = adaRound(layer.rows, AdaRoundOptions());
  std::vector<int32_t> nearest = roundToNearest(layer.rows);
  for (size_t i = 0; i < q.size(); ++i) {
    double x = layer.weights[i] / layer.scales[i];
    EXPECT_TRUE(q[i] == std::floor(x) || q[i] == std::ceil(x) ||
                q[i] == nearest[i])
        << i;
    EXPECT_LE(std::abs(q[i]), 7);
    if (std::abs(nearest[i]) == 7)
      EXPECT_EQ(q[i], nearest[i]) << "a grid end moved at " << i;
  }
}

TEST(AdaRound, NearBruteForceAndBelowNearest) {
  std::mt19937 rng(20261206);
  double adaTotal = 0, bestTotal = 0, nearestTotal = 0;
  for (int trial = 0; trial < 8; ++trial) {
    RandomLayer layer(rng, 4, 10, trial % 2 ? 7 : 3);
    std::vector<int32_t> q = adaRound(layer.rows, AdaRoundOptions());
    std::vector<int32_t> nearest = roundToNearest(layer.rows);
    for (int64_t r = 0; r < layer.rows.rows; ++r) {
      AdaRoundRows one = layer.rows;
      one.rows = 1;
      one.weights += r * one.features;
      one.scales += r * one.features;
      auto slice = [&](const std::vector<int32_t> &v) {
        return std::vector<int32_t>(v.begin() + r * one.features,
                                    v.begin() + (r + 1) * one.features);
      };
      double ada = reconstructionError(one, slice(q));
      double near = reconstructionError(one, slice(nearest));
      double best = layer.bruteForce(r);
      EXPECT_LE(ada, near * (1 + 1e-6)) << "trial " << trial << " row " << r;
      EXPECT_GE(ada, best * (1 - 1e-6));
      adaTotal += ada;
      bestTotal += best;
      nearestTotal += near;
    }
  }
  // Measured with the default options: AdaRound's total error is 1.23x the
  // optimum, nearest rounding's 2.5x.
  EXPECT_LT(adaTotal, 1.5 * bestTotal);
  EXPECT_LT(adaTotal, 0.6 * nearestTotal);
}

TEST(AdaRound, ZeroErrorRowsKeepNearest) {
  // Weights on the grid: nothing to improve, nothing changes.
  std::vector<float> w = {0.5f, -1.0f, 0.25f, 1.0f};
  std::vector<double> s(4, 0.25 / 1.0);
  std::vector<float> h = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  AdaRoundRows rows;
  rows.rows = 1;
  rows.features = 4;
  rows.weights = w.data();
  rows.scales = s.data();
  rows.qmax = 7;
  rows.hessian = h.data();
  std::vector<int32_t> q = adaRound(rows, AdaRoundOptions());
  EXPECT_EQ(q, (std::vector<int32_t>{2, -4, 1, 4}));
}

} // namespace
