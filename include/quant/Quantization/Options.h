//===- Options.h - The choices quantization passes and tools offer -*- C++
//-*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Enumerated options shared by passes (ODS `Option`s over these types, see
// Options.td), pipelines and tools: each choice is spelled once, in the
// `cl::values` below, so no pass compares option strings by hand.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_QUANTIZATION_OPTIONS_H
#define QUANT_QUANTIZATION_OPTIONS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

namespace mlir::qnt {

/// How many scales a weight gets.
enum class Granularity {
  /// One per output channel.
  PerChannel,
  /// One for the whole tensor.
  PerTensor,
};

/// The command-line spellings of Granularity.
inline auto granularityValues() {
  return llvm::cl::values(clEnumValN(Granularity::PerChannel, "per-channel",
                                     "one scale per output channel"),
                          clEnumValN(Granularity::PerTensor, "per-tensor",
                                     "one scale for the whole weight"));
}

/// When activation scales are chosen.
enum class Activations {
  /// At compile time, from calibration data (int8 ops end to end).
  Static,
  /// At run time, from each input's own values (qnt.dynamic_linear: int8
  /// gemm/matmul with float results; no calibration data).
  Dynamic,
};

/// The command-line spellings of Activations.
inline auto activationsValues() {
  return llvm::cl::values(
      clEnumValN(Activations::Static, "static",
                 "scales from calibration data, chosen at compile time"),
      clEnumValN(Activations::Dynamic, "dynamic",
                 "gemm/matmul inputs quantized at run time from their own "
                 "range (no calibration data)"));
}

/// How weights are rounded onto their grid (docs/WeightAlgorithms.md).
enum class WeightAlgorithm {
  /// Each to its nearest grid value.
  Rtn,
  /// GPTQ (qnt-gptq): one input feature at a time, the error spread onto
  /// the rest through the inverse input moment.
  Gptq,
  /// AWQ (qnt-awq): per-input-channel scales from the activations'
  /// magnitudes, then a clipping search per int4 group.
  Awq,
};

/// The command-line spellings of WeightAlgorithm.
inline auto weightAlgorithmValues() {
  return llvm::cl::values(
      clEnumValN(WeightAlgorithm::Rtn, "rtn", "round to nearest"),
      clEnumValN(WeightAlgorithm::Gptq, "gptq",
                 "GPTQ on the calibration data (qnt-gptq)"),
      clEnumValN(WeightAlgorithm::Awq, "awq",
                 "AWQ scaling and clipping of gemm/matmul weights on the "
                 "calibration data (qnt-awq)"));
}

/// How calibration turns observed statistics into a range
/// (docs/Calibration.md).
enum class CalibrationMethod { MinMax, Percentile, Entropy, Mse };

/// The command-line spellings of CalibrationMethod.
inline auto calibrationMethodValues() {
  return llvm::cl::values(
      clEnumValN(CalibrationMethod::MinMax, "minmax",
                 "the observed minimum and maximum"),
      clEnumValN(CalibrationMethod::Percentile, "percentile",
                 "the lower and upper percentile of the histogram"),
      clEnumValN(CalibrationMethod::Entropy, "entropy",
                 "the clipping with the least KL divergence (TensorRT)"),
      clEnumValN(CalibrationMethod::Mse, "mse",
                 "the clipping with the least expected squared error"));
}

/// "minmax", "percentile", "entropy", "mse".
inline llvm::StringRef stringifyCalibrationMethod(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::MinMax:
    return "minmax";
  case CalibrationMethod::Percentile:
    return "percentile";
  case CalibrationMethod::Entropy:
    return "entropy";
  case CalibrationMethod::Mse:
    return "mse";
  }
  return "";
}

} // namespace mlir::qnt

#endif // QUANT_QUANTIZATION_OPTIONS_H
