//===- PtqPipeline.cpp - The post-training quantization recipe ------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Pipelines/PtqPipeline.h"

#include "quant/Calibration/Passes.h"
#include "quant/Calibration/Pipeline.h"
#include "quant/Dialect/Qnt/Transforms/EqualizeActivations.h"
#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::qnt;

std::string qnt::checkPtqOptions(const PtqPipelineOptions &options) {
  bool quantized = options.precision != Precision::Fp32;
  bool mixed = options.precision == Precision::Mixed;
  StringRef precision = quantized
                            ? (mixed                                  ? "mixed"
                               : options.precision == Precision::Int8 ? "int8"
                                                                      : "int4")
                            : "fp32";
  if (mixed && (options.weightBitsBudget > 0) == (options.sizeBudget > 0))
    return "precision=mixed needs one positive budget: weight-bits-budget=B "
           "or size-budget=BYTES";
  if (!mixed && (options.weightBitsBudget != 0 || options.sizeBudget != 0))
    return "weight-bits-budget and size-budget choose the mixed "
           "precisions: they need precision=mixed";
  bool dynamic = options.activations == Activations::Dynamic;
  if (dynamic) {
    if (options.precision != Precision::Int8)
      return "activations=dynamic quantizes gemm/matmul inputs to int8 at "
             "run time: it needs precision=int8";
    if (!options.data.empty())
      return "activations=dynamic chooses the input scales at run time: it "
             "takes no calibration data";
    if (options.biasCorrection || options.adaRound ||
        options.weightAlgorithm != WeightAlgorithm::Rtn ||
        !options.report.empty() || options.accuracyTarget != 0 ||
        !options.smoothQuant.empty())
      return "activations=dynamic compiles without calibration data; bias "
             "correction, adaround, weight-algorithm=gptq|awq, smoothquant, "
             "report "
             "and "
             "accuracy-target need it";
  }
  if (!dynamic && options.dynamicScaling != DynamicScaling::per_token_absmax)
    return "dynamic-scaling needs activations=dynamic";
  bool states = !options.calibrationStates.empty();
  if ((states || !options.calibrationStateOut.empty()) &&
      (options.cle || !options.smoothQuant.empty() ||
       options.weightAlgorithm == WeightAlgorithm::Awq))
    return "calibration states hold the final calibration's statistics; "
           "cle, smoothquant and weight-algorithm=awq change the model from "
           "the samples before it, so shards would calibrate different "
           "models";
  bool reports = !options.report.empty() || options.accuracyTarget != 0 ||
                 !options.reportMeasurementOut.empty();
  if (states && options.data.empty() &&
      (options.adaRound || options.weightAlgorithm == WeightAlgorithm::Gptq ||
       options.precision == Precision::Mixed ||
       (reports && options.reportData.empty())))
    return "adaround, weight-algorithm=gptq, precision=mixed, report and "
           "accuracy-target run the samples themselves: give data too "
           "(calibration-states replaces only the final calibration's run)";
  if (dynamic && (states || !options.calibrationStateOut.empty()))
    return "activations=dynamic chooses the input scales at run time: it "
           "takes no calibration states";
  bool sensitivity = !options.sensitivityTables.empty() ||
                     !options.sensitivityTableOut.empty() ||
                     !options.sensitivityLayers.empty() ||
                     !options.sensitivityShard.empty();
  if (sensitivity && !mixed)
    return "sensitivity tables measure layers for mixed precision: they "
           "need precision=mixed";
  if ((!options.sensitivityLayers.empty() ||
       !options.sensitivityShard.empty()) &&
      options.sensitivityTableOut.empty())
    return "sensitivity-layers and sensitivity-shard measure a shard of the "
           "sweep: they need sensitivity-table-out";
  if (!options.sensitivityTables.empty() &&
      !options.sensitivityTableOut.empty())
    return "sensitivity-tables allocates from measured tables and "
           "sensitivity-table-out measures one: give one";
  if (options.calibrateOnly && options.data.empty() && !states)
    return "calibrate-only needs samples (data)";
  if (quantized && !dynamic && options.data.empty() && !states)
    return ("precision=" + precision +
            " needs calibration data (a folder of .npy samples to choose the "
            "int8 ranges from)")
        .str();
  if (options.groupSize < 1)
    return "group-size must be positive";
  if (options.biasCorrection && options.precision != Precision::Int8 &&
      !(options.adaRound && quantized))
    return "bias correction corrects int8 layers: it needs precision=int8 "
           "(or adaround, which corrects the layers it rounds)";
  if (options.adaRound && !quantized)
    return "adaround rounds quantized weights: it needs precision=int8, "
           "int4 or mixed";
  bool gptq = options.weightAlgorithm == WeightAlgorithm::Gptq;
  if (gptq && !quantized)
    return "weight-algorithm=gptq rounds quantized weights: it needs "
           "precision=int8, int4 or mixed";
  if (gptq && options.adaRound)
    return "weight-algorithm=gptq and adaround both choose the rounding: "
           "give one";
  if (gptq && options.biasCorrection)
    return "bias correction predicts nearest rounding's shift; with "
           "weight-algorithm=gptq the weights round otherwise: drop one";
  bool awq = options.weightAlgorithm == WeightAlgorithm::Awq;
  if (awq && options.precision != Precision::Int4 &&
      options.precision != Precision::Int8)
    return "weight-algorithm=awq scales the weights before they are "
           "quantized: it needs precision=int4 or int8";
  if (awq && (options.adaRound || !options.smoothQuant.empty()))
    return "weight-algorithm=awq rescales the channels itself: give it "
           "without adaround or smoothquant";
  if (options.gptqActOrder && !gptq)
    return "gptq-act-order needs weight-algorithm=gptq";
  if (options.adaRoundIterations < 0)
    return "adaround-iterations must not be negative";
  if (!options.reportData.empty() && !reports)
    return "report-data needs report (a folder for the report) or "
           "accuracy-target";
  if (reports && options.precision != Precision::Int8)
    return "report and accuracy-target simulate int8 layers: they need "
           "precision=int8";
  if (!options.reportFloatLayers.empty() &&
      options.reportMeasurementOut.empty())
    return "report-float-layers says what one report measurement keeps "
           "float: it needs report-measurement-out";
  if (!options.reportMeasurementOut.empty() &&
      (!options.reportMeasurements.empty() ||
       !options.reportPendingOut.empty() || options.accuracyTarget != 0 ||
       !options.report.empty()))
    return "report-measurement-out makes one measurement: give it without "
           "report, accuracy-target, report-measurements or "
           "report-pending-out";
  if ((!options.reportPendingOut.empty() ||
       !options.reportMeasurements.empty()) &&
      options.report.empty() && options.accuracyTarget == 0)
    return "report-measurements and report-pending-out serve the report: "
           "they need report or accuracy-target";
  if (options.accuracyTarget < 0)
    return "accuracy-target must be positive (dB)";
  if (!options.smoothQuant.empty()) {
    double alpha = 0.0;
    if (options.smoothQuant != "auto" &&
        (StringRef(options.smoothQuant).getAsDouble(alpha) ||
         !(alpha >= 0.0 && alpha <= 1.0)))
      return "smoothquant=" + options.smoothQuant +
             " is not a number in [0, 1] or 'auto'";
    if (options.data.empty())
      return "smoothquant needs calibration data (the activations' "
             "per-channel ranges set the factors)";
  }
  return "";
}

/// Per-channel minmax ranges, which SmoothQuant's factors and CLE's
/// high-bias absorption read (the final calibration then chooses the
/// ranges with the requested method).
static void addChannelCalibration(OpPassManager &pm,
                                  const PtqPipelineOptions &options) {
  CalibrationPipelineOptions calibration;
  calibration.data = options.data;
  calibration.method = CalibrationMethod::MinMax;
  calibration.samples = options.samples;
  calibration.perChannel = true;
  buildCalibrationPipeline(pm, calibration);
}

namespace {
/// Per-channel calibration and qnt-equalize-activations, run (as a dynamic
/// pipeline) only when the module has a conv -> depthwise conv link: the
/// extra calibration run costs as much as the final one, for nothing on
/// models without depthwise convs.
struct EqualizeActivationsIfLinked
    : PassWrapper<EqualizeActivationsIfLinked, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(EqualizeActivationsIfLinked)

  explicit EqualizeActivationsIfLinked(const PtqPipelineOptions &options)
      : pipeline(ModuleOp::getOperationName()) {
    addChannelCalibration(pipeline, options);
    pipeline.addNestedPass<func::FuncOp>(createQntEqualizeActivations());
  }
  EqualizeActivationsIfLinked(const EqualizeActivationsIfLinked &other)
      : PassWrapper(other), pipeline(other.pipeline) {}

  StringRef getArgument() const override {
    return "quant-equalize-activations-if-linked";
  }
  StringRef getName() const override { return "EqualizeActivationsIfLinked"; }
  StringRef getDescription() const override {
    return "Per-channel calibration and qnt-equalize-activations when the "
           "module has a conv -> depthwise conv link";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    pipeline.getDependentDialects(registry);
  }
  void runOnOperation() override {
    if (!hasEqualizableLinks(getOperation()))
      return;
    if (failed(runPipeline(pipeline, getOperation())))
      signalPassFailure();
  }

  OpPassManager pipeline;
};
} // namespace

/// Batch norms folded, then CLE; with data, the high-bias absorption that
/// a second CLE run does from per-channel statistics.
static void addCrossLayerEqualization(OpPassManager &pm,
                                      const PtqPipelineOptions &options) {
  pm.addPass(createQntFoldBatchNorm());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createQntCrossLayerEqualize());
  if (options.data.empty())
    return;
  addChannelCalibration(pm, options);
  pm.addNestedPass<func::FuncOp>(createQntCrossLayerEqualize());
}

/// The final ranges, then what reads them: bias correction, the report,
/// bit allocation, AdaRound or GPTQ, quantization.
static void addCalibrateAndQuantize(OpPassManager &pm,
                                    const PtqPipelineOptions &options) {
  CalibrationPipelineOptions calibration;
  calibration.data = options.data;
  calibration.method = options.method;
  calibration.percentile = options.percentile;
  calibration.samples = options.samples;
  // Bias correction needs each layer input's per-channel means (AdaRound
  // gathers its own).
  bool separateBiasCorrection = options.biasCorrection && !options.adaRound;
  calibration.perChannel = separateBiasCorrection;
  calibration.states = options.calibrationStates;
  calibration.stateOut = options.calibrationStateOut;
  buildCalibrationPipeline(pm, calibration);
  if (options.calibrateOnly)
    return;
  if (separateBiasCorrection) {
    QntBiasCorrectOptions correct;
    correct.granularity = options.granularity;
    // A layer kept float keeps its bias: there is no rounding to correct.
    correct.keepFloat.assign(options.keepFloat.begin(),
                             options.keepFloat.end());
    pm.addNestedPass<func::FuncOp>(createQntBiasCorrect(correct));
  }
  bool measureOnly = !options.reportMeasurementOut.empty() ||
                     !options.reportPendingOut.empty();
  if (!options.report.empty() || options.accuracyTarget > 0 || measureOnly) {
    QntQuantReportOptions report;
    report.accuracyTarget = options.accuracyTarget;
    report.dataDir =
        options.reportData.empty() ? options.data : options.reportData;
    report.maxSamples = options.reportSamples;
    report.reportDir = options.report;
    report.granularity = options.granularity;
    report.measurements.assign(options.reportMeasurements.begin(),
                               options.reportMeasurements.end());
    report.measurementOut = options.reportMeasurementOut;
    report.floatLayers.assign(options.reportFloatLayers.begin(),
                              options.reportFloatLayers.end());
    report.pendingOut = options.reportPendingOut;
    pm.addPass(createQntQuantReport(report));
    // A measurement, or the list of those the search needs, is the job.
    if (measureOnly)
      return;
  }
  if (options.precision == Precision::Mixed) {
    QntAllocateBitsOptions allocate;
    allocate.dataDir = options.data;
    allocate.weightBitsBudget = options.weightBitsBudget;
    allocate.sizeBudget = options.sizeBudget;
    allocate.groupSize = options.groupSize;
    allocate.granularity = options.granularity;
    // One model run per layer, candidate and sample: the pass's default
    // (16 samples) unless `samples` asks for fewer.
    if (options.samples > 0 && options.samples < allocate.maxSamples)
      allocate.maxSamples = options.samples;
    allocate.tables.assign(options.sensitivityTables.begin(),
                           options.sensitivityTables.end());
    allocate.tableOut = options.sensitivityTableOut;
    allocate.measureShard.assign(options.sensitivityShard.begin(),
                                 options.sensitivityShard.end());
    allocate.measureLayers.assign(options.sensitivityLayers.begin(),
                                  options.sensitivityLayers.end());
    pm.addPass(createQntAllocateBits(allocate));
    // A table of measurements is the job: nothing is allocated to quantize.
    if (!options.sensitivityTableOut.empty())
      return;
  }
  // After the report's fallback and the allocation, which decide the
  // layers' widths: AdaRound and GPTQ round only the layers that stay
  // quantized.
  if (options.adaRound) {
    QntAdaRoundOptions adaRound;
    adaRound.dataDir = options.data;
    adaRound.maxSamples = options.samples;
    adaRound.weightBits = options.precision == Precision::Int4 ? 4 : 8;
    adaRound.groupSize = options.groupSize;
    adaRound.granularity = options.granularity;
    adaRound.iterations = options.adaRoundIterations;
    adaRound.biasCorrection = options.biasCorrection;
    adaRound.keepFloat.assign(options.keepFloat.begin(),
                              options.keepFloat.end());
    pm.addPass(createQntAdaRound(adaRound));
  }
  if (options.weightAlgorithm == WeightAlgorithm::Gptq) {
    QntGptqOptions gptq;
    gptq.dataDir = options.data;
    gptq.maxSamples = options.samples;
    gptq.weightBits = options.precision == Precision::Int4 ? 4 : 8;
    gptq.groupSize = options.groupSize;
    gptq.granularity = options.granularity;
    gptq.actOrder = options.gptqActOrder;
    gptq.keepFloat.assign(options.keepFloat.begin(), options.keepFloat.end());
    pm.addPass(createQntGptq(gptq));
  }
  if (options.precision != Precision::Fp32) {
    QntQuantizeOptions quantize;
    quantize.granularity = options.granularity;
    quantize.weightBits = options.precision == Precision::Int4 ? 4 : 8;
    quantize.groupSize = options.groupSize;
    quantize.elementwise = options.int8Elementwise;
    quantize.keepFloat.assign(options.keepFloat.begin(),
                              options.keepFloat.end());
    pm.addNestedPass<func::FuncOp>(createQntQuantize(quantize));
  }
}

void qnt::buildPtqPipeline(OpPassManager &pm,
                           const PtqPipelineOptions &options) {
  // An imported QDQ model's quantized layers first (nothing else changes
  // a model without quantize/dequantize casts).
  pm.addNestedPass<func::FuncOp>(createQntFuseQdq());
  if (options.cle)
    addCrossLayerEqualization(pm, options);
  // Per-channel grids into depthwise convs, by rescaling channels: for
  // static int8 with per-channel weights (which do not see the rescaling),
  // from this data's per-channel ranges. Not with calibration states: the
  // shards would rescale by their own samples and calibrate different
  // models.
  if (options.equalizeActivations && options.precision == Precision::Int8 &&
      options.activations == Activations::Static &&
      options.granularity == Granularity::PerChannel && !options.data.empty() &&
      options.calibrationStates.empty() &&
      options.calibrationStateOut.empty()) {
    pm.addPass(std::make_unique<EqualizeActivationsIfLinked>(options));
  }
  if (!options.smoothQuant.empty()) {
    addChannelCalibration(pm, options);
    QntSmoothQuantOptions smooth;
    smooth.alpha = options.smoothQuant;
    pm.addNestedPass<func::FuncOp>(createQntSmoothQuant(smooth));
  }
  if (options.weightAlgorithm == WeightAlgorithm::Awq) {
    // Ranges on the layers qnt-awq looks for, then the final calibration
    // of the rescaled activations below.
    addChannelCalibration(pm, options);
    QntAwqOptions awq;
    awq.dataDir = options.data;
    awq.maxSamples = options.samples;
    awq.weightBits = options.precision == Precision::Int4 ? 4 : 8;
    awq.groupSize = options.groupSize;
    awq.granularity = options.granularity;
    awq.keepFloat.assign(options.keepFloat.begin(), options.keepFloat.end());
    pm.addPass(createQntAwq(awq));
  }
  if (!options.data.empty() || !options.calibrationStates.empty())
    addCalibrateAndQuantize(pm, options);
  if (options.activations == Activations::Dynamic) {
    QntQuantizeOptions quantize;
    quantize.granularity = options.granularity;
    quantize.activations = Activations::Dynamic;
    quantize.dynamicScaling = options.dynamicScaling;
    quantize.keepFloat.assign(options.keepFloat.begin(),
                              options.keepFloat.end());
    pm.addNestedPass<func::FuncOp>(createQntQuantize(quantize));
  }
}

void qnt::registerPtqPipeline() {
  registerPassPipeline(
      "quant-ptq",
      "Post-training quantization: CLE, SmoothQuant, calibration, bias "
      "correction, bit allocation and quantization, as quant-compile runs "
      "them",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        PtqPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        std::string problem = checkPtqOptions(options);
        if (!problem.empty())
          return errorHandler("quant-ptq: " + problem);
        buildPtqPipeline(pm, options);
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> optHandler) {
        optHandler(PtqPipelineOptions());
      });
}
