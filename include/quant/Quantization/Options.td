//===- Options.td - Enumerated pass options -----------------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// Pass options over the enums of quant/Quantization/Options.h, so that
// every pass offering a choice spells and checks it the same way.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_QUANTIZATION_OPTIONS_TD
#define QUANT_QUANTIZATION_OPTIONS_TD

include "mlir/Pass/PassBase.td"

/// `granularity=per-channel|per-tensor`.
class Qnt_GranularityOption<string description>
    : Option<"granularity", "granularity", "::mlir::qnt::Granularity",
             "::mlir::qnt::Granularity::PerChannel", description,
             "::mlir::qnt::granularityValues()">;

/// `method=minmax|percentile|entropy|mse`.
class Qnt_CalibrationMethodOption<string description>
    : Option<"method", "method", "::mlir::qnt::CalibrationMethod",
             "::mlir::qnt::CalibrationMethod::MinMax", description,
             "::mlir::qnt::calibrationMethodValues()">;

#endif // QUANT_QUANTIZATION_OPTIONS_TD
