//===- Pipeline.cpp - The calibration pipeline ----------------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Pipeline.h"

#include "quant/Calibration/Passes.h"
#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::qnt;

void qnt::buildCalibrationPipeline(OpPassManager &pm,
                                   const CalibrationPipelineOptions &options) {
  pm.addPass(createQntFoldBatchNorm());
  pm.addPass(createCanonicalizerPass());
  QntCalibrateOptions calibrate;
  calibrate.dataDir = options.data;
  calibrate.method = options.method;
  calibrate.percentile = options.percentile;
  calibrate.maxSamples = options.samples;
  calibrate.perChannel = options.perChannel;
  calibrate.states.assign(options.states.begin(), options.states.end());
  calibrate.stateOut = options.stateOut;
  pm.addPass(createQntCalibrate(calibrate));
  QntPropagateRangesOptions propagate;
  propagate.unifyConcatInputs = options.unifyConcatInputs;
  propagate.unifyResidualAdds = options.unifyResidualAdds;
  pm.addNestedPass<func::FuncOp>(createQntPropagateRanges(propagate));
}

void qnt::registerCalibrationPipeline() {
  PassPipelineRegistration<CalibrationPipelineOptions>(
      "quant-calibrate-ranges",
      "Fold batch norms, calibrate ranges on sample data and propagate them",
      buildCalibrationPipeline);
}
