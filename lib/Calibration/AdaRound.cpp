//===- AdaRound.cpp - Learned rounding of the weights to quantize ---------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-adaround: the float model runs once over the samples with every
// target layer's input as an extra result; each layer's input patches are
// folded into H = E[x x^T]; quant/Quantization/AdaRound.h chooses the
// rounding; the float weights become the chosen grid values, which
// qnt-quantize then stores unchanged (see the pass description).
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Passes.h"

#include "quant/Calibration/CalibrationData.h"
#include "quant/Calibration/PassJit.h"
#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/AdaRound.h"
#include "quant/Quantization/QuantMath.h"
#include "quant/Support/Progress.h"

#include "quant_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Threading.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTADAROUND
#include "quant/Calibration/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// The dampening added to H's diagonal, relative to its mean.
constexpr double kDampening = 0.01;

/// How a layer's input tensor becomes rows of `features` values (the
/// vectors its weight rows are multiplied with).
struct PatchShape {
  SmallVector<int64_t> input;
  int64_t features = 0;
  // Conv (NCHW, one group): kernel, strides, pads (top, left), dilations,
  // output size.
  bool conv = false;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  int64_t oh = 1, ow = 1;
  // Gemm with trans_a: the input is [K, M].
  bool transposed = false;

  int64_t numPatches() const {
    if (conv)
      return input[0] * oh * ow;
    return transposed ? input[1] : input[0];
  }

  /// Writes patch `p` of `data` to `out` (`features` values).
  void patch(const float *data, int64_t p, float *out) const {
    if (!conv) {
      if (!transposed) {
        std::copy(data + p * features, data + (p + 1) * features, out);
        return;
      }
      int64_t m = input[1];
      for (int64_t k = 0; k < features; ++k)
        out[k] = data[k * m + p];
      return;
    }
    int64_t channels = input[1], height = input[2], width = input[3];
    int64_t n = p / (oh * ow), oy = p / ow % oh, ox = p % ow;
    const float *image = data + n * channels * height * width;
    int64_t f = 0;
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx, ++f) {
          int64_t y = oy * sh - ph + ky * dh, x = ox * sw - pw + kx * dw;
          out[f] = (y >= 0 && y < height && x >= 0 && x < width)
                       ? image[(c * height + y) * width + x]
                       : 0.0f;
        }
  }
};

/// A layer the pass rounds, and what it gathers about its input.
struct Layer {
  Operation *op;
  LinearLayer anchor;
  unsigned bits = 8;
  PatchShape patches;
  int64_t sampleInput = -1;   // the input is @main's argument #i
  int64_t output = -1;        // else the instrumented model's result #o
  std::vector<double> moment; // features x features, upper triangle
  std::vector<double> sum;    // features
  int64_t count = 0;

  /// Adds every patch of one input tensor to the sums.
  void accumulate(const float *data, MLIRContext *context);
};

void Layer::accumulate(const float *data, MLIRContext *context) {
  const int64_t f = patches.features, total = patches.numPatches();
  constexpr int64_t kChunk = 2048;
  std::vector<float> chunk;
  for (int64_t p0 = 0; p0 < total; p0 += kChunk) {
    int64_t n = std::min(kChunk, total - p0);
    chunk.resize(n * f);
    for (int64_t p = 0; p < n; ++p)
      patches.patch(data, p0 + p, chunk.data() + p * f);
    // Row i of the upper triangle: sum over patches of x_i x_j, j >= i;
    // rows are independent, so they run in parallel.
    parallelFor(context, 0, f, [&](size_t i) {
      std::vector<float> acc(f - i, 0.0f);
      float s = 0.0f;
      for (int64_t p = 0; p < n; ++p) {
        const float *x = chunk.data() + p * f;
        float a = x[i];
        s += a;
        if (a == 0.0f)
          continue;
        for (int64_t j = i; j < f; ++j)
          acc[j - i] += a * x[j];
      }
      for (int64_t j = i; j < f; ++j)
        moment[i * f + j] += acc[j - i];
      sum[i] += s;
    });
    count += n;
  }
}

/// The patch shape of `op`'s input, or nullopt for a form the pass does not
/// take.
std::optional<PatchShape> patchShapeOf(Operation *op) {
  auto inputType = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!inputType || !inputType.hasStaticShape())
    return std::nullopt;
  PatchShape shape;
  shape.input.assign(inputType.getShape().begin(), inputType.getShape().end());
  if (auto conv = dyn_cast<ConvOp>(op)) {
    auto weight = cast<RankedTensorType>(conv.getWeight().getType());
    auto result = cast<RankedTensorType>(conv.getType());
    if (shape.input.size() != 4 || conv.getStrides().size() != 2 ||
        conv.getPads().size() != 4 || conv.getDilations().size() != 2)
      return std::nullopt;
    shape.conv = true;
    shape.kh = weight.getDimSize(2);
    shape.kw = weight.getDimSize(3);
    shape.sh = conv.getStrides()[0];
    shape.sw = conv.getStrides()[1];
    shape.ph = conv.getPads()[0];
    shape.pw = conv.getPads()[1];
    shape.dh = conv.getDilations()[0];
    shape.dw = conv.getDilations()[1];
    shape.oh = result.getDimSize(2);
    shape.ow = result.getDimSize(3);
    shape.features = shape.input[1] * shape.kh * shape.kw;
    return shape;
  }
  if (shape.input.size() != 2)
    return std::nullopt;
  if (auto gemm = dyn_cast<GemmOp>(op))
    shape.transposed = gemm.getTransA();
  shape.features = shape.transposed ? shape.input[0] : shape.input[1];
  return shape;
}

struct QntAdaRoundPass : public qnt::impl::QntAdaRoundBase<QntAdaRoundPass> {
  using QntAdaRoundBase::QntAdaRoundBase;
  void runOnOperation() override;

private:
  void fail(const Twine &message) {
    emitError(getOperation().getLoc(), "qnt-adaround: ") << message;
    signalPassFailure();
  }
  std::vector<Layer> collectLayers(func::FuncOp main);
  LogicalResult gather(func::FuncOp main, std::vector<Layer> &layers);
  void round(Layer &layer);
};

} // namespace

std::vector<Layer> QntAdaRoundPass::collectLayers(func::FuncOp main) {
  std::vector<Layer> layers;
  main.walk([&](Operation *op) {
    std::optional<LinearLayer> anchor = getQuantizableLayer(op);
    if (!anchor || locationNames(op->getLoc(), keepFloat))
      return;
    unsigned bits = weightBits;
    if (auto chosen =
            op->getAttrOfType<IntegerAttr>(QntDialect::getWeightBitsAttrName()))
      bits = chosen.getInt();
    if (bits != 4 && bits != 8)
      return;
    // What qnt-quantize needs to quantize the layer at all.
    auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!getValueRange(op->getOperand(0)) || !resultType ||
        !resultType.getElementType().isF32() ||
        (bits == 8 && !getValueRange(op->getResult(0))) ||
        !getConstantF32Values(op->getOperand(anchor->weightIndex)))
      return;
    std::optional<PatchShape> patches = patchShapeOf(op);
    if (!patches)
      return;
    Layer layer;
    layer.op = op;
    layer.anchor = *anchor;
    layer.bits = bits;
    layer.patches = *patches;
    layers.push_back(std::move(layer));
  });
  return layers;
}

LogicalResult QntAdaRoundPass::gather(func::FuncOp main,
                                      std::vector<Layer> &layers) {
  ModuleOp module = getOperation();
  FailureOr<CalibrationData> data =
      openSamples(main, module, "qnt-adaround", dataDir, maxSamples);
  if (failed(data))
    return failure();

  // The clone returns each layer input that is not an argument (once).
  IRMapping mapping;
  OwningOpRef<ModuleOp> clone = cast<ModuleOp>(module->clone(mapping));
  auto cloneMain = clone->lookupSymbol<func::FuncOp>("main");
  auto ret = cast<func::ReturnOp>(cloneMain.getBody().front().getTerminator());
  DenseMap<Value, int64_t> outputOf;
  SmallVector<Value> results(ret.getOperands());
  for (Layer &l : layers) {
    Value input = l.op->getOperand(0);
    if (auto arg = dyn_cast<BlockArgument>(input)) {
      l.sampleInput = arg.getArgNumber();
      continue;
    }
    auto [it, inserted] = outputOf.try_emplace(input, results.size());
    if (inserted)
      results.push_back(mapping.lookup(input));
    l.output = it->second;
  }
  ret->setOperands(results);
  cloneMain.setType(FunctionType::get(
      &getContext(), cloneMain.getArgumentTypes(), ret.getOperandTypes()));
  quant_compiler::Progress progress("qnt-adaround", data->size(), "samples");
  progress.note("compiling the model to collect " + Twine(layers.size()) +
                " layers' inputs on " + Twine(data->size()) + " samples");
  std::unique_ptr<PassJitModel> jit = PassJitModel::compile(
      std::move(clone), module, "qnt-adaround", "quant_adaround_model");
  if (!jit)
    return failure();

  for (Layer &l : layers) {
    int64_t f = l.patches.features;
    l.moment.assign(f * f, 0.0);
    l.sum.assign(f, 0.0);
  }
  for (size_t s = 0; s < data->size(); ++s) {
    llvm::Expected<std::vector<HostTensor>> sample = jit->runSample(*data, s);
    if (!sample) {
      fail(llvm::toString(sample.takeError()));
      return failure();
    }
    for (Layer &l : layers) {
      const void *input = l.sampleInput >= 0
                              ? (*sample)[l.sampleInput].data.data()
                              : jit->outputs[l.output].data();
      l.accumulate(static_cast<const float *>(input), &getContext());
    }
    progress.step(/*withRate=*/true);
  }
  quant_release_scratch();
  return success();
}

/// The scale of every element of `weight` (its layout) as qnt-quantize
/// will choose it, and the grid's qmax.
static std::vector<double> weightScales(const Layer &l, ArrayRef<float> values,
                                        bool perChannel, int64_t groupSize,
                                        int32_t &qmax) {
  auto type =
      cast<RankedTensorType>(l.op->getOperand(l.anchor.weightIndex).getType());
  WeightLayout layout(type.getShape(), l.anchor);
  std::vector<double> scales(values.size());
  if (l.bits == 4) {
    SmallVector<int8_t> unused;
    GroupedI4Weight w = quantizeGroupedI4(
        type, l.anchor.outAxis, l.anchor.inAxis, groupSize, values, unused);
    for (size_t k = 0; k < values.size(); ++k)
      scales[k] = w.scales[layout.outputOf(k) * w.groups +
                           layout.inputOf(k) / w.groupSize];
    qmax = 7;
    return scales;
  }
  SymmetricWeights w = quantizeSymmetricWeights(
      values.data(), values.size(), layout.getNumOutputs(),
      layout.getOutputStride(), perChannel, 0.0);
  for (size_t k = 0; k < values.size(); ++k)
    scales[k] = w.scales[layout.outputOf(k)];
  qmax = 127;
  return scales;
}

void QntAdaRoundPass::round(Layer &l) {
  const int64_t f = l.patches.features;
  Value weight = l.op->getOperand(l.anchor.weightIndex);
  SmallVector<float> values = *getConstantF32Values(weight);
  auto type = cast<RankedTensorType>(weight.getType());
  WeightLayout layout(type.getShape(), l.anchor);
  const int64_t rows = layout.getNumOutputs();
  int32_t qmax = 127;
  std::vector<double> scales = weightScales(
      l, values, granularity == Granularity::PerChannel, groupSize, qmax);

  // Rows in feature order: a row's elements, in increasing index, are its
  // input channels then kernel taps, the order of the patches.
  std::vector<int64_t> index(values.size());
  std::vector<float> w(values.size());
  std::vector<double> s(values.size());
  for (int64_t o = 0; o < rows; ++o) {
    int64_t j = 0;
    layout.forEachOfOutput(o, [&](int64_t k) {
      index[o * f + j] = k;
      w[o * f + j] = values[k];
      s[o * f + j] = scales[k];
      ++j;
    });
    assert(j == f && "a weight row per patch");
  }

  // H = E[x x^T] (or the covariance when the bias absorbs the mean).
  std::vector<double> mean(f);
  for (int64_t i = 0; i < f; ++i)
    mean[i] = l.count ? l.sum[i] / l.count : 0.0;
  bool correctBias =
      biasCorrection && l.anchor.biasIndex &&
      getConstantF32Values(l.op->getOperand(*l.anchor.biasIndex));
  std::vector<double> moment(f * f);
  double trace = 0.0;
  for (int64_t i = 0; i < f; ++i)
    for (int64_t j = i; j < f; ++j) {
      double h = l.count ? l.moment[i * f + j] / l.count : 0.0;
      if (correctBias)
        h -= mean[i] * mean[j];
      moment[i * f + j] = moment[j * f + i] = h;
      if (i == j)
        trace += h;
    }
  // Dampening, as GPTQ's: 1% of the mean diagonal added to it. With fewer
  // patches than features H is singular and the rounding would fit the
  // samples exactly; the dampening keeps some of each weight's own error.
  // The errors printed are on the undampened H: the layer's output error on
  // the samples.
  std::vector<float> hessian(f * f), plain(f * f);
  for (int64_t i = 0; i < f; ++i)
    for (int64_t j = 0; j < f; ++j) {
      plain[i * f + j] = static_cast<float>(moment[i * f + j]);
      hessian[i * f + j] = static_cast<float>(
          moment[i * f + j] + (i == j ? kDampening * trace / f : 0.0));
    }

  AdaRoundOptions options;
  options.iterations = iterations;
  options.regularization = regularization;
  options.learningRate = learningRate;
  // Row blocks are independent; each is optimized on one thread.
  constexpr int64_t kRowsPerBlock = 8;
  int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  std::vector<int32_t> q(w.size()), nearest(w.size());
  std::vector<double> nearestError(blocks), adaError(blocks);
  parallelFor(&getContext(), 0, blocks, [&](size_t b) {
    AdaRoundRows block;
    int64_t r0 = b * kRowsPerBlock;
    block.rows = std::min(kRowsPerBlock, rows - r0);
    block.features = f;
    block.weights = w.data() + r0 * f;
    block.scales = s.data() + r0 * f;
    block.qmax = qmax;
    block.hessian = hessian.data();
    std::vector<int32_t> chosen = adaRound(block, options);
    std::vector<int32_t> near = roundToNearest(block);
    block.hessian = plain.data();
    nearestError[b] = reconstructionError(block, near);
    adaError[b] = reconstructionError(block, chosen);
    std::copy(chosen.begin(), chosen.end(), q.begin() + r0 * f);
    std::copy(near.begin(), near.end(), nearest.begin() + r0 * f);
  });

  int64_t moved = 0;
  SmallVector<float> rounded(values.size());
  for (size_t i = 0; i < w.size(); ++i) {
    rounded[index[i]] = static_cast<float>(s[i] * q[i]);
    moved += q[i] != nearest[i];
  }
  if (correctBias) {
    unsigned b = *l.anchor.biasIndex;
    SmallVector<float> bias = *getConstantF32Values(l.op->getOperand(b));
    for (int64_t o = 0; o < rows; ++o) {
      double shift = 0.0;
      for (int64_t i = 0; i < f; ++i)
        shift += (s[o * f + i] * q[o * f + i] - w[o * f + i]) * mean[i];
      bias[o] = static_cast<float>(bias[o] - shift);
    }
    replaceOperandWithF32Constant(l.op, b, bias, ".adaround.bias");
  }
  replaceOperandWithF32Constant(l.op, l.anchor.weightIndex, rounded,
                                ".adaround.weight");
  double before = 0, after = 0;
  for (int64_t b = 0; b < blocks; ++b) {
    before += nearestError[b];
    after += adaError[b];
  }
  llvm::errs() << "qnt-adaround: "
               << derivedBlobName(l.op, "", l.op->getName().getStringRef())
               << " int" << l.bits << ": output error "
               << llvm::format("%.4g", before) << " -> "
               << llvm::format("%.4g", after) << " ("
               << llvm::format("%.1f",
                               before > 0 ? 100.0 * after / before : 100.0)
               << "%), " << moved << " of " << w.size()
               << " weights rounded the other way\n";
  ++numLayers;
  numMoved += moved;
}

void QntAdaRoundPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (dataDir.empty())
    return fail("no calibration data: give data=DIR (a folder of .npy "
                "samples)");
  if (weightBits != 4 && weightBits != 8)
    return fail("weight-bits=" + Twine(unsigned(weightBits)) +
                " is not 4 or 8");
  if (iterations < 0 || !(regularization >= 0) || !(learningRate > 0))
    return fail("iterations, regularization and learning-rate must be "
                "non-negative (learning-rate positive)");
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return fail("no func.func @main");
  std::vector<Layer> layers = collectLayers(main);
  if (layers.empty())
    return;
  if (failed(gather(main, layers)))
    return signalPassFailure();
  quant_compiler::Progress progress("qnt-adaround", layers.size(), "layers");
  for (Layer &l : layers) {
    round(l);
    progress.step();
  }
}
