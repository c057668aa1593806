//===- Histogram.h - Streaming histograms and range selection ---*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The statistics calibration keeps per observed value, and the four methods
// that turn them into a range (docs/Calibration.md):
//
//   minmax      the exact observed [min, max];
//   percentile  the two-sided percentile of the values;
//   entropy     the clipping threshold minimizing KL(float || quantized) of
//               the |x| histogram (TensorRT's algorithm);
//   mse         the [a, b] minimizing clipping plus rounding error of a
//               2^bits-level uniform quantizer.
//
// A StreamingHistogram has a fixed number of bins on a grid anchored at 0
// (bin j covers [j*w, (j+1)*w)). When a batch falls outside it, the width
// grows by the smallest integer factor k that covers the union, so every old
// bin lands exactly in one new bin: memory is fixed and no raw data is kept.
// Pure C++ with no MLIR dependency, so it is unit-tested alone.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CALIBRATION_HISTOGRAM_H
#define QUANT_CALIBRATION_HISTOGRAM_H

#include "quant/Quantization/Options.h"

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::qnt {

/// A fixed-size histogram over a stream of float batches.
class StreamingHistogram {
public:
  /// `numBins` = 0 keeps only the extremes and the counts (for minmax).
  explicit StreamingHistogram(unsigned numBins = 2048);

  /// Adds a batch. Non-finite values are skipped and counted.
  void add(const float *values, size_t size);

  unsigned getNumBins() const { return numBins; }
  /// Finite values added so far.
  uint64_t getCount() const { return count; }
  uint64_t getNonFiniteCount() const { return nonFinite; }
  /// Exact extremes of the finite values (+inf/-inf when there are none).
  double getMin() const { return min; }
  double getMax() const { return max; }
  /// 0 until two distinct values have been seen (no grid yet).
  double getBinWidth() const { return width; }
  /// Grid index of bin 0: bin i covers [(first+i)*w, (first+i+1)*w).
  int64_t getFirstBin() const { return first; }
  const std::vector<uint64_t> &getCounts() const { return counts; }

private:
  void initialize(double lo, double hi);
  /// Coarsens the grid until [lo, hi] and the current bins fit.
  void grow(double lo, double hi);

  unsigned numBins;
  double width = 0;
  int64_t first = 0;
  std::vector<uint64_t> counts;
  double min, max;
  uint64_t count = 0, nonFinite = 0;
  /// Before the grid exists every value seen was `min` (== `max`).
};

/// Options of the range-selecting methods.
struct RangeOptions {
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// For `percentile`: the upper percentile p; the lower one is 100 - p.
  double percentile = 99.99;
  /// For `entropy` and `mse`: the quantized width the range is chosen for.
  unsigned bits = 8;
};

/// A closed range [min, max].
struct CalibratedRange {
  double min, max;
};

/// The range `options.method` chooses for the values `histogram` saw; nullopt
/// when it saw no finite value.
std::optional<CalibratedRange> chooseRange(const StreamingHistogram &histogram,
                                           const RangeOptions &options);

} // namespace mlir::qnt

#endif // QUANT_CALIBRATION_HISTOGRAM_H
