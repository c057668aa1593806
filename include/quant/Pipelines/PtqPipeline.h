//===- PtqPipeline.h - The post-training quantization recipe ----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// `quant-ptq`: CLE -> SmoothQuant -> calibrate -> bias correction -> report
// -> bit allocation -> AdaRound or GPTQ -> quantize, as one pipeline over a
// typed options struct (as IREE's Pipelines/Options.h). quant-compile builds it
// from its flags, quant-opt runs it by name, so both produce the same IR.
//
// It lives in its own library beside QuantPipelines because calibration
// JIT-compiles the model, i.e. depends on the lowering pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_PIPELINES_PTQPIPELINE_H
#define QUANT_PIPELINES_PTQPIPELINE_H

#include "quant/Dialect/Qnt/Transforms/Passes.h"
#include "quant/Quantization/Options.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir::qnt {

/// The numeric precision of the compiled model's quantizable layers.
enum class Precision {
  /// Everything float (calibration, if asked for, only writes ranges).
  Fp32,
  /// int8 weights and activations.
  Int8,
  /// Group-wise int4 weights, int8 inputs, float results.
  Int4,
  /// Each layer int4, int8 or float, under a budget (qnt-allocate-bits).
  Mixed,
};

inline auto precisionValues() {
  return llvm::cl::values(
      clEnumValN(Precision::Fp32, "fp32", "float"),
      clEnumValN(Precision::Int8, "int8", "int8 weights and activations"),
      clEnumValN(Precision::Int4, "int4",
                 "group-wise int4 weights, int8 inputs, float results"),
      clEnumValN(Precision::Mixed, "mixed",
                 "int4, int8 or float per layer under a budget"));
}

struct PtqPipelineOptions : public PassPipelineOptions<PtqPipelineOptions> {
  Option<std::string> data{
      *this, "data",
      llvm::cl::desc("Folder of .npy calibration samples (DIR/*.npy, or "
                     "DIR/<input>/*.npy for several inputs)")};
  Option<CalibrationMethod> method{
      *this, "method", llvm::cl::desc("How ranges are chosen"),
      llvm::cl::init(CalibrationMethod::MinMax), calibrationMethodValues()};
  Option<double> percentile{
      *this, "percentile",
      llvm::cl::desc("Upper percentile for method=percentile"),
      llvm::cl::init(99.99)};
  Option<unsigned> samples{
      *this, "samples",
      llvm::cl::desc("Use at most this many samples, in file-name order "
                     "(0: all)"),
      llvm::cl::init(0)};
  Option<Precision> precision{
      *this, "precision", llvm::cl::desc("Precision of the layers"),
      llvm::cl::init(Precision::Fp32), precisionValues()};
  Option<Granularity> granularity{
      *this, "granularity", llvm::cl::desc("int8 weight scales"),
      llvm::cl::init(Granularity::PerChannel), granularityValues()};
  Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("int4 weights: input channels per scale"),
      llvm::cl::init(32)};
  Option<double> weightBitsBudget{
      *this, "weight-bits-budget",
      llvm::cl::desc("precision=mixed: average bits per weight"),
      llvm::cl::init(0.0)};
  Option<int64_t> sizeBudget{
      *this, "size-budget",
      llvm::cl::desc("precision=mixed: bytes the layers' weights may take"),
      llvm::cl::init(0)};
  Option<bool> cle{*this, "cle",
                   llvm::cl::desc("Cross-layer equalization first (with "
                                  "data: and high-bias absorption)"),
                   llvm::cl::init(false)};
  Option<bool> biasCorrection{
      *this, "bias-correction",
      llvm::cl::desc("Bias correction of the int8 layers"),
      llvm::cl::init(false)};
  Option<bool> adaRound{
      *this, "adaround",
      llvm::cl::desc("AdaRound the weights of the quantized layers (with "
                     "bias-correction: and correct their biases)"),
      llvm::cl::init(false)};
  Option<int64_t> adaRoundIterations{
      *this, "adaround-iterations",
      llvm::cl::desc("adaround: optimizer steps per layer"),
      llvm::cl::init(500)};
  Option<Activations> activations{
      *this, "activations",
      llvm::cl::desc("precision=int8: static (calibrated) or dynamic (gemm "
                     "and matmul inputs quantized at run time)"),
      llvm::cl::init(Activations::Static), activationsValues()};
  Option<DynamicScaling> dynamicScaling{
      *this, "dynamic-scaling",
      llvm::cl::desc("activations=dynamic: how input scales are chosen"),
      llvm::cl::init(DynamicScaling::per_token_absmax), dynamicScalingValues()};
  Option<WeightAlgorithm> weightAlgorithm{
      *this, "weight-algorithm",
      llvm::cl::desc("How the quantized layers' weights are rounded"),
      llvm::cl::init(WeightAlgorithm::Rtn), weightAlgorithmValues()};
  Option<bool> gptqActOrder{
      *this, "gptq-act-order",
      llvm::cl::desc("weight-algorithm=gptq: most active input features "
                     "first"),
      llvm::cl::init(false)};
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("precision=int8: write qnt-quant-report's per-layer "
                     "error report to this folder before quantizing")};
  Option<double> accuracyTarget{
      *this, "accuracy-target",
      llvm::cl::desc("precision=int8: keep the most harmful layers float "
                     "until the model outputs' SQNR reaches this many dB "
                     "on the report samples (0: off)"),
      llvm::cl::init(0.0)};
  Option<std::string> reportData{
      *this, "report-data",
      llvm::cl::desc("Samples the report measures on (default: data)")};
  Option<unsigned> reportSamples{
      *this, "report-samples",
      llvm::cl::desc("The report measures at most this many samples, in "
                     "file-name order (0: all)"),
      llvm::cl::init(16)};
  ListOption<std::string> reportMeasurements{
      *this, "report-measurements",
      llvm::cl::desc("Measurements (report-measurement-out files, e.g. one "
                     "per shard of the report samples) the report and "
                     "accuracy-target use before measuring")};
  Option<std::string> reportMeasurementOut{
      *this, "report-measurement-out",
      llvm::cl::desc("precision=int8: measure the report once (with "
                     "report-float-layers float), write it here and stop")};
  ListOption<std::string> reportFloatLayers{
      *this, "report-float-layers",
      llvm::cl::desc("With report-measurement-out: the layers kept float")};
  Option<std::string> reportPendingOut{
      *this, "report-pending-out",
      llvm::cl::desc("With accuracy-target: write the sets of float layers "
                     "the search needs measured (not in "
                     "report-measurements) here and stop")};
  ListOption<std::string> keepFloat{
      *this, "keep-float",
      llvm::cl::desc("ONNX node names whose conv/gemm/matmul stays float")};
  Option<bool> int8Elementwise{
      *this, "int8-elementwise",
      llvm::cl::desc("precision=int8: run add/sub/mul/concat/"
                     "global_average_pool between int8 values on int8 "
                     "(qnt-quantize elementwise)"),
      llvm::cl::init(true)};
  Option<bool> equalizeActivations{
      *this, "equalize-activations",
      llvm::cl::desc("precision=int8, granularity=per-channel: rescale the "
                     "channels of each activation a depthwise conv reads "
                     "(and of the layer output it is a function of) so that "
                     "one int8 grid per tensor is each channel's own "
                     "(qnt-equalize-activations, on per-channel ranges from "
                     "one more calibration run); not with calibration "
                     "states"),
      llvm::cl::init(true)};
  Option<std::string> smoothQuant{
      *this, "smoothquant",
      llvm::cl::desc("SmoothQuant strength in [0, 1] or 'auto'; empty: "
                     "off")};
  ListOption<std::string> calibrationStates{
      *this, "calibration-states",
      llvm::cl::desc("Calibration states (qnt-calibrate state-out files, "
                     "e.g. one per shard of samples) the final calibration "
                     "merges with what data observes")};
  Option<std::string> calibrationStateOut{
      *this, "calibration-state-out",
      llvm::cl::desc("Write the final calibration's statistics to this "
                     "file")};
  ListOption<std::string> sensitivityTables{
      *this, "sensitivity-tables",
      llvm::cl::desc("precision=mixed: allocate from these sensitivity "
                     "tables (qnt-allocate-bits table-out files) instead of "
                     "measuring")};
  Option<std::string> sensitivityTableOut{
      *this, "sensitivity-table-out",
      llvm::cl::desc("precision=mixed: write the measured sensitivities "
                     "here and stop after measuring")};
  ListOption<int64_t> sensitivityLayers{
      *this, "sensitivity-layers",
      llvm::cl::desc("With sensitivity-table-out: measure only these layers "
                     "(a shard of the sweep)")};
  ListOption<int64_t> sensitivityShard{
      *this, "sensitivity-shard",
      llvm::cl::desc("With sensitivity-table-out: K,N measures layers K, "
                     "K+N, ... (shard K of N)")};
  Option<bool> calibrateOnly{
      *this, "calibrate-only",
      llvm::cl::desc("Stop after the final calibration (a shard's job, "
                     "with calibration-state-out)"),
      llvm::cl::init(false)};
};

/// Why `options` is not a recipe that can run (a budget without
/// precision=mixed, quantization without data, ...), or the empty string.
std::string checkPtqOptions(const PtqPipelineOptions &options);

/// Adds the recipe to `pm` (a module pass manager); `options` must pass
/// checkPtqOptions.
void buildPtqPipeline(OpPassManager &pm, const PtqPipelineOptions &options);

/// Registers `quant-ptq` (with checkPtqOptions's message as the error).
void registerPtqPipeline();

} // namespace mlir::qnt

#endif // QUANT_PIPELINES_PTQPIPELINE_H
