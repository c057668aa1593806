//===- AllocateBits.cpp - Mixed-precision weights under a budget ----------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-allocate-bits: measure each layer's output error at every candidate
// weight precision (one JIT-compiled float model whose weights are extra
// arguments, run on the calibration samples), then choose a precision per
// layer that fits a budget (see the pass description in Passes.td and
// docs/MixedPrecision.md).
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Passes.h"

#include "quant/Calibration/CalibrationData.h"
#include "quant/Calibration/PassJit.h"
#include "quant/Compiler/ModelCompiler.h"
#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/BitAllocation.h"
#include "quant/Quantization/QuantMath.h"
#include "quant/Support/Progress.h"

#include "quant_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTALLOCATEBITS
#include "quant/Calibration/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// One layer the pass allocates, with what each candidate costs.
struct Layer {
  Operation *op;
  std::string name;
  RankedTensorType weightType;
  int64_t weights = 0;
  /// Per candidate (the pass's `candidates` order): the weights as the
  /// model sees them (dequantized), the stored bytes, the output error
  /// (noise / signal) measured with only this layer changed.
  std::vector<std::vector<float>> values;
  std::vector<int64_t> bytes;
  std::vector<double> error;
};

/// The stored bytes of a layer's weights at `bits`.
int64_t storedBytes(const Layer &l, int64_t bits, int64_t groups,
                    int64_t channels, bool perChannel) {
  if (bits == 32)
    return 4 * l.weights;
  if (bits == 8)
    return l.weights + 4 * (perChannel ? channels : 1);
  // Two output channels per byte: ceil(O / 2) * (weights per channel).
  int64_t perChannelWeights = l.weights / channels;
  return (channels + 1) / 2 * perChannelWeights + 4 * channels * groups;
}

double toDb(double error) {
  return error <= 0 ? std::numeric_limits<double>::infinity()
                    : -10.0 * std::log10(error);
}

std::string formatDb(double db) {
  if (std::isinf(db))
    return "exact";
  return llvm::formatv("{0:f1}", db).str();
}

/// The weights of a layer as the model sees them at `bits` (dequantized),
/// and how many scale groups each output channel has.
std::vector<float> candidateWeights(const Layer &l, const LinearLayer &q,
                                    ArrayRef<float> values, int64_t bits,
                                    int64_t groupSize, bool perChannel,
                                    int64_t &groups) {
  std::vector<float> v(values.begin(), values.end());
  groups = 1;
  ArrayRef<int64_t> shape = l.weightType.getShape();
  int64_t channels = shape[q.outAxis];
  int64_t inner = 1;
  for (int64_t d = q.outAxis + 1; d < l.weightType.getRank(); ++d)
    inner *= shape[d];
  if (bits == 4) {
    SmallVector<int8_t> q4;
    GroupedI4Weight w = quantizeGroupedI4(l.weightType, q.outAxis, q.inAxis,
                                          groupSize, values, q4);
    groups = w.groups;
    SmallVector<float> real = dequantizeGroupedI4(l.weightType, w, q4);
    v.assign(real.begin(), real.end());
  } else if (bits == 8) {
    SymmetricWeights q8 = quantizeSymmetricWeights(
        values.data(), values.size(), channels, inner, perChannel, 0.0);
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = static_cast<float>(
          q8.values[i] * q8.scales[static_cast<int64_t>(i) / inner % channels]);
  }
  return v;
}

/// The layers qnt-quantize would quantize, each with its candidates'
/// weights and bytes.
std::vector<Layer> collectLayers(func::FuncOp main, ArrayRef<int64_t> bitsList,
                                 int64_t groupSize, bool perChannel) {
  std::vector<Layer> layers;
  main.walk([&](Operation *op) {
    std::optional<LinearLayer> q = getQuantizableLayer(op);
    // A depthwise conv has no int4 form; qnt-quantize makes it int8.
    if (!q || q->depthwise || !getValueRange(op->getOperand(0)))
      return;
    Value weight = op->getOperand(q->weightIndex);
    std::optional<SmallVector<float>> values = getConstantF32Values(weight);
    if (!values)
      return;
    Layer l;
    l.op = op;
    l.name = derivedBlobName(op, "", op->getName().getStringRef());
    l.weightType = cast<RankedTensorType>(weight.getType());
    l.weights = values->size();
    int64_t channels = l.weightType.getShape()[q->outAxis];
    for (int64_t bits : bitsList) {
      int64_t groups = 1;
      l.values.push_back(candidateWeights(l, *q, *values, bits, groupSize,
                                          perChannel, groups));
      l.bytes.push_back(storedBytes(l, bits, groups, channels, perChannel));
    }
    layers.push_back(std::move(l));
  });
  return layers;
}

/// A clone of `module` whose layer weights are extra @main arguments
/// (named quant.weightN), after its `numInputs` inputs.
OwningOpRef<ModuleOp> cloneWithWeightArguments(ModuleOp module,
                                               ArrayRef<Layer> layers,
                                               size_t numInputs) {
  MLIRContext *context = module.getContext();
  IRMapping mapping;
  OwningOpRef<ModuleOp> clone = cast<ModuleOp>(module->clone(mapping));
  auto cloneMain = clone->lookupSymbol<func::FuncOp>("main");
  Block &entry = cloneMain.getBody().front();
  for (const Layer &l : layers) {
    Operation *op = mapping.lookup(l.op);
    BlockArgument arg = entry.addArgument(l.weightType, op->getLoc());
    op->setOperand(getQuantizableLayer(op)->weightIndex, arg);
  }
  cloneMain.setType(FunctionType::get(context, entry.getArgumentTypes(),
                                      cloneMain.getResultTypes()));
  for (size_t i = 0; i < layers.size(); ++i)
    cloneMain.setArgAttr(
        numInputs + i, "onnx.name",
        StringAttr::get(context, "quant.weight" + std::to_string(i)));
  return clone;
}

/// The JIT model of cloneWithWeightArguments run over the samples: the
/// float outputs once, then the output error with one layer's weights
/// replaced by a candidate's.
class SensitivityRuns {
public:
  SensitivityRuns(PassJitModel &jit, const CalibrationData &data,
                  ArrayRef<std::vector<HostTensor>> samples, size_t numInputs,
                  ArrayRef<Layer> layers)
      : jit(jit), data(data), samples(samples), numInputs(numInputs),
        pointers(numInputs + layers.size()), bytes(numInputs + layers.size()) {
    // Weights start as the float ones.
    for (const Layer &l : layers) {
      std::optional<SmallVector<float>> v = getConstantF32Values(
          l.op->getOperand(getQuantizableLayer(l.op)->weightIndex));
      floatWeights.emplace_back(v->begin(), v->end());
    }
    for (size_t i = 0; i < layers.size(); ++i)
      setWeights(i, floatWeights[i]);
  }

  /// Runs the float model; an error message, or "" when it worked.
  std::string measureReference() {
    const quant_model_info *info = jit.info();
    reference.assign(samples.size(),
                     std::vector<std::vector<float>>(info->num_outputs));
    signal = 0.0;
    std::string problem =
        runAll([&](size_t s, uint32_t o, const float *d, size_t n) {
          reference[s][o].assign(d, d + n);
          for (size_t i = 0; i < n; ++i)
            signal += static_cast<double>(d[i]) * d[i];
        });
    if (problem.empty() && !(signal > 0))
      problem = "the model's f32 outputs are all zero on the samples: no "
                "error can be measured against them";
    return problem;
  }

  /// The output noise / signal with layer `layer`'s weights `weights`
  /// (then back to float); nullopt after setting `problem`.
  std::optional<double> relativeError(size_t layer, ArrayRef<float> weights,
                                      std::string &problem) {
    setWeights(layer, weights);
    double noise = 0.0;
    problem = runAll([&](size_t s, uint32_t o, const float *d, size_t n) {
      const std::vector<float> &ref = reference[s][o];
      for (size_t k = 0; k < n; ++k) {
        double e = static_cast<double>(d[k]) - ref[k];
        noise += e * e;
      }
    });
    setWeights(layer, floatWeights[layer]);
    if (!problem.empty())
      return std::nullopt;
    return noise / signal;
  }

private:
  void setWeights(size_t layer, ArrayRef<float> weights) {
    pointers[numInputs + layer] = weights.data();
    bytes[numInputs + layer] = weights.size() * sizeof(float);
  }

  /// Runs every sample; `visit(sample, output, data, count)` sees each f32
  /// output. An error message, or "".
  template <typename Visit>
  std::string runAll(Visit visit) {
    const quant_model_info *info = jit.info();
    for (size_t s = 0; s < samples.size(); ++s) {
      for (size_t i = 0; i < numInputs; ++i) {
        pointers[i] = samples[s][i].data.data();
        bytes[i] = samples[s][i].data.size();
      }
      int status = jit.run(pointers.data(), bytes.data());
      if (status != QUANT_OK)
        return ("running sample " + data.getSampleName(s) +
                " failed: " + quant_status_string(status))
            .str();
      for (uint32_t o = 0; o < info->num_outputs; ++o)
        if (info->outputs[o].dtype == QUANT_DTYPE_FLOAT32)
          visit(s, o, reinterpret_cast<const float *>(jit.outputs[o].data()),
                jit.outputs[o].size() / sizeof(float));
    }
    return "";
  }

  PassJitModel &jit;
  const CalibrationData &data;
  ArrayRef<std::vector<HostTensor>> samples;
  size_t numInputs;
  std::vector<const void *> pointers;
  std::vector<size_t> bytes;
  std::vector<std::vector<float>> floatWeights;
  std::vector<std::vector<std::vector<float>>> reference;
  double signal = 0.0;
};

struct QntAllocateBitsPass
    : public qnt::impl::QntAllocateBitsBase<QntAllocateBitsPass> {
  using QntAllocateBitsBase::QntAllocateBitsBase;
  void runOnOperation() override;

private:
  void fail(const Twine &message) {
    emitError(getOperation().getLoc(), "qnt-allocate-bits: ") << message;
    signalPassFailure();
  }
  /// The sorted, checked candidate bit widths; empty after failing.
  SmallVector<int64_t> candidateBits();
  /// @main's inputs as the samples must give them; nullopt after failing.
  std::optional<SmallVector<CalibrationInput>> sampleInputs(func::FuncOp main);
  /// Measures every layer's error at every candidate; failure after
  /// failing.
  LogicalResult measure(std::vector<Layer> &layers, ArrayRef<int64_t> bitsList,
                        ArrayRef<size_t> which);
  /// The chosen candidate index per layer; nullopt after failing.
  std::optional<std::vector<size_t>> choose(ArrayRef<Layer> layers,
                                            ArrayRef<int64_t> bitsList);
  /// Writes qnt.weight_bits and prints the table.
  void record(ArrayRef<Layer> layers, ArrayRef<int64_t> bitsList,
              ArrayRef<size_t> chosen);
  /// Writes the measured layers' errors to `tableOut`.
  LogicalResult writeTable(ArrayRef<Layer> layers, ArrayRef<int64_t> bitsList,
                           ArrayRef<size_t> measured);
  /// Fills every layer's errors from `tables`; failure after failing.
  LogicalResult readTables(std::vector<Layer> &layers,
                           ArrayRef<int64_t> bitsList);
  /// The samples measure() ran.
  size_t numSamples = 0;
};

} // namespace

SmallVector<int64_t> QntAllocateBitsPass::candidateBits() {
  SmallVector<int64_t> bitsList(candidates.begin(), candidates.end());
  if (bitsList.empty())
    bitsList = {4, 8, 32};
  llvm::sort(bitsList);
  bitsList.erase(std::unique(bitsList.begin(), bitsList.end()), bitsList.end());
  for (int64_t bits : bitsList)
    if (bits != 4 && bits != 8 && bits != 32) {
      fail("candidate " + Twine(bits) + " is not 4, 8 or 32");
      return {};
    }
  return bitsList;
}

std::optional<SmallVector<CalibrationInput>>
QntAllocateBitsPass::sampleInputs(func::FuncOp main) {
  SmallVector<CalibrationInput> inputs;
  for (auto [i, arg] : llvm::enumerate(main.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32()) {
      emitError(main.getLoc(), "qnt-allocate-bits: @main argument #")
          << i << " has type " << arg.getType()
          << "; the sensitivity runs feed static f32 tensors";
      signalPassFailure();
      return std::nullopt;
    }
    auto name = main.getArgAttrOfType<StringAttr>(i, "onnx.name");
    inputs.push_back({name ? name.str() : "input" + std::to_string(i),
                      ElementKind::F32, SmallVector<int64_t>(type.getShape())});
  }
  return inputs;
}

LogicalResult QntAllocateBitsPass::measure(std::vector<Layer> &layers,
                                           ArrayRef<int64_t> bitsList,
                                           ArrayRef<size_t> which) {
  ModuleOp module = getOperation();
  auto main = module.lookupSymbol<func::FuncOp>("main");
  std::optional<SmallVector<CalibrationInput>> inputs = sampleInputs(main);
  if (!inputs)
    return failure();
  llvm::Expected<CalibrationData> data =
      CalibrationData::open(dataDir, *inputs, maxSamples);
  if (!data) {
    fail(llvm::toString(data.takeError()));
    return failure();
  }
  std::vector<std::vector<HostTensor>> samples;
  for (size_t s = 0; s < data->size(); ++s) {
    llvm::Expected<std::vector<HostTensor>> sample = data->load(s);
    if (!sample) {
      fail(llvm::toString(sample.takeError()));
      return failure();
    }
    samples.push_back(std::move(*sample));
  }
  numSamples = samples.size();

  quant_compiler::Progress progress("qnt-allocate-bits",
                                    which.size() * bitsList.size(), "runs");
  progress.note("compiling the model to measure " + Twine(which.size()) +
                " layers on " + Twine(samples.size()) + " samples");
  std::unique_ptr<PassJitModel> jit = PassJitModel::compile(
      cloneWithWeightArguments(module, layers, inputs->size()), module,
      "qnt-allocate-bits", "quant_allocation_model");
  if (!jit) {
    signalPassFailure();
    return failure();
  }
  SensitivityRuns runs(*jit, *data, samples, inputs->size(), layers);
  std::string problem = runs.measureReference();
  for (size_t i : which) {
    Layer &l = layers[i];
    for (auto [c, bits] : llvm::enumerate(bitsList)) {
      if (!problem.empty())
        break;
      if (bits == 32) {
        l.error.push_back(0.0);
        continue;
      }
      if (std::optional<double> e = runs.relativeError(i, l.values[c], problem))
        l.error.push_back(*e);
      progress.step();
    }
  }
  quant_release_scratch();
  if (!problem.empty()) {
    fail(problem);
    return failure();
  }
  return success();
}

std::optional<std::vector<size_t>>
QntAllocateBitsPass::choose(ArrayRef<Layer> layers,
                            ArrayRef<int64_t> bitsList) {
  // The least predicted error (the sum of the layers' errors) that fits.
  bool bitsBudget = weightBitsBudget > 0;
  int64_t totalWeights = 0;
  for (const Layer &l : layers)
    totalWeights += l.weights;
  double budget = bitsBudget ? weightBitsBudget * totalWeights
                             : static_cast<double>(sizeBudget);
  std::vector<AllocationChoices> choices;
  double minimum = 0.0;
  for (const Layer &l : layers) {
    AllocationChoices c;
    for (auto [k, bits] : llvm::enumerate(bitsList))
      c.costs.push_back(bitsBudget ? bits * l.weights : l.bytes[k]);
    c.errors = l.error;
    minimum += c.costs[0];
    choices.push_back(std::move(c));
  }
  std::optional<std::vector<size_t>> allocation =
      allocatePrecisions(choices, budget);
  if (allocation)
    return allocation;
  if (bitsBudget)
    fail(llvm::formatv("weight-bits-budget={0} is below the "
                       "smallest allocation ({1:f2} bits per "
                       "weight, every layer at {2} bits)",
                       weightBitsBudget.getValue(), minimum / totalWeights,
                       bitsList[0])
             .str());
  else
    fail(llvm::formatv("size-budget={0} is below the smallest "
                       "allocation ({1} bytes, every layer at {2} "
                       "bits)",
                       sizeBudget.getValue(), static_cast<int64_t>(minimum),
                       bitsList[0])
             .str());
  return std::nullopt;
}

void QntAllocateBitsPass::record(ArrayRef<Layer> layers,
                                 ArrayRef<int64_t> bitsList,
                                 ArrayRef<size_t> chosen) {
  Builder b(&getContext());
  int64_t totalWeights = 0;
  for (const Layer &l : layers)
    totalWeights += l.weights;
  llvm::raw_ostream &os = llvm::errs();
  os << "qnt-allocate-bits: " << layers.size() << " layers, " << totalWeights
     << " weights, " << numSamples << " samples; "
     << (weightBitsBudget > 0
             ? llvm::formatv("budget {0} bits per weight",
                             weightBitsBudget.getValue())
                   .str()
             : llvm::formatv("budget {0} bytes", sizeBudget.getValue()).str())
     << "\n";
  os << "| layer | weights |";
  for (int64_t bits : bitsList)
    if (bits != 32)
      os << " SQNR int" << bits << " dB |";
  os << " bits | bytes |\n|---|---|";
  for (int64_t bits : bitsList)
    if (bits != 32)
      os << "---|";
  os << "---|---|\n";
  double error = 0.0, bits = 0.0;
  int64_t bytes = 0;
  for (auto [i, l] : llvm::enumerate(layers)) {
    int64_t chosenBits = bitsList[chosen[i]];
    l.op->setAttr(QntDialect::getWeightBitsAttrName(),
                  b.getI64IntegerAttr(chosenBits));
    os << "| " << l.name << " | " << l.weights << " |";
    for (auto [c, cand] : llvm::enumerate(bitsList))
      if (cand != 32)
        os << " " << formatDb(toDb(l.error[c])) << " |";
    os << " " << chosenBits << " | " << l.bytes[chosen[i]] << " |\n";
    error += l.error[chosen[i]];
    bits += static_cast<double>(chosenBits) * l.weights;
    bytes += l.bytes[chosen[i]];
    ++numLayers;
  }
  os << llvm::formatv("qnt-allocate-bits: {0:f2} bits per weight, {1} bytes "
                      "of weights, predicted output SQNR {2} dB\n",
                      bits / totalWeights, bytes, formatDb(toDb(error)));
}

LogicalResult QntAllocateBitsPass::writeTable(ArrayRef<Layer> layers,
                                              ArrayRef<int64_t> bitsList,
                                              ArrayRef<size_t> measured) {
  std::string error;
  auto out = openOutputFile(tableOut, &error);
  if (!out) {
    fail(error);
    return failure();
  }
  llvm::json::OStream j(out->os());
  j.object([&] {
    j.attribute("format", "quant-sensitivity-table");
    j.attribute("version", 1);
    j.attributeArray("candidates", [&] {
      for (int64_t bits : bitsList)
        j.value(bits);
    });
    j.attribute("samples", static_cast<int64_t>(numSamples));
    j.attributeArray("layers", [&] {
      for (size_t i : measured)
        j.object([&] {
          j.attribute("index", static_cast<int64_t>(i));
          j.attribute("name", layers[i].name);
          j.attribute("weights", layers[i].weights);
          j.attributeArray("error", [&] {
            for (double e : layers[i].error)
              j.value(e);
          });
        });
    });
  });
  out->os() << "\n";
  out->keep();
  return success();
}

LogicalResult QntAllocateBitsPass::readTables(std::vector<Layer> &layers,
                                              ArrayRef<int64_t> bitsList) {
  std::optional<int64_t> samples;
  std::vector<bool> seen(layers.size(), false);
  for (const std::string &path : tables) {
    auto problem = [&](const Twine &why) {
      fail(path + ": " + why);
      return failure();
    };
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!buffer)
      return problem("cannot read: " + buffer.getError().message());
    llvm::Expected<llvm::json::Value> parsed =
        llvm::json::parse((*buffer)->getBuffer());
    if (!parsed)
      return problem("not JSON: " + llvm::toString(parsed.takeError()));
    const llvm::json::Object *root = parsed->getAsObject();
    if (!root || root->getString("format") != "quant-sensitivity-table" ||
        root->getInteger("version") != 1)
      return problem("not a quant sensitivity table (format "
                     "\"quant-sensitivity-table\", version 1)");
    const llvm::json::Array *candidatesOf = root->getArray("candidates");
    SmallVector<int64_t> theirs;
    for (const llvm::json::Value &v :
         candidatesOf ? *candidatesOf : llvm::json::Array())
      theirs.push_back(v.getAsInteger().value_or(-1));
    if (theirs != SmallVector<int64_t>(bitsList))
      return problem("measured other candidates than this run's");
    std::optional<int64_t> n = root->getInteger("samples");
    const llvm::json::Array *rows = root->getArray("layers");
    if (!rows || !n)
      return problem("needs 'samples' and a 'layers' array");
    // A shard with no layer (more shards than layers) measured nothing.
    if (!rows->empty()) {
      if (samples && *n != *samples)
        return problem("its sample count differs from the other tables'");
      samples = n;
    }
    for (const llvm::json::Value &row : *rows) {
      const llvm::json::Object *o = row.getAsObject();
      std::optional<int64_t> index = o ? o->getInteger("index") : std::nullopt;
      std::optional<llvm::StringRef> name =
          o ? o->getString("name") : std::nullopt;
      const llvm::json::Array *errors = o ? o->getArray("error") : nullptr;
      if (!index || !name || !errors)
        return problem("a layer needs 'index', 'name' and 'error'");
      if (*index < 0 || *index >= static_cast<int64_t>(layers.size()))
        return problem("layer " + Twine(*index) + " does not exist here (" +
                       Twine(layers.size()) + " layers)");
      Layer &l = layers[*index];
      if (*name != l.name)
        return problem("layer " + Twine(*index) + " is '" + *name +
                       "' there and '" + l.name + "' here");
      if (seen[*index])
        return problem("layer " + Twine(*index) + " ('" + l.name +
                       "') is measured twice");
      if (errors->size() != bitsList.size())
        return problem("layer " + Twine(*index) + " has " +
                       Twine(errors->size()) + " errors for " +
                       Twine(bitsList.size()) + " candidates");
      for (const llvm::json::Value &e : *errors) {
        std::optional<double> d = e.getAsNumber();
        if (!d || !(*d >= 0) || !std::isfinite(*d))
          return problem("layer " + Twine(*index) +
                         ": an error is not a finite number >= 0");
        l.error.push_back(*d);
      }
      seen[*index] = true;
    }
  }
  for (size_t i = 0; i < layers.size(); ++i)
    if (!seen[i]) {
      fail("no table measured layer " + Twine(i) + " ('" + layers[i].name +
           "')");
      return failure();
    }
  numSamples = *samples;
  return success();
}

void QntAllocateBitsPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (dataDir.empty() && tables.empty())
    return fail("no calibration data: give data=DIR (a folder of .npy "
                "samples), or tables= to allocate from measured tables");
  if ((weightBitsBudget > 0) == (sizeBudget > 0))
    return fail("give exactly one budget: weight-bits-budget=B (average "
                "bits per weight) or size-budget=BYTES");
  SmallVector<int64_t> bitsList = candidateBits();
  if (bitsList.empty())
    return;
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return fail("the module has no func.func @main");

  std::vector<Layer> layers = collectLayers(
      main, bitsList, groupSize, granularity == Granularity::PerChannel);
  if (layers.empty())
    return fail("no layer to allocate: no conv/gemm/matmul with a constant "
                "weight and a calibrated input (run qnt-calibrate first)");
  if (!tables.empty()) {
    if (!measureLayers.empty() || !measureShard.empty())
      return fail("give tables= (allocate from measured tables) or "
                  "measure-layers=/measure-shard= (measure a shard), not "
                  "both");
    if (failed(readTables(layers, bitsList)))
      return;
  } else {
    SmallVector<size_t> which;
    bool shard = !measureLayers.empty() || !measureShard.empty();
    if (!measureShard.empty()) {
      if (measureShard.size() != 2 || measureShard[1] < 1 ||
          measureShard[0] < 0 || measureShard[0] >= measureShard[1] ||
          !measureLayers.empty())
        return fail("measure-shard is K,N with 0 <= K < N (and no "
                    "measure-layers)");
      for (size_t i = measureShard[0]; i < layers.size(); i += measureShard[1])
        which.push_back(i);
    }
    for (int64_t i : measureLayers) {
      if (i < 0 || i >= static_cast<int64_t>(layers.size()))
        return fail("measure-layers: layer " + Twine(i) + " does not exist (" +
                    Twine(layers.size()) + " layers, from 0)");
      which.push_back(i);
    }
    llvm::sort(which);
    which.erase(std::unique(which.begin(), which.end()), which.end());
    if (!shard)
      for (size_t i = 0; i < layers.size(); ++i)
        which.push_back(i);
    else if (tableOut.empty())
      return fail("measure-layers and measure-shard measure a shard of the "
                  "sweep: give table-out=FILE for its table");
    if (!which.empty() && failed(measure(layers, bitsList, which)))
      return;
    if (!tableOut.empty() && failed(writeTable(layers, bitsList, which)))
      return;
    if (shard)
      return; // A shard: the merging run allocates.
  }
  std::optional<std::vector<size_t>> chosen = choose(layers, bitsList);
  if (!chosen)
    return;
  record(layers, bitsList, *chosen);
}
