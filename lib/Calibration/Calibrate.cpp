//===- Calibrate.cpp - Observe activation ranges on calibration data ------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-calibrate: instrument (every observed value becomes a result of
// @main), JIT-compile the float model in a private context, stream the
// samples through it, and write each observer's chosen range into the IR.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Passes.h"

#include "quant/Calibration/CalibrationData.h"
#include "quant/Calibration/CalibrationState.h"
#include "quant/Calibration/Histogram.h"
#include "quant/Calibration/PassJit.h"
#include "quant/Compiler/ModelCompiler.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntShapes.h"
#include "quant/Support/Progress.h"

#include "quant_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Threading.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

#define DEBUG_TYPE "qnt-calibrate"

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTCALIBRATE
#include "quant/Calibration/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// A value calibration observes: a @main argument (read from the sample) or
/// an op result (an extra result of the instrumented @main).
struct ObservedValue {
  Value value;
  int64_t input = -1;  // index into the sample's tensors
  int64_t output = -1; // index into the instrumented model's outputs
  SmallVector<int64_t> shape;
};

/// How a calibration state names `value`: "argument N 'onnx name'" or the
/// op and its location, without file paths (shards may read the model from
/// different folders).
static std::string stateName(func::FuncOp main, Value value) {
  std::string name;
  llvm::raw_string_ostream os(name);
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    os << "argument " << arg.getArgNumber();
    if (auto onnxName =
            main.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name"))
      os << " '" << onnxName.getValue() << "'";
    return name;
  }
  os << value.getDefiningOp()->getName() << " at ";
  Location loc = value.getLoc();
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    os << file.getLine() << ":" << file.getColumn();
  else if (auto named = dyn_cast<NameLoc>(loc))
    os << named.getName().getValue();
  else
    loc.print(os);
  return name;
}

/// A static f32 tensor, the only values calibration observes.
static bool isObservable(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getElementType().isF32();
}

struct QntCalibratePass : public qnt::impl::QntCalibrateBase<QntCalibratePass> {
  using QntCalibrateBase::QntCalibrateBase;

  void runOnOperation() override;

private:
  void fail(const Twine &message) {
    emitError(getOperation().getLoc(), "qnt-calibrate: ") << message;
    signalPassFailure();
  }
  /// Fails unless the options make sense.
  LogicalResult checkOptions();
  /// The values to observe, in IR order; nullopt after failing.
  std::optional<SmallVector<ObservedValue>> observedValues(func::FuncOp main);
  /// Runs every sample and feeds the observers; failure after failing.
  LogicalResult observe(PassJitModel &jit, const CalibrationData &data,
                        ArrayRef<ObservedValue> observed,
                        CalibrationState &state,
                        quant_compiler::Progress &progress);
  /// Observes `dataDir`'s samples into `state`; failure after failing.
  LogicalResult observeData(func::FuncOp main,
                            MutableArrayRef<ObservedValue> observed,
                            CalibrationState &state);
  /// Merges the `states` files into `state`; failure after failing.
  LogicalResult mergeStates(CalibrationState &state);
  /// Writes `state` to `stateOut`; failure after failing.
  LogicalResult writeState(const CalibrationState &state);
  /// Writes qnt.range (and qnt.channel_range, qnt.stats) of one value.
  void writeRange(func::FuncOp main, const ObservedValue &v,
                  const ValueStatistics &observer,
                  const std::optional<CalibratedRange> &range);
  /// Writes the module's qnt.calibration dictionary.
  void writeProvenance(size_t samples);

  /// The instrumented clone of the module (every observed value a result of
  /// @main), compiled; `observed` gets the output indices.
  std::unique_ptr<PassJitModel>
  compileInstrumented(func::FuncOp main,
                      MutableArrayRef<ObservedValue> observed);
};

} // namespace

std::unique_ptr<PassJitModel>
QntCalibratePass::compileInstrumented(func::FuncOp main,
                                      MutableArrayRef<ObservedValue> observed) {
  ModuleOp module = getOperation();
  IRMapping mapping;
  OwningOpRef<ModuleOp> clone = cast<ModuleOp>(module->clone(mapping));
  auto cloneMain = clone->lookupSymbol<func::FuncOp>("main");
  auto ret = cast<func::ReturnOp>(cloneMain.getBody().front().getTerminator());
  // A value the model already returns is read from that output (returning
  // one buffer twice is not something bufferization supports).
  llvm::DenseMap<Value, int64_t> outputOf;
  for (auto [i, operand] : llvm::enumerate(ret.getOperands()))
    outputOf.try_emplace(operand, i);
  for (ObservedValue &v : observed) {
    if (v.input >= 0)
      continue;
    Value mapped = mapping.lookup(v.value);
    auto [it, inserted] = outputOf.try_emplace(mapped, ret.getNumOperands());
    if (inserted)
      ret.getOperandsMutable().append(mapped);
    v.output = it->second;
  }
  cloneMain.setType(FunctionType::get(
      &getContext(), cloneMain.getArgumentTypes(), ret.getOperandTypes()));
  return PassJitModel::compile(std::move(clone), module, "qnt-calibrate",
                               "quant_calibration_model");
}

LogicalResult QntCalibratePass::checkOptions() {
  if (dataDir.empty() && states.empty())
    fail("no calibration data: give data=DIR (a folder of .npy samples) "
         "or states=FILE,... (calibration states to merge)");
  else if (method == CalibrationMethod::Percentile &&
           !(percentile >= 50 && percentile <= 100))
    fail("percentile=" + formatFloat(percentile) + " is outside [50, 100]");
  else if (numBins < 16 || numBins > (1u << 20))
    fail("bins=" + Twine(unsigned(numBins)) + " is outside [16, 1048576]");
  else if (bits < 2 || bits > 16)
    fail("bits=" + Twine(unsigned(bits)) + " is outside [2, 16]");
  else
    return success();
  return failure();
}

std::optional<SmallVector<ObservedValue>>
QntCalibratePass::observedValues(func::FuncOp main) {
  SmallVector<ObservedValue> observed;
  for (BlockArgument arg : main.getArguments())
    if (isObservable(arg))
      observed.push_back(
          {arg, arg.getArgNumber(), -1,
           SmallVector<int64_t>(
               cast<RankedTensorType>(arg.getType()).getShape())});
  WalkResult walk = main.walk([&](Operation *op) {
    if (op->getNumResults() != 1 || op->hasTrait<OpTrait::ConstantLike>() ||
        !isObservable(op->getResult(0)))
      return WalkResult::advance();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    if (!type.hasStaticShape()) {
      emitError(op->getLoc(), "qnt-calibrate: result type ")
          << type << " is not static; calibration needs static shapes";
      return WalkResult::interrupt();
    }
    observed.push_back(
        {op->getResult(0), -1, -1, SmallVector<int64_t>(type.getShape())});
    return WalkResult::advance();
  });
  if (walk.wasInterrupted()) {
    signalPassFailure();
    return std::nullopt;
  }
  return observed;
}

LogicalResult QntCalibratePass::observe(PassJitModel &jit,
                                        const CalibrationData &data,
                                        ArrayRef<ObservedValue> observed,
                                        CalibrationState &state,
                                        quant_compiler::Progress &progress) {
  for (size_t s = 0; s < data.size(); ++s) {
    llvm::Expected<std::vector<HostTensor>> sample = jit.runSample(data, s);
    if (!sample) {
      fail(llvm::toString(sample.takeError()));
      return failure();
    }
    // Observers are independent: update them in parallel (the result does
    // not depend on the order).
    parallelFor(&getContext(), 0, observed.size(), [&](size_t i) {
      const ObservedValue &v = observed[i];
      const void *ptr = v.input >= 0 ? (*sample)[v.input].data.data()
                                     : jit.outputs[v.output].data();
      state.values[i].stats.add(static_cast<const float *>(ptr), v.shape,
                                perChannel);
    });
    ++numSamples;
    ++state.samples;
    progress.step(/*withRate=*/true);
  }
  return success();
}

LogicalResult
QntCalibratePass::observeData(func::FuncOp main,
                              MutableArrayRef<ObservedValue> observed,
                              CalibrationState &state) {
  ModuleOp module = getOperation();
  FailureOr<CalibrationData> data =
      openSamples(main, module, "qnt-calibrate", dataDir, maxSamples);
  if (failed(data)) {
    signalPassFailure();
    return failure();
  }
  quant_compiler::Progress progress("qnt-calibrate", data->size(), "samples");
  progress.note("compiling the model to observe " + Twine(observed.size()) +
                " values on " + Twine(data->size()) + " samples");
  std::unique_ptr<PassJitModel> jit = compileInstrumented(main, observed);
  if (!jit) {
    signalPassFailure();
    return failure();
  }
  LogicalResult ran = observe(*jit, *data, observed, state, progress);
  quant_release_scratch();
  return ran;
}

LogicalResult QntCalibratePass::mergeStates(CalibrationState &state) {
  for (const std::string &path : states) {
    llvm::Expected<CalibrationState> other = CalibrationState::read(path);
    if (!other) {
      fail(llvm::toString(other.takeError()));
      return failure();
    }
    if (llvm::Error error = state.merge(*other)) {
      fail(path + ": " + llvm::toString(std::move(error)));
      return failure();
    }
  }
  return success();
}

LogicalResult QntCalibratePass::writeState(const CalibrationState &state) {
  std::string error;
  auto out = openOutputFile(stateOut, &error);
  if (!out) {
    fail(error);
    return failure();
  }
  state.write(out->os());
  out->keep();
  return success();
}

void QntCalibratePass::writeRange(func::FuncOp main, const ObservedValue &v,
                                  const ValueStatistics &observer,
                                  const std::optional<CalibratedRange> &range) {
  MLIRContext *context = &getContext();
  Builder b(context);
  const StreamingHistogram &h = observer.histogram;
  auto setAttr = [&](StringRef name, Attribute attr) {
    if (auto arg = dyn_cast<BlockArgument>(v.value))
      main.setArgAttr(arg.getArgNumber(), name, attr);
    else
      v.value.getDefiningOp()->setAttr(name, attr);
  };
  if (h.getNonFiniteCount())
    emitWarning(v.value.getLoc(), "qnt-calibrate: ")
        << h.getNonFiniteCount()
        << " non-finite values were left out of this value's range";
  if (!range)
    return; // Nothing finite observed.
  setAttr(QntDialect::getRangeAttrName(),
          RangeAttr::get(context, range->min, range->max));
  LLVM_DEBUG(llvm::dbgs() << DEBUG_TYPE << ": " << v.value.getLoc() << ": ["
                          << range->min << ", " << range->max << "] of ["
                          << h.getMin() << ", " << h.getMax() << "]\n");
  ++numRanges;
  if (perChannel && !observer.channelMin.empty()) {
    // Channels that saw only non-finite values get [0, 0], mean 0.
    std::vector<float> lo = observer.channelMin, hi = observer.channelMax;
    std::vector<float> mean(lo.size(), 0.0f);
    for (size_t c = 0; c < lo.size(); ++c) {
      if (lo[c] > hi[c]) {
        lo[c] = hi[c] = 0;
        continue;
      }
      double m = observer.channelSum[c].value() / observer.channelCount[c];
      mean[c] = std::clamp(static_cast<float>(m), lo[c], hi[c]);
    }
    setAttr(QntDialect::getChannelRangeAttrName(),
            ChannelRangeAttr::get(
                context, observer.axis, b.getDenseF32ArrayAttr(lo),
                b.getDenseF32ArrayAttr(hi), b.getDenseF32ArrayAttr(mean)));
  }
  if (emitStats)
    setAttr(QntDialect::getStatsAttrName(),
            b.getDictionaryAttr({
                b.getNamedAttr("bin_width", b.getF64FloatAttr(h.getBinWidth())),
                b.getNamedAttr("count", b.getI64IntegerAttr(h.getCount())),
                b.getNamedAttr("max", b.getF64FloatAttr(h.getMax())),
                b.getNamedAttr("min", b.getF64FloatAttr(h.getMin())),
                b.getNamedAttr("non_finite",
                               b.getI64IntegerAttr(h.getNonFiniteCount())),
            }));
}

void QntCalibratePass::writeProvenance(size_t samples) {
  Builder b(&getContext());
  SmallVector<NamedAttribute> provenance{
      b.getNamedAttr("method",
                     b.getStringAttr(stringifyCalibrationMethod(method))),
      b.getNamedAttr("samples", b.getI64IntegerAttr(samples))};
  if (method == CalibrationMethod::Percentile)
    provenance.push_back(
        b.getNamedAttr("percentile", b.getF32FloatAttr(percentile)));
  if (method != CalibrationMethod::MinMax)
    provenance.push_back(b.getNamedAttr("bins", b.getI64IntegerAttr(numBins)));
  if (method == CalibrationMethod::Entropy || method == CalibrationMethod::Mse)
    provenance.push_back(b.getNamedAttr("bits", b.getI64IntegerAttr(bits)));
  getOperation()->setAttr(QntDialect::getCalibrationAttrName(),
                          b.getDictionaryAttr(provenance));
}

void QntCalibratePass::runOnOperation() {
  ModuleOp module = getOperation();
  if (failed(checkOptions()))
    return;
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return fail("the module has no func.func @main to calibrate");
  std::optional<SmallVector<ObservedValue>> observed = observedValues(main);
  if (!observed)
    return;

  CalibrationState state;
  state.bins = method == CalibrationMethod::MinMax ? 0 : numBins;
  state.perChannel = perChannel;
  for (const ObservedValue &v : *observed)
    state.values.push_back(
        {stateName(main, v.value), v.shape, ValueStatistics(state.bins)});
  if (!dataDir.empty() && failed(observeData(main, *observed, state)))
    return;
  if (failed(mergeStates(state)))
    return;
  if (!stateOut.empty() && failed(writeState(state)))
    return;

  RangeOptions rangeOptions;
  rangeOptions.method = method;
  rangeOptions.percentile = percentile;
  rangeOptions.bits = bits;
  // The searches (entropy, mse) cost O(bins^2) per value: in parallel.
  std::vector<std::optional<CalibratedRange>> ranges(observed->size());
  parallelFor(&getContext(), 0, observed->size(), [&](size_t i) {
    ranges[i] = chooseRange(state.values[i].stats.histogram, rangeOptions);
  });
  for (size_t i = 0; i < observed->size(); ++i)
    writeRange(main, (*observed)[i], state.values[i].stats, ranges[i]);
  writeProvenance(state.samples);
}
