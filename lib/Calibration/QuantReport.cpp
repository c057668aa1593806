//===- QuantReport.cpp - Which layer loses the signal ---------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-quant-report: one JIT-compiled clone of the calibrated float module
// holds, next to the float graph, a copy in which every reported layer is
// quantized (qnt.fake_quant on its input and output, int8 weights
// dequantized), and for each layer a copy of it alone on its float input.
// Every sample runs all three; the layers' outputs are compared with the
// float ones (see the pass description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Passes.h"

#include "quant/Calibration/CalibrationData.h"
#include "quant/Calibration/PassJit.h"
#include "quant/Calibration/ReportMeasurements.h"
#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/QuantMath.h"
#include "quant/Support/Progress.h"

#include "quant_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "llvm/Support/Debug.h"

#include <algorithm>
#include <cmath>
#include <limits>

#define DEBUG_TYPE "qnt-quant-report"

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTQUANTREPORT
#include "quant/Calibration/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// A quantized value's calibrated range and grid.
struct Grid {
  double min = 0.0, max = 0.0; // calibrated (#qnt.range)
  QuantParams params;
};

/// Adds to `c` the values outside the calibrated range (clipped), and
/// those the int8 quantization saturates: round(x / scale) + zero point
/// beyond [qmin, qmax].
void countGrid(GridCounts &c, const float *values, size_t n, const Grid &g) {
  const QuantParams &p = g.params;
  auto scale = static_cast<float>(p.scale);
  for (size_t i = 0; i < n; ++i) {
    c.count += 1;
    c.clipped += values[i] < g.min || values[i] > g.max;
    float q = std::nearbyint(values[i] / scale) + p.zeroPoint;
    c.saturated += q < p.qmin || q > p.qmax;
  }
}

/// One layer qnt-quantize would make int8, and what was measured of it.
struct ReportLayer {
  Operation *op = nullptr;
  /// The ReLU or clamp from 0 fused into its output grid, if any.
  Operation *fused = nullptr;
  std::string name;
  LinearLayer layer;
  Grid input, output;
  std::vector<float> weights; // int8, dequantized
  double minWeightScale = 0.0, maxWeightScale = 0.0;
  /// Outputs of the instrumented model.
  int64_t inputOut = -1, floatOut = -1, aloneOut = -1, cumulativeOut = -1;
  int64_t cumulativeInputOut = -1;
  ErrorSums alone, cumulative;
  /// The layer's input with every reported layer before it quantized.
  ErrorSums cumulativeInput;
  GridCounts inputGrid, outputGrid;

  Operation *last() const { return fused ? fused : op; }

  /// The harm in context: the noise-to-signal ratio the layer adds to what
  /// it receives, with every reported layer up to it quantized (the
  /// cumulative ratio of its output minus that of its input).
  double addedNoise() const {
    return cumulative.noiseRatio() - cumulativeInput.noiseRatio();
  }
};

/// The calibrated range of a value and its grid, as qnt-quantize chooses
/// it (asymmetric int8).
std::optional<Grid> activationGrid(Value value) {
  RangeAttr range = getValueRange(value);
  if (!range)
    return std::nullopt;
  Grid g;
  g.min = range.getMinValue();
  g.max = range.getMaxValue();
  g.params = chooseQuantParams(g.min, g.max, 8, /*symmetric=*/false);
  return g;
}

/// The ReLU (or clamp from 0) qnt-quantize fuses into `op`'s output grid.
Operation *fusedActivation(Operation *op) {
  Value result = op->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  Operation *user = *result.getUsers().begin();
  auto clamp = dyn_cast<ClampOp>(user);
  bool fromZero =
      clamp && clamp.getMin() && clamp.getMin()->convertToDouble() == 0.0;
  if ((isa<ReluOp>(user) || fromZero) && getValueRange(user->getResult(0)))
    return user;
  return nullptr;
}

/// Every conv/gemm/matmul's name: its ONNX node name, with "#2", "#3", ...
/// on later layers of the same name (ops without one share their op
/// name), so that a name identifies a layer.
llvm::DenseMap<Operation *, std::string> layerNames(func::FuncOp main) {
  llvm::DenseMap<Operation *, std::string> names;
  llvm::StringMap<unsigned> seen;
  main.walk([&](Operation *op) {
    if (!getQuantizableLayer(op))
      return;
    std::string name = derivedBlobName(op, "", op->getName().getStringRef());
    unsigned k = ++seen[name];
    names[op] = k == 1 ? name : name + "#" + std::to_string(k);
  });
  return names;
}

/// The layers of @main qnt-quantize would quantize, in program order.
std::vector<ReportLayer> collectLayers(func::FuncOp main, bool perChannel) {
  llvm::DenseMap<Operation *, std::string> names = layerNames(main);
  std::vector<ReportLayer> layers;
  main.walk([&](Operation *op) {
    std::optional<LinearLayer> q = getQuantizableLayer(op);
    if (!q)
      return;
    // Layers another choice keeps float (qnt.weight_bits = 32: the
    // accuracy target below, qnt-allocate-bits) or int4 are not int8.
    if (auto bits =
            op->getAttrOfType<IntegerAttr>(QntDialect::getWeightBitsAttrName());
        bits && bits.getInt() != 8)
      return;
    std::optional<SmallVector<float>> values =
        getConstantF32Values(op->getOperand(q->weightIndex));
    std::optional<Grid> in = activationGrid(op->getOperand(0));
    ReportLayer l;
    l.op = op;
    l.fused = fusedActivation(op);
    std::optional<Grid> out = activationGrid(l.last()->getResult(0));
    // The measuring model's buffers are read as f32.
    auto isF32 = [](Value v) {
      return cast<ShapedType>(v.getType()).getElementType().isF32();
    };
    if (!values || !in || !out || !isF32(op->getOperand(0)) ||
        !isF32(l.last()->getResult(0)))
      return;
    l.name = names.lookup(op);
    l.layer = *q;
    l.input = *in;
    l.output = *out;
    auto type =
        cast<RankedTensorType>(op->getOperand(q->weightIndex).getType());
    int64_t channels = type.getShape()[q->outAxis];
    int64_t inner = 1;
    for (int64_t d = q->outAxis + 1; d < type.getRank(); ++d)
      inner *= type.getShape()[d];
    // As qnt-quantize: requantization multipliers stay representable.
    double minScale =
        std::ldexp(1.0, -30) * out->params.scale / in->params.scale;
    SymmetricWeights w = quantizeSymmetricWeights(
        values->data(), values->size(), channels, inner, perChannel, minScale);
    l.weights.resize(values->size());
    for (size_t i = 0; i < values->size(); ++i)
      l.weights[i] = static_cast<float>(
          w.values[i] * w.scales[static_cast<int64_t>(i) / inner % channels]);
    l.minWeightScale = *llvm::min_element(w.scales);
    l.maxWeightScale = *llvm::max_element(w.scales);
    layers.push_back(std::move(l));
  });
  return layers;
}

/// Builds the instrumented @main of a clone: the float graph, its
/// quantized copy and each layer alone, with every compared value
/// returned.
class InstrumentedBuilder {
public:
  InstrumentedBuilder(func::FuncOp main, IRMapping &cloneMap,
                      MutableArrayRef<ReportLayer> layers)
      : main(main), cloneMap(cloneMap), layers(layers),
        ret(cast<func::ReturnOp>(main.getBody().front().getTerminator())),
        b(ret) {
    for (auto [i, operand] : llvm::enumerate(ret.getOperands()))
      outputOf.try_emplace(operand, i);
    numModelOutputs = ret.getNumOperands();
  }

  /// Fills in the layers' output indices and the quantized model outputs.
  void build() {
    DenseMap<Operation *, ReportLayer *> layerOf;
    DenseMap<Operation *, const QuantParams *> quantizeAfter;
    for (ReportLayer &l : layers) {
      layerOf[cloneMap.lookup(l.op)] = &l;
      quantizeAfter[cloneMap.lookup(l.last())] = &l.output.params;
    }
    // The quantized copy, op by op in program order.
    SmallVector<Operation *> ops;
    for (Operation &op : main.getBody().front().without_terminator())
      ops.push_back(&op);
    IRMapping chain;
    for (Operation *op : ops) {
      Operation *copy = b.clone(*op, chain);
      if (ReportLayer *l = layerOf.lookup(op))
        quantizeLayer(copy, *l, chain.lookupOrDefault(op->getOperand(0)));
      if (const QuantParams *p = quantizeAfter.lookup(op))
        chain.map(op->getResult(0), fakeQuant(copy->getResult(0), *p));
    }
    for (unsigned i = 0; i < numModelOutputs; ++i)
      quantizedModelOutputs.push_back(
          addOutput(chain.lookupOrDefault(ret.getOperand(i))));
    for (ReportLayer &l : layers) {
      Operation *op = cloneMap.lookup(l.op);
      Operation *last = cloneMap.lookup(l.last());
      l.inputOut = addOutput(op->getOperand(0));
      l.cumulativeInputOut =
          addOutput(chain.lookupOrDefault(op->getOperand(0)));
      l.floatOut = addOutput(last->getResult(0));
      l.cumulativeOut = addOutput(chain.lookup(last->getResult(0)));
      l.aloneOut = addOutput(buildAlone(l, op, last));
    }
    main.setType(FunctionType::get(main.getContext(), main.getArgumentTypes(),
                                   ret.getOperandTypes()));
  }

  unsigned numModelOutputs = 0;
  SmallVector<int64_t> quantizedModelOutputs;

private:
  Value fakeQuant(Value x, const QuantParams &p) {
    return FakeQuantOp::create(
        b, x.getLoc(), x.getType(), x, b.getF32FloatAttr(p.scale),
        b.getI64IntegerAttr(p.zeroPoint), b.getI64IntegerAttr(p.qmin),
        b.getI64IntegerAttr(p.qmax));
  }

  /// `copy` (a clone of a layer, just built) reads `input` through its
  /// input grid and the int8 weights, both built before it.
  void quantizeLayer(Operation *copy, const ReportLayer &l, Value input) {
    Value quantized = fakeQuant(input, l.input.params);
    quantized.getDefiningOp()->moveBefore(copy);
    copy->setOperand(0, quantized);
    Value weight = copy->getOperand(l.layer.weightIndex);
    auto type = cast<RankedTensorType>(weight.getType());
    auto constant = ConstantOp::create(
        b, weight.getLoc(),
        makeF32Elements(type, l.weights,
                        derivedBlobName(l.op, ".report.weight", "layer")));
    constant->moveBefore(copy);
    copy->setOperand(l.layer.weightIndex, constant);
  }

  /// The layer alone on its float input, through its output grid.
  Value buildAlone(const ReportLayer &l, Operation *op, Operation *last) {
    Operation *copy = b.clone(*op);
    quantizeLayer(copy, l, op->getOperand(0));
    Value result = copy->getResult(0);
    if (last != op) {
      IRMapping m;
      m.map(op->getResult(0), result);
      result = b.clone(*last, m)->getResult(0);
    }
    return fakeQuant(result, l.output.params);
  }

  /// The output index of `value`, returned once.
  int64_t addOutput(Value value) {
    auto [it, inserted] = outputOf.try_emplace(value, ret.getNumOperands());
    if (inserted)
      ret.getOperandsMutable().append(value);
    return it->second;
  }

  func::FuncOp main;
  IRMapping &cloneMap;
  MutableArrayRef<ReportLayer> layers;
  func::ReturnOp ret;
  OpBuilder b;
  DenseMap<Value, int64_t> outputOf;
};

std::string formatDb(double db) {
  if (std::isinf(db))
    return db > 0 ? "exact" : "-inf";
  return llvm::formatv("{0:f1}", db).str();
}

llvm::json::Value jsonDb(double db) {
  if (std::isinf(db))
    return nullptr; // JSON has no infinity: null is "exact" (or no signal)
  return db;
}

llvm::json::Object gridJson(const Grid &grid, const GridCounts &g) {
  const QuantParams &p = grid.params;
  return llvm::json::Object{
      {"calibrated_range", llvm::json::Array{grid.min, grid.max}},
      {"grid_range", llvm::json::Array{(p.qmin - p.zeroPoint) * p.scale,
                                       (p.qmax - p.zeroPoint) * p.scale}},
      {"scale", p.scale},
      {"zero_point", p.zeroPoint},
      {"clipped_fraction", g.clippedFraction()},
      {"saturated", g.saturated},
      {"count", g.count}};
}

/// The names of the reported kinds of layer that are not int8 now (kept
/// float by the search or by float-layers), sorted: what identifies a
/// measurement.
std::vector<std::string> floatLayerNames(func::FuncOp main) {
  std::vector<std::string> names;
  for (auto &[op, name] : layerNames(main)) {
    auto bits =
        op->getAttrOfType<IntegerAttr>(QntDialect::getWeightBitsAttrName());
    if (bits && bits.getInt() != 8)
      names.push_back(name);
  }
  llvm::sort(names);
  return names;
}

ReportMeasurement toMeasurement(std::vector<std::string> floatLayers,
                                ArrayRef<ReportLayer> layers,
                                const ErrorSums &modelError, size_t samples) {
  ReportMeasurement m;
  m.floatLayers = std::move(floatLayers);
  m.samples = samples;
  m.model = modelError;
  for (const ReportLayer &l : layers)
    m.layers.push_back({l.name, l.alone, l.cumulative, l.cumulativeInput,
                        l.inputGrid, l.outputGrid});
  return m;
}

struct QntQuantReportPass
    : public qnt::impl::QntQuantReportBase<QntQuantReportPass> {
  using QntQuantReportBase::QntQuantReportBase;
  void runOnOperation() override;

private:
  void fail(const Twine &message) {
    emitError(getOperation().getLoc(), "qnt-quant-report: ") << message;
    signalPassFailure();
  }
  /// Runs the samples and fills in the layers' figures; failure after
  /// failing.
  LogicalResult measure(std::vector<ReportLayer> &layers, ErrorSums &modelError,
                        size_t &samples);
  /// Fills in the layers' figures (and the model's) for the float layers
  /// of `main` now: from a measurement given or made before, or measured
  /// now. False when pending-out defers it (the set is added to `pending`).
  FailureOr<bool> obtain(func::FuncOp main, std::vector<ReportLayer> &layers,
                         ErrorSums &modelError, size_t &samples);
  /// The layer the next fallback step keeps float; null when a candidate's
  /// measurement is pending.
  FailureOr<Operation *> chooseLayerToKeep(func::FuncOp main,
                                           ArrayRef<ReportLayer> layers,
                                           const ErrorSums &modelError);
  /// Writes `pending` to pending-out.
  LogicalResult writePending();
  /// Keeps the layers float-layers names float.
  LogicalResult markFloatLayers(func::FuncOp main);

  /// Measurements given (measurements=) and made, by float layers.
  ReportMeasurements known;
  /// The sets of float layers whose measurement pending-out defers.
  std::vector<std::vector<std::string>> pending;
  /// report.json and report.md in `dir`, or the table on stderr.
  LogicalResult write(ArrayRef<ReportLayer> layers, const ErrorSums &modelError,
                      size_t samples);
};

} // namespace

LogicalResult QntQuantReportPass::measure(std::vector<ReportLayer> &layers,
                                          ErrorSums &modelError,
                                          size_t &samples) {
  ModuleOp module = getOperation();
  auto main = module.lookupSymbol<func::FuncOp>("main");
  FailureOr<CalibrationData> data =
      openSamples(main, module, "qnt-quant-report", dataDir, maxSamples);
  if (failed(data))
    return failure();

  IRMapping cloneMap;
  OwningOpRef<ModuleOp> clone = cast<ModuleOp>(module->clone(cloneMap));
  InstrumentedBuilder builder(clone->lookupSymbol<func::FuncOp>("main"),
                              cloneMap, layers);
  builder.build();
  quant_compiler::Progress progress("qnt-quant-report", data->size(),
                                    "samples");
  progress.note("compiling the model to measure " + Twine(layers.size()) +
                " layers on " + Twine(data->size()) + " samples");
  std::unique_ptr<PassJitModel> jit = PassJitModel::compile(
      std::move(clone), module, "qnt-quant-report", "quant_report_model");
  if (!jit)
    return failure();
  const quant_model_info *info = jit->info();
  auto f32 = [&](int64_t output) {
    return reinterpret_cast<const float *>(jit->outputs[output].data());
  };
  auto count = [&](int64_t output) {
    return jit->outputs[output].size() / sizeof(float);
  };
  for (size_t s = 0; s < data->size(); ++s) {
    llvm::Expected<std::vector<HostTensor>> sample = jit->runSample(*data, s);
    if (!sample) {
      fail(llvm::toString(sample.takeError()));
      return failure();
    }
    for (unsigned o = 0; o < builder.numModelOutputs; ++o)
      if (info->outputs[o].dtype == QUANT_DTYPE_FLOAT32)
        modelError.add(f32(o), f32(builder.quantizedModelOutputs[o]), count(o));
    for (ReportLayer &l : layers) {
      l.alone.add(f32(l.floatOut), f32(l.aloneOut), count(l.floatOut));
      l.cumulative.add(f32(l.floatOut), f32(l.cumulativeOut),
                       count(l.floatOut));
      l.cumulativeInput.add(f32(l.inputOut), f32(l.cumulativeInputOut),
                            count(l.inputOut));
      countGrid(l.inputGrid, f32(l.inputOut), count(l.inputOut), l.input);
      countGrid(l.outputGrid, f32(l.floatOut), count(l.floatOut), l.output);
    }
    progress.step(/*withRate=*/true);
  }
  samples = data->size();
  quant_release_scratch();
  return success();
}

FailureOr<bool> QntQuantReportPass::obtain(func::FuncOp main,
                                           std::vector<ReportLayer> &layers,
                                           ErrorSums &modelError,
                                           size_t &samples) {
  std::vector<std::string> key = floatLayerNames(main);
  if (const ReportMeasurement *m = known.find(key)) {
    bool matches = m->layers.size() == layers.size();
    for (size_t i = 0; matches && i < layers.size(); ++i)
      matches = m->layers[i].name == layers[i].name;
    if (!matches) {
      fail("the measurement of " + Twine(key.size()) +
           " float layer(s) reports other layers than this model has (" +
           Twine(m->layers.size()) + " and " + Twine(layers.size()) +
           "): it is of another model or recipe");
      return failure();
    }
    modelError = m->model;
    samples = m->samples;
    for (auto [l, measured] : llvm::zip(layers, m->layers)) {
      l.alone = measured.alone;
      l.cumulative = measured.cumulative;
      l.cumulativeInput = measured.cumulativeInput;
      l.inputGrid = measured.input;
      l.outputGrid = measured.output;
    }
    return true;
  }
  if (!pendingOut.empty()) {
    if (!llvm::is_contained(pending, key))
      pending.push_back(key);
    return false;
  }
  modelError = ErrorSums();
  if (failed(measure(layers, modelError, samples)))
    return failure();
  llvm::cantFail(
      known.add(toMeasurement(std::move(key), layers, modelError, samples)));
  return true;
}

LogicalResult QntQuantReportPass::writePending() {
  std::error_code ec;
  llvm::raw_fd_ostream out(pendingOut, ec);
  if (ec) {
    fail("cannot write " + pendingOut + ": " + ec.message());
    return failure();
  }
  writeReportPending(out, pending);
  return success();
}

LogicalResult QntQuantReportPass::markFloatLayers(func::FuncOp main) {
  Builder b(&getContext());
  llvm::DenseMap<Operation *, std::string> names = layerNames(main);
  for (const std::string &name : floatLayers) {
    bool found = false;
    for (auto &[op, opName] : names)
      if (opName == name) {
        op->setAttr(QntDialect::getWeightBitsAttrName(),
                    b.getI64IntegerAttr(32));
        found = true;
      }
    if (!found) {
      fail("float-layers: no layer named '" + name + "' to keep float");
      return failure();
    }
  }
  return success();
}

LogicalResult QntQuantReportPass::write(ArrayRef<ReportLayer> layers,
                                        const ErrorSums &modelError,
                                        size_t samples) {
  // By harm in context: the most noise added first (program order among
  // equals).
  SmallVector<size_t> order(layers.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  llvm::stable_sort(order, [&](size_t a, size_t b) {
    return layers[a].addedNoise() > layers[b].addedNoise();
  });
  std::string md;
  llvm::raw_string_ostream os(md);
  os << "# qnt-quant-report\n\n"
     << layers.size() << " int8 layers, " << samples
     << " samples; model outputs with every layer int8: SQNR "
     << formatDb(modelError.sqnrDb()) << " dB.\n\n"
     << "| harm | layer | op | noise added | SQNR alone dB | SQNR "
        "cumulative in dB | SQNR cumulative dB | input range | input clipped "
        "% | output range | output clipped % | output saturated | weight "
        "scales |\n"
     << "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  auto range = [](const Grid &g) {
    return llvm::formatv("[{0:g4}, {1:g4}]", g.min, g.max).str();
  };
  for (auto [rank, i] : llvm::enumerate(order)) {
    const ReportLayer &l = layers[i];
    os << "| " << rank + 1 << " | " << l.name << " | "
       << l.op->getName().getStringRef()
       << (l.fused ? " + " + l.fused->getName().getStringRef().str() : "")
       << " | " << llvm::formatv("{0:e2}", l.addedNoise()) << " | "
       << formatDb(l.alone.sqnrDb()) << " | "
       << formatDb(l.cumulativeInput.sqnrDb()) << " | "
       << formatDb(l.cumulative.sqnrDb()) << " | " << range(l.input) << " | "
       << llvm::formatv("{0:f3}", 100 * l.inputGrid.clippedFraction()) << " | "
       << range(l.output) << " | "
       << llvm::formatv("{0:f3}", 100 * l.outputGrid.clippedFraction()) << " | "
       << l.outputGrid.saturated << " | "
       << llvm::formatv("{0:g3} to {1:g3}", l.minWeightScale, l.maxWeightScale)
       << " |\n";
  }
  if (reportDir.empty()) {
    llvm::errs() << md;
    return success();
  }

  llvm::json::Array jsonLayers;
  for (auto [i, l] : llvm::enumerate(layers))
    jsonLayers.push_back(llvm::json::Object{
        {"index", static_cast<int64_t>(i)},
        {"name", l.name},
        {"op", l.op->getName().getStringRef()},
        {"fused", l.fused ? l.fused->getName().getStringRef().str() : ""},
        {"sqnr_alone_db", jsonDb(l.alone.sqnrDb())},
        {"sqnr_cumulative_db", jsonDb(l.cumulative.sqnrDb())},
        {"sqnr_cumulative_input_db", jsonDb(l.cumulativeInput.sqnrDb())},
        {"noise_added", std::isfinite(l.addedNoise())
                            ? llvm::json::Value(l.addedNoise())
                            : llvm::json::Value(nullptr)},
        {"input", gridJson(l.input, l.inputGrid)},
        {"output", gridJson(l.output, l.outputGrid)},
        {"weight_scale_min", l.minWeightScale},
        {"weight_scale_max", l.maxWeightScale},
        {"granularity", granularity == Granularity::PerChannel
                            ? "per-channel"
                            : "per-tensor"}});
  llvm::json::Value json =
      llvm::json::Object{{"samples", static_cast<int64_t>(samples)},
                         {"model_sqnr_db", jsonDb(modelError.sqnrDb())},
                         {"layers", std::move(jsonLayers)}};

  if (std::error_code ec = llvm::sys::fs::create_directories(reportDir)) {
    fail("cannot create " + reportDir + ": " + ec.message());
    return failure();
  }
  for (auto [file, text] :
       {std::pair<StringRef, std::string>{"report.md", md},
        {"report.json", llvm::formatv("{0:2}", json).str() + "\n"}}) {
    SmallString<256> path(reportDir);
    llvm::sys::path::append(path, file);
    std::error_code ec;
    llvm::raw_fd_ostream out(path, ec);
    if (ec) {
      fail(Twine("cannot write ") + path + ": " + ec.message());
      return failure();
    }
    out << text;
  }
  llvm::errs() << "qnt-quant-report: " << layers.size() << " layers, model "
               << "SQNR " << formatDb(modelError.sqnrDb()) << " dB; wrote "
               << reportDir << "/report.json and report.md\n";
  return success();
}

/// The candidates of one fallback step: the layers that add the most noise
/// in context and those with the lowest SQNR alone (two of each). The first
/// finds early layers whose error later float ops amplify, the second late
/// layers whose own error reaches the outputs unchanged; neither ranking
/// alone is right on every model, so each candidate is measured: the one
/// whose float version gives the best model SQNR is kept float.
FailureOr<Operation *>
QntQuantReportPass::chooseLayerToKeep(func::FuncOp main,
                                      ArrayRef<ReportLayer> layers,
                                      const ErrorSums &modelError) {
  bool perChannel = granularity == Granularity::PerChannel;
  SmallVector<const ReportLayer *> byContext, byAlone;
  for (const ReportLayer &l : layers) {
    byContext.push_back(&l);
    byAlone.push_back(&l);
  }
  llvm::stable_sort(byContext, [](const ReportLayer *a, const ReportLayer *b) {
    return a->addedNoise() > b->addedNoise();
  });
  llvm::stable_sort(byAlone, [](const ReportLayer *a, const ReportLayer *b) {
    return a->alone.sqnrDb() < b->alone.sqnrDb();
  });
  SmallVector<const ReportLayer *> candidates;
  for (size_t i = 0; i < 2; ++i)
    for (auto *ranking : {&byContext, &byAlone})
      if (i < ranking->size() && !llvm::is_contained(candidates, (*ranking)[i]))
        candidates.push_back((*ranking)[i]);

  Builder b(&getContext());
  const ReportLayer *best = nullptr;
  double bestDb = -std::numeric_limits<double>::infinity();
  StringRef bitsName = QntDialect::getWeightBitsAttrName();
  bool deferred = false;
  for (const ReportLayer *c : candidates) {
    Attribute previous = c->op->getAttr(bitsName);
    c->op->setAttr(bitsName, b.getI64IntegerAttr(32));
    std::vector<ReportLayer> rest = collectLayers(main, perChannel);
    ErrorSums error;
    size_t samples = 0;
    // With no layer left the model is the float one: exact.
    FailureOr<bool> measured =
        rest.empty() ? true : obtain(main, rest, error, samples);
    if (previous)
      c->op->setAttr(bitsName, previous);
    else
      c->op->removeAttr(bitsName);
    if (failed(measured))
      return failure();
    if (!*measured) {
      deferred = true;
      continue;
    }
    double db = error.sqnrDb();
    LLVM_DEBUG(llvm::dbgs() << "qnt-quant-report: with " << c->name
                            << " float: model SQNR " << formatDb(db) << "\n");
    if (!best || db > bestDb) {
      best = c;
      bestDb = db;
    }
  }
  if (deferred)
    return static_cast<Operation *>(nullptr);
  llvm::errs() << llvm::formatv(
      "qnt-quant-report: model SQNR {0} dB is below the target {1} dB: {2} "
      "stays float (model SQNR {3} dB without it, the best of {4} "
      "candidate(s); cumulative SQNR {5} -> {6} dB, noise added {7:e2}; SQNR "
      "alone {8} dB)\n",
      formatDb(modelError.sqnrDb()), formatDb(accuracyTarget), best->name,
      formatDb(bestDb), candidates.size(),
      formatDb(best->cumulativeInput.sqnrDb()),
      formatDb(best->cumulative.sqnrDb()), best->addedNoise(),
      formatDb(best->alone.sqnrDb()));
  return best->op;
}

void QntQuantReportPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (dataDir.empty())
    return fail("no samples: give data=DIR (a folder of .npy samples)");
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return fail("the module has no func.func @main");
  if (accuracyTarget < 0)
    return fail("accuracy-target=" + std::to_string(accuracyTarget) +
                " is negative (0: off)");
  if (!floatLayers.empty() && measurementOut.empty())
    return fail("float-layers says what one measurement keeps float: it "
                "needs measurement-out");
  if (!measurementOut.empty() && (!pendingOut.empty() || !measurements.empty()))
    return fail("measurement-out makes one measurement: it takes no "
                "measurements or pending-out");
  if (!measurements.empty()) {
    llvm::Expected<ReportMeasurements> read =
        ReportMeasurements::read(std::vector<std::string>(
            measurements.begin(), measurements.end()));
    if (!read)
      return fail(llvm::toString(read.takeError()));
    known = std::move(*read);
  }
  if (failed(markFloatLayers(main)))
    return;
  bool perChannel = granularity == Granularity::PerChannel;
  std::vector<ReportLayer> layers = collectLayers(main, perChannel);
  if (layers.empty())
    return fail("no layer to report: no conv/gemm/matmul with a constant "
                "weight and calibrated input and output ranges (run "
                "qnt-calibrate first)");
  ErrorSums modelError;
  size_t samples = 0;
  if (!measurementOut.empty()) {
    // One measurement of this shard of samples: the sums, nothing else.
    if (failed(measure(layers, modelError, samples)))
      return signalPassFailure();
    ReportMeasurements one;
    llvm::cantFail(one.add(
        toMeasurement(floatLayerNames(main), layers, modelError, samples)));
    std::error_code ec;
    llvm::raw_fd_ostream out(measurementOut, ec);
    if (ec)
      return fail("cannot write " + measurementOut + ": " + ec.message());
    one.write(out);
    numLayers = layers.size();
    return;
  }
  FailureOr<bool> measured = obtain(main, layers, modelError, samples);
  if (failed(measured))
    return signalPassFailure();
  if (!*measured) {
    (void)writePending();
    return;
  }
  // Accuracy-driven fallback: while the model misses the target, one layer
  // more stays float, and the rest is measured again.
  int64_t keptFloat = 0;
  while (accuracyTarget > 0 && modelError.sqnrDb() < accuracyTarget) {
    FailureOr<Operation *> keep = chooseLayerToKeep(main, layers, modelError);
    if (failed(keep))
      return signalPassFailure();
    if (!*keep) {
      (void)writePending();
      return;
    }
    (*keep)->setAttr(QntDialect::getWeightBitsAttrName(),
                     Builder(&getContext()).getI64IntegerAttr(32));
    ++keptFloat;
    ++numKeptFloat;
    layers = collectLayers(main, perChannel);
    if (layers.empty()) {
      // No int8 layer is left: the model is the float one.
      llvm::errs() << "qnt-quant-report: the target needs every reported "
                      "layer float ("
                   << keptFloat << " kept); no report is written\n";
      if (!pendingOut.empty())
        (void)writePending();
      return;
    }
    // The candidate kept was measured with it float: no new run.
    measured = obtain(main, layers, modelError, samples);
    if (failed(measured))
      return signalPassFailure();
    if (!*measured) {
      (void)writePending();
      return;
    }
  }
  if (accuracyTarget > 0)
    llvm::errs() << llvm::formatv(
        "qnt-quant-report: model SQNR {0} dB meets the target {1} dB with "
        "{2} layer(s) kept float\n",
        formatDb(modelError.sqnrDb()), formatDb(accuracyTarget), keptFloat);
  if (!pendingOut.empty()) {
    // Nothing is missing: the driver compiles with the measurements.
    (void)writePending();
    return;
  }
  if (failed(write(layers, modelError, samples)))
    return signalPassFailure();
  numLayers = layers.size();
}
