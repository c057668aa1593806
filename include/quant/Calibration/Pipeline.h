//===- Pipeline.h - The calibration pipeline --------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// quant-calibrate-ranges: what quant-compile --calibration-data runs, also
// registered with quant-opt:
//
//   qnt-fold-batch-norm, canonicalize   (ranges belong to the graph that is
//                                        quantized, batch norms folded)
//   qnt-calibrate                       (observed ranges)
//   qnt-propagate-ranges                (derived and unified ranges)
//
// It lives with the calibration pass rather than in quant/Pipelines because
// calibration JIT-compiles with those pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CALIBRATION_PIPELINE_H
#define QUANT_CALIBRATION_PIPELINE_H

#include "quant/Quantization/Options.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::qnt {

struct CalibrationPipelineOptions
    : public PassPipelineOptions<CalibrationPipelineOptions> {
  Option<std::string> data{*this, "data",
                           llvm::cl::desc("Folder of .npy calibration "
                                          "samples")};
  Option<CalibrationMethod> method{
      *this, "method", llvm::cl::desc("How ranges are chosen"),
      llvm::cl::init(CalibrationMethod::MinMax), calibrationMethodValues()};
  Option<double> percentile{*this, "percentile",
                            llvm::cl::desc("Upper percentile for "
                                           "method=percentile"),
                            llvm::cl::init(99.99)};
  Option<unsigned> samples{*this, "samples",
                           llvm::cl::desc("At most this many samples (0: "
                                          "all)"),
                           llvm::cl::init(0)};
  Option<bool> perChannel{*this, "per-channel",
                          llvm::cl::desc("Also record per-channel ranges"),
                          llvm::cl::init(false)};
  ListOption<std::string> states{
      *this, "states",
      llvm::cl::desc("Calibration states to merge (qnt-calibrate states=)")};
  Option<std::string> stateOut{
      *this, "state-out",
      llvm::cl::desc("Write the statistics here (qnt-calibrate "
                     "state-out=)")};
  Option<bool> unifyConcatInputs{
      *this, "unify-concat-inputs",
      llvm::cl::desc("Give the inputs of a concat one range"),
      llvm::cl::init(false)};
  Option<bool> unifyResidualAdds{
      *this, "unify-residual-adds",
      llvm::cl::desc("Give both operands of residual adds one range"),
      llvm::cl::init(false)};
};

void buildCalibrationPipeline(OpPassManager &pm,
                              const CalibrationPipelineOptions &options);

void registerCalibrationPipeline();

} // namespace mlir::qnt

#endif // QUANT_CALIBRATION_PIPELINE_H
