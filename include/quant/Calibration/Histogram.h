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
// (bin j covers [j*w, (j+1)*w)) whose width is a power of two: the smallest
// 2^e for which the bins from floor(min/w) to floor(max/w) fit. The grid is
// thus a function of the observed [min, max] alone, so the statistics do
// not depend on the order the values came in, and two histograms merge
// exactly: coarsening 2^e to 2^(e+d) maps old bin j to floor(j / 2^d). That
// is what lets calibration run in shards and merge (docs/Distributed.md).
// The data spans between numBins/2 and numBins bins; memory is fixed and no
// raw data is kept.
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
#include <string>
#include <vector>

namespace mlir::qnt {

/// A fixed-size histogram over a stream of float batches.
class StreamingHistogram {
public:
  /// `numBins` = 0 keeps only the extremes and the counts (for minmax).
  explicit StreamingHistogram(unsigned numBins = 2048);

  /// Adds a batch. Non-finite values are skipped and counted.
  void add(const float *values, size_t size);
  /// Adds everything `other` saw (which has the same number of bins): the
  /// result is the histogram of both streams, identical whatever the order.
  void merge(const StreamingHistogram &other);

  unsigned getNumBins() const { return numBins; }
  /// Finite values added so far.
  uint64_t getCount() const { return count; }
  uint64_t getNonFiniteCount() const { return nonFinite; }
  /// Exact extremes of the finite values (+inf/-inf when there are none).
  double getMin() const { return min; }
  double getMax() const { return max; }
  /// 0 until two distinct values have been seen (no grid yet); then a
  /// power of two.
  double getBinWidth() const { return width; }
  /// Grid index of bin 0, floor(min / width): bin i covers
  /// [(first+i)*w, (first+i+1)*w).
  int64_t getFirstBin() const { return first; }
  /// numBins counts once there is a grid, empty before.
  const std::vector<uint64_t> &getCounts() const { return counts; }

  /// A histogram from the parts the getters return (a saved calibration
  /// state); nullopt with `error` set when they are not ones a histogram
  /// can have (a count that does not add up, a grid that is not the one
  /// [min, max] gives, ...).
  static std::optional<StreamingHistogram>
  fromParts(unsigned numBins, uint64_t count, uint64_t nonFinite, double min,
            double max, double width, int64_t first,
            std::vector<uint64_t> counts, std::string &error);

private:
  /// The power-of-two width the grid has for [lo, hi] (lo < hi).
  double gridWidth(double lo, double hi) const;
  /// Moves the counts onto the grid of [lo, hi] (which contains the
  /// current [min, max]) and sets min and max to them.
  void regrid(double lo, double hi);

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
