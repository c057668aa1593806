//===- BitAllocation.cpp - Precisions per layer under a budget ------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Quantization/BitAllocation.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

using namespace mlir::qnt;

std::optional<std::vector<size_t>>
mlir::qnt::allocatePrecisions(const std::vector<AllocationChoices> &layers,
                              double budget, int64_t maxTableCells) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<size_t> chosen(layers.size(), 0);
  auto totalCost = [&] {
    double cost = 0.0;
    for (size_t i = 0; i < layers.size(); ++i)
      cost += static_cast<double>(layers[i].costs[chosen[i]]);
    return cost;
  };
  if (totalCost() > budget)
    return std::nullopt;

  int64_t divisor = 0;
  for (const AllocationChoices &l : layers)
    for (int64_t c : l.costs)
      divisor = std::gcd(divisor, c);
  double exactUnits = std::floor(budget / static_cast<double>(divisor));
  bool exact = exactUnits * static_cast<double>(layers.size()) <=
               static_cast<double>(maxTableCells);
  // Rounded: each layer's cost moves by at most half a unit, so with
  // layers / 2 units of slack every allocation that fits is in the table
  // (and the table's best is at least as good as the true optimum); the
  // repair below makes the result fit.
  int64_t units = exact ? static_cast<int64_t>(exactUnits) : (1 << 16);
  double unit = exact ? static_cast<double>(divisor) : budget / units;
  if (!exact)
    units += static_cast<int64_t>(layers.size() + 1) / 2;
  auto unitsOf = [&](const AllocationChoices &l, size_t c) -> int64_t {
    return exact ? l.costs[c] / divisor
                 : std::llround(static_cast<double>(l.costs[c]) / unit);
  };
  // best[j]: the least error of the layers so far within j units.
  std::vector<double> best(units + 1, 0.0), next(units + 1);
  std::vector<std::vector<uint8_t>> pick(layers.size(),
                                         std::vector<uint8_t>(units + 1));
  for (size_t i = 0; i < layers.size(); ++i) {
    const AllocationChoices &l = layers[i];
    for (int64_t j = 0; j <= units; ++j) {
      next[j] = inf;
      for (size_t c = 0; c < l.costs.size(); ++c) {
        int64_t u = unitsOf(l, c);
        if (u > j || best[j - u] == inf)
          continue;
        double e = best[j - u] + l.errors[c];
        if (e < next[j]) {
          next[j] = e;
          pick[i][j] = static_cast<uint8_t>(c);
        }
      }
    }
    std::swap(best, next);
  }
  if (best[units] != inf) {
    int64_t j = units;
    for (size_t i = layers.size(); i-- > 0;) {
      chosen[i] = pick[i][j];
      j -= unitsOf(layers[i], chosen[i]);
    }
  }
  // Rounded units may overshoot: step down where it adds the least error
  // per cost saved until it fits (all-cheapest fits, so this ends) ...
  while (totalCost() > budget) {
    size_t down = 0;
    double bestRatio = inf;
    for (size_t i = 0; i < layers.size(); ++i) {
      const AllocationChoices &l = layers[i];
      if (chosen[i] == 0)
        continue;
      double ratio = (l.errors[chosen[i] - 1] - l.errors[chosen[i]]) /
                     static_cast<double>(l.costs[chosen[i]] -
                                         l.costs[chosen[i] - 1]);
      if (ratio < bestRatio) {
        bestRatio = ratio;
        down = i;
      }
    }
    --chosen[down];
  }
  // ... or leave room: step up where it removes the most error per cost.
  while (true) {
    double bestRatio = 0.0, cost = totalCost();
    std::optional<std::pair<size_t, size_t>> up;
    for (size_t i = 0; i < layers.size(); ++i) {
      const AllocationChoices &l = layers[i];
      for (size_t c = chosen[i] + 1; c < l.costs.size(); ++c) {
        double added = static_cast<double>(l.costs[c] - l.costs[chosen[i]]);
        double gain = l.errors[chosen[i]] - l.errors[c];
        if (gain > 0 && added > 0 && cost + added <= budget &&
            gain / added > bestRatio) {
          bestRatio = gain / added;
          up = {i, c};
        }
      }
    }
    if (!up)
      break;
    chosen[up->first] = up->second;
  }
  return chosen;
}
