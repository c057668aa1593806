//===- ReportMeasurements.h - qnt-quant-report's sums, mergeable -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// What qnt-quant-report measures on its samples for one choice of layers
// kept float: per layer, the sums of squares behind its SQNRs and its grid
// counts, and the model outputs' sums. Sums are exact (ExactSum) over
// per-sample terms, so a measurement made in shards of samples and merged
// equals, bit for bit, one made over all of them; a file format lets the
// accuracy-driven fallback search measure on other machines:
//
//   quant-compile model.onnx ... --report-data shard0 \
//       --report-float-layer conv3 --emit=report-measurement -o m0.json
//   quant-compile model.onnx ... --accuracy-target=30 \
//       --report-measurement=m0.json,m1.json --emit=report-pending -o p.json
//
// (docs/Distributed.md, "The accuracy-driven fallback").
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CALIBRATION_REPORTMEASUREMENTS_H
#define QUANT_CALIBRATION_REPORTMEASUREMENTS_H

#include "quant/Calibration/CalibrationState.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::qnt {

/// Sums of squares of a reference value and of its error.
struct ErrorSums {
  ExactSum signal, noise;

  /// Adds one sample's value (`n` floats) against its reference; each
  /// sample's sums are formed in double, then added exactly.
  void add(const float *reference, const float *measured, size_t n);
  void merge(const ErrorSums &other);
  /// 10 log10(signal / noise); +inf when exact.
  double sqnrDb() const;
  /// noise / signal (0 when exact, +inf for a zero signal with noise).
  double noiseRatio() const;
};

/// Values seen, outside the calibrated range, and saturating the grid.
struct GridCounts {
  int64_t count = 0, clipped = 0, saturated = 0;

  void merge(const GridCounts &other);
  double clippedFraction() const;
};

/// One reported layer's sums (see qnt-quant-report).
struct LayerMeasurement {
  std::string name;
  ErrorSums alone, cumulative, cumulativeInput;
  GridCounts input, output;
};

/// Everything one measurement run gives, for one set of float layers.
struct ReportMeasurement {
  /// The reported layers kept float while measuring, sorted: what
  /// identifies the measurement.
  std::vector<std::string> floatLayers;
  uint64_t samples = 0;
  ErrorSums model;
  std::vector<LayerMeasurement> layers;

  /// Adds `other`'s samples; an error when its layers differ.
  llvm::Error merge(const ReportMeasurement &other);
};

/// Measurements of several sets of float layers.
struct ReportMeasurements {
  std::vector<ReportMeasurement> entries;

  /// Adds `m`, merging it into the entry of the same float layers.
  llvm::Error add(ReportMeasurement m);
  /// The entry for these (sorted) float layers, or null.
  const ReportMeasurement *find(llvm::ArrayRef<std::string> floatLayers) const;

  /// As JSON (format "quant-report-measurements", version 1).
  void write(llvm::raw_ostream &os) const;
  /// Reads and merges the files `write` made; errors are "<path>: why".
  static llvm::Expected<ReportMeasurements>
  read(llvm::ArrayRef<std::string> paths);
};

/// The sets of float layers a search still needs measured, as JSON
/// (format "quant-report-pending"; an empty list: the search is complete).
void writeReportPending(llvm::raw_ostream &os,
                        llvm::ArrayRef<std::vector<std::string>> configs);

} // namespace mlir::qnt

#endif // QUANT_CALIBRATION_REPORTMEASUREMENTS_H
