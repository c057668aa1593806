//===- LayerInputs.cpp - Second moments of the inputs of weight layers ----===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "LayerInputs.h"

#include "quant/Calibration/CalibrationData.h"
#include "quant/Calibration/PassJit.h"
#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/QuantMath.h"
#include "quant/Support/Progress.h"

#include "quant_runtime.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Threading.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir;
using namespace mlir::qnt;

void PatchShape::patch(const float *data, int64_t p, float *out) const {
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

std::optional<PatchShape> mlir::qnt::patchShapeOf(Operation *op) {
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

void LayerInputs::accumulate(const float *data, MLIRContext *context) {
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
      float s = 0.0f, sa = 0.0f;
      for (int64_t p = 0; p < n; ++p) {
        const float *x = chunk.data() + p * f;
        float a = x[i];
        s += a;
        sa += std::fabs(a);
        if (a == 0.0f)
          continue;
        for (int64_t j = i; j < f; ++j)
          acc[j - i] += a * x[j];
      }
      for (int64_t j = i; j < f; ++j)
        moment[i * f + j] += acc[j - i];
      sum[i] += s;
      absSum[i] += sa;
    });
    count += n;
  }
}

std::vector<double> LayerInputs::mean() const {
  std::vector<double> m(patches.features);
  for (size_t i = 0; i < m.size(); ++i)
    m[i] = count ? sum[i] / count : 0.0;
  return m;
}

std::vector<double> LayerInputs::meanAbs() const {
  std::vector<double> m(patches.features);
  for (size_t i = 0; i < m.size(); ++i)
    m[i] = count ? absSum[i] / count : 0.0;
  return m;
}

std::vector<double> LayerInputs::secondMoment(bool centered) const {
  const int64_t f = patches.features;
  std::vector<double> m = mean(), h(f * f);
  for (int64_t i = 0; i < f; ++i)
    for (int64_t j = i; j < f; ++j) {
      double v = count ? moment[i * f + j] / count : 0.0;
      if (centered)
        v -= m[i] * m[j];
      h[i * f + j] = h[j * f + i] = v;
    }
  return h;
}

std::string LayerInputs::name() const {
  return derivedBlobName(op, "", op->getName().getStringRef());
}

std::vector<LayerInputs>
mlir::qnt::collectWeightLayers(func::FuncOp main, unsigned weightBits,
                               ArrayRef<std::string> keepFloat) {
  std::vector<LayerInputs> layers;
  main.walk([&](Operation *op) {
    std::optional<LinearLayer> anchor = getQuantizableLayer(op);
    // A depthwise conv's channels each read their own input channel, so
    // one H over all patches is not its rows' moment: nearest rounding.
    if (!anchor || anchor->depthwise || locationNames(op->getLoc(), keepFloat))
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
    LayerInputs layer;
    layer.op = op;
    layer.anchor = *anchor;
    layer.bits = bits;
    layer.patches = *patches;
    layers.push_back(std::move(layer));
  });
  return layers;
}

LogicalResult mlir::qnt::gatherLayerInputs(ModuleOp module, func::FuncOp main,
                                           StringRef passName,
                                           StringRef dataDir,
                                           unsigned maxSamples,
                                           std::vector<LayerInputs> &layers) {
  FailureOr<CalibrationData> data =
      openSamples(main, module, passName, dataDir, maxSamples);
  if (failed(data))
    return failure();

  // The clone returns each layer input that is not an argument (once).
  IRMapping mapping;
  OwningOpRef<ModuleOp> clone = cast<ModuleOp>(module->clone(mapping));
  auto cloneMain = clone->lookupSymbol<func::FuncOp>("main");
  auto ret = cast<func::ReturnOp>(cloneMain.getBody().front().getTerminator());
  DenseMap<Value, int64_t> outputOf;
  SmallVector<Value> results(ret.getOperands());
  for (LayerInputs &l : layers) {
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
  cloneMain.setType(FunctionType::get(module.getContext(),
                                      cloneMain.getArgumentTypes(),
                                      ret.getOperandTypes()));
  quant_compiler::Progress progress(passName, data->size(), "samples");
  progress.note("compiling the model to collect " + Twine(layers.size()) +
                " layers' inputs on " + Twine(data->size()) + " samples");
  std::string symbol = ("quant_" + passName + "_model").str();
  std::replace(symbol.begin(), symbol.end(), '-', '_');
  std::unique_ptr<PassJitModel> jit =
      PassJitModel::compile(std::move(clone), module, passName, symbol);
  if (!jit)
    return failure();

  for (LayerInputs &l : layers) {
    int64_t f = l.patches.features;
    l.moment.assign(f * f, 0.0);
    l.sum.assign(f, 0.0);
    l.absSum.assign(f, 0.0);
    l.count = 0;
  }
  for (size_t s = 0; s < data->size(); ++s) {
    llvm::Expected<std::vector<HostTensor>> sample = jit->runSample(*data, s);
    if (!sample)
      return emitError(module.getLoc(), passName + ": ")
             << llvm::toString(sample.takeError());
    for (LayerInputs &l : layers) {
      const void *input = l.sampleInput >= 0
                              ? (*sample)[l.sampleInput].data.data()
                              : jit->outputs[l.output].data();
      l.accumulate(static_cast<const float *>(input), module.getContext());
    }
    progress.step(/*withRate=*/true);
  }
  quant_release_scratch();
  return success();
}

WeightRows mlir::qnt::getWeightRows(const LayerInputs &l, bool perChannel,
                                    int64_t groupSize) {
  Value weight = l.op->getOperand(l.anchor.weightIndex);
  SmallVector<float> values = *getConstantF32Values(weight);
  auto type = cast<RankedTensorType>(weight.getType());
  WeightLayout layout(type.getShape(), l.anchor);

  // The scale of every element as qnt-quantize will choose it.
  std::vector<double> scales(values.size());
  WeightRows rows;
  if (l.bits == 4) {
    SmallVector<int8_t> unused;
    GroupedI4Weight w = quantizeGroupedI4(
        type, l.anchor.outAxis, l.anchor.inAxis, groupSize, values, unused);
    for (size_t k = 0; k < values.size(); ++k)
      scales[k] = w.scales[layout.outputOf(k) * w.groups +
                           layout.inputOf(k) / w.groupSize];
    rows.qmax = 7;
    rows.scaleList.assign(w.scales.begin(), w.scales.end());
  } else {
    SymmetricWeights w = quantizeSymmetricWeights(
        values.data(), values.size(), layout.getNumOutputs(),
        layout.getOutputStride(), perChannel, 0.0);
    for (size_t k = 0; k < values.size(); ++k)
      scales[k] = w.scales[layout.outputOf(k)];
    rows.qmax = 127;
    if (perChannel)
      rows.scaleList = w.scales;
    else
      rows.scaleList = {w.scales.empty() ? 1.0 : w.scales[0]};
  }

  // Rows in feature order: a row's elements, in increasing index, are its
  // input channels then kernel taps, the order of the patches.
  const int64_t f = l.patches.features;
  rows.rows = layout.getNumOutputs();
  rows.features = f;
  rows.index.resize(values.size());
  rows.weights.resize(values.size());
  rows.scales.resize(values.size());
  for (int64_t o = 0; o < rows.rows; ++o) {
    int64_t j = 0;
    layout.forEachOfOutput(o, [&](int64_t k) {
      rows.index[o * f + j] = k;
      rows.weights[o * f + j] = values[k];
      rows.scales[o * f + j] = scales[k];
      ++j;
    });
    assert(j == f && "a weight row per patch");
  }
  return rows;
}
