//===- BitAllocationTest.cpp - allocatePrecisions against brute force -----===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The allocation qnt-allocate-bits makes, on random layers: with the exact
// table it must equal the brute-force optimum; with the rounded table
// (forced by a tiny table limit) it must fit the budget and come within a
// small factor of it; an impossible budget gives nullopt.
//
//===----------------------------------------------------------------------===//

#include "quant/Quantization/BitAllocation.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir::qnt;

namespace {

/// Random layers with candidates 4, 8, 32 bits: cost bits * weights,
/// errors falling with the bits.
std::vector<AllocationChoices> randomLayers(std::mt19937 &rng, int count) {
  std::uniform_int_distribution<int64_t> weights(16, 5000);
  std::uniform_real_distribution<double> error(1e-4, 1e-1);
  std::vector<AllocationChoices> layers;
  for (int i = 0; i < count; ++i) {
    int64_t n = weights(rng) * 16;
    double e4 = error(rng);
    layers.push_back({{4 * n, 8 * n, 32 * n}, {e4, e4 / 300, 0.0}});
  }
  return layers;
}

struct Result {
  double error = 0, cost = 0;
};

Result evaluate(const std::vector<AllocationChoices> &layers,
                const std::vector<size_t> &chosen) {
  Result r;
  for (size_t i = 0; i < layers.size(); ++i) {
    r.error += layers[i].errors[chosen[i]];
    r.cost += static_cast<double>(layers[i].costs[chosen[i]]);
  }
  return r;
}

/// The least error within the budget over every allocation.
double bruteForce(const std::vector<AllocationChoices> &layers,
                  double budget) {
  double best = std::numeric_limits<double>::infinity();
  std::vector<size_t> chosen(layers.size(), 0);
  while (true) {
    Result r = evaluate(layers, chosen);
    if (r.cost <= budget)
      best = std::min(best, r.error);
    size_t i = 0;
    while (i < layers.size() && ++chosen[i] == layers[i].costs.size())
      chosen[i++] = 0;
    if (i == layers.size())
      return best;
  }
}

double totalWeights(const std::vector<AllocationChoices> &layers) {
  double n = 0;
  for (const AllocationChoices &l : layers)
    n += static_cast<double>(l.costs[0] / 4);
  return n;
}

TEST(BitAllocation, ExactTableIsOptimal) {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<AllocationChoices> layers = randomLayers(rng, 1 + trial % 7);
    double bits = 4.0 + (trial % 29);
    double budget = bits * totalWeights(layers);
    std::optional<std::vector<size_t>> chosen =
        allocatePrecisions(layers, budget);
    ASSERT_TRUE(chosen.has_value());
    Result r = evaluate(layers, *chosen);
    EXPECT_LE(r.cost, budget);
    EXPECT_NEAR(r.error, bruteForce(layers, budget), 1e-12)
        << "trial " << trial;
  }
}

TEST(BitAllocation, RoundedTableFitsAndIsNearOptimal) {
  std::mt19937 rng(2);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<AllocationChoices> layers = randomLayers(rng, 2 + trial % 6);
    double budget = (4.0 + (trial % 13) * 0.5) * totalWeights(layers);
    std::optional<std::vector<size_t>> chosen =
        allocatePrecisions(layers, budget, /*maxTableCells=*/1);
    ASSERT_TRUE(chosen.has_value());
    Result r = evaluate(layers, *chosen);
    EXPECT_LE(r.cost, budget);
    // Rounding can only lose an allocation within a few units of the
    // budget; the repair keeps it close.
    EXPECT_LE(r.error, 2 * bruteForce(layers, budget) + 1e-12)
        << "trial " << trial;
  }
}

TEST(BitAllocation, Boundaries) {
  // All int8 fits exactly at 8 bits: the exact table finds it.
  std::vector<AllocationChoices> layers = {
      {{4 * 64, 8 * 64, 32 * 64}, {0.01, 0.0001, 0}},
      {{4 * 32, 8 * 32, 32 * 32}, {0.02, 0.0002, 0}}};
  std::optional<std::vector<size_t>> chosen =
      allocatePrecisions(layers, 8.0 * 96);
  ASSERT_TRUE(chosen.has_value());
  EXPECT_EQ(*chosen, (std::vector<size_t>{1, 1}));
  // Below all-int4: none.
  EXPECT_FALSE(allocatePrecisions(layers, 4.0 * 96 - 1).has_value());
  // Exactly all-int4.
  chosen = allocatePrecisions(layers, 4.0 * 96);
  ASSERT_TRUE(chosen.has_value());
  EXPECT_EQ(*chosen, (std::vector<size_t>{0, 0}));
  // Everything float when it fits.
  chosen = allocatePrecisions(layers, 32.0 * 96);
  EXPECT_EQ(*chosen, (std::vector<size_t>{2, 2}));
}

} // namespace
