//===- BitAllocation.h - Precisions per layer under a budget ----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The choice qnt-allocate-bits makes once it has measured each layer's
// error at each candidate precision: the allocation with the least total
// error (errors are taken as additive) whose total cost fits the budget.
// Plain C++ with no MLIR dependency, so it is unit tested against brute
// force (test/Unit/BitAllocationTest.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_QUANTIZATION_BITALLOCATION_H
#define QUANT_QUANTIZATION_BITALLOCATION_H

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::qnt {

/// One layer's options, cheapest first: costs[c] > 0 (integers: bits or
/// bytes) and the predicted error errors[c] >= 0 of candidate c.
struct AllocationChoices {
  std::vector<int64_t> costs;
  std::vector<double> errors;
};

/// The candidate per layer minimizing the sum of errors with the sum of
/// costs at most `budget`; nullopt when even the cheapest candidates
/// exceed it. A multiple-choice knapsack solved by dynamic programming
/// over costs in units of their greatest common divisor, which is exact,
/// when the table (layers x budget units) has at most `maxTableCells`
/// cells; otherwise in units of 1/65536 of the budget, rounded to nearest,
/// with half a unit of slack per layer (so the table's best is no worse
/// than the optimum), after which the allocation is stepped down (least
/// error added per cost saved) until it fits and up (most error removed per
/// cost added) while it still does. Equal errors go to the cheaper
/// candidate.
std::optional<std::vector<size_t>>
allocatePrecisions(const std::vector<AllocationChoices> &layers,
                   double budget, int64_t maxTableCells = int64_t(1) << 26);

} // namespace mlir::qnt

#endif // QUANT_QUANTIZATION_BITALLOCATION_H
