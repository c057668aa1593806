//===- CalibrationState.h - What calibration observed, mergeable -*- C++
//-*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The statistics qnt-calibrate keeps per observed value (a histogram, and
// with per-channel the channels' min, max and exact sum), and a file format
// for them, so that calibration can run in shards of samples and merge:
//
//   quant-compile model.onnx ... --calibration-data shard0 \
//       --emit=calibration-state -o shard0.json
//   quant-compile model.onnx ... --calibration-state=shard0.json,shard1.json
//
// Merging is exact: the histograms' grids depend only on the observed
// range (Histogram.h) and channel sums are kept as exact partial sums, so
// the merged state chooses the same ranges, bit for bit, as one run over
// all the samples (docs/Distributed.md).
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CALIBRATION_CALIBRATIONSTATE_H
#define QUANT_CALIBRATION_CALIBRATIONSTATE_H

#include "quant/Calibration/Histogram.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace llvm::json {
class OStream;
class Value;
} // namespace llvm::json

namespace mlir::qnt {

/// A sum of doubles kept exactly as non-overlapping partials (Shewchuk's
/// algorithm, as Python's math.fsum): the order values come in does not
/// change it, and value() is the exact sum correctly rounded.
class ExactSum {
public:
  void add(double x);
  void merge(const ExactSum &other);
  double value() const;
  const std::vector<double> &getPartials() const { return partials; }
  /// A sum from saved partials (any finite doubles: they are re-added).
  static ExactSum fromPartials(llvm::ArrayRef<double> partials);
  /// The partials as one JSON array (the files' form of a sum).
  void writeJSON(llvm::json::OStream &j) const;
  /// A sum from such an array; nullopt unless it holds only finite numbers.
  static std::optional<ExactSum> fromJSON(const llvm::json::Value &value);

private:
  std::vector<double> partials;
};

/// What calibration keeps for one observed value.
struct ValueStatistics {
  explicit ValueStatistics(unsigned bins) : histogram(bins) {}

  /// Adds one tensor (row-major `shape`); with `perChannel` also each
  /// channel's min, max and sum (axis 1 for rank >= 4, else the last).
  void add(const float *data, llvm::ArrayRef<int64_t> shape, bool perChannel);
  /// Adds what `other` (of the same value) observed.
  void merge(const ValueStatistics &other);

  StreamingHistogram histogram;
  int64_t axis = -1;
  std::vector<float> channelMin, channelMax;
  std::vector<ExactSum> channelSum; // of the finite values
  std::vector<int64_t> channelCount;
};

/// Everything one calibration run observed.
struct CalibrationState {
  struct Entry {
    /// What identifies the value across runs: the op (or argument) and its
    /// location, and the shape.
    std::string name;
    llvm::SmallVector<int64_t> shape;
    ValueStatistics stats;
  };

  /// Histogram bins per value (0: minmax only) and whether channels are
  /// kept; states merge only when these and the values agree.
  unsigned bins = 0;
  bool perChannel = false;
  uint64_t samples = 0;
  std::vector<Entry> values;

  /// Adds `other`'s observations; an error saying what differs when it is
  /// not a state of the same values with the same options.
  llvm::Error merge(const CalibrationState &other);

  /// The state as JSON (format "quant-calibration-state", version 1).
  void write(llvm::raw_ostream &os) const;
  /// Reads a file `write` made; errors are "<path>: <reason>".
  static llvm::Expected<CalibrationState> read(llvm::StringRef path);
};

} // namespace mlir::qnt

#endif // QUANT_CALIBRATION_CALIBRATIONSTATE_H
