//===- Gptq.cpp - GPTQ rounding of the weights to quantize ----------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-gptq: the float model runs once over the samples with every target
// layer's input as an extra result (LayerInputs.h); each layer's input
// patches are folded into H = E[x x^T]; quant/Quantization/Gptq.h chooses
// the integer values; the float weights become those grid values and the
// scales go into qnt.weight_scales, which qnt-quantize keeps.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Passes.h"

#include "LayerInputs.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Quantization/Gptq.h"
#include "quant/Support/Progress.h"

#include "mlir/IR/Threading.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTGPTQ
#include "quant/Calibration/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// A layer needs at least features / kMinRowsFraction input rows.
constexpr int64_t kMinRowsFraction = 16;

struct QntGptqPass : public qnt::impl::QntGptqBase<QntGptqPass> {
  using QntGptqBase::QntGptqBase;
  void runOnOperation() override;

private:
  void fail(const Twine &message) {
    emitError(getOperation().getLoc(), "qnt-gptq: ") << message;
    signalPassFailure();
  }
  LogicalResult round(LayerInputs &layer);
};

} // namespace

LogicalResult QntGptqPass::round(LayerInputs &l) {
  const int64_t f = l.patches.features;
  // With fewer input rows than features H is rank-deficient and only the
  // dampening constrains the directions the samples do not span: GPTQ then
  // partly fits the samples. Below 1/16 of the features that is most of
  // H: an error; up to the feature count, a warning.
  StringRef unit = l.patches.conv ? "patches" : "rows";
  if (l.count * kMinRowsFraction < f) {
    fail(l.name() + " has " + Twine(f) + " input features but the samples " +
         "gave only " + Twine(l.count) + " input " + unit + ": GPTQ needs at " +
         "least 1/" + Twine(kMinRowsFraction) + " as many (more samples, or " +
         "samples=0 for all)");
    return failure();
  }
  if (l.count < f)
    llvm::errs() << "qnt-gptq: warning: " << l.name() << " has " << f
                 << " input features and only " << l.count << " input " << unit
                 << ": its input moment is rank-deficient, so GPTQ "
                 << "may fit the samples (more samples help)\n";
  WeightRows w =
      getWeightRows(l, granularity == Granularity::PerChannel, groupSize);
  std::vector<double> hessian = l.secondMoment(/*centered=*/false);
  GptqLayer layer;
  layer.rows = w.rows;
  layer.features = f;
  layer.weights = w.weights.data();
  layer.scales = w.scales.data();
  layer.qmax = w.qmax;
  layer.hessian = hessian.data();
  GptqOptions options;
  options.dampening = dampening;
  options.actOrder = actOrder;
  // Rows in blocks of 8, one block per task.
  MLIRContext *context = &getContext();
  auto parallel = [&](int64_t n, std::function<void(int64_t, int64_t)> body) {
    constexpr int64_t kRows = 8;
    parallelFor(context, 0, (n + kRows - 1) / kRows, [&](size_t b) {
      int64_t begin = static_cast<int64_t>(b) * kRows;
      body(begin, std::min(n, begin + kRows));
    });
  };
  std::optional<std::vector<int32_t>> q = gptq(layer, options, parallel);
  if (!q) {
    fail(l.name() + ": the dampened input moment is not positive definite " +
         "(non-finite inputs?)");
    return failure();
  }
  double before = gptqOutputError(layer, gptqRoundToNearest(layer));
  double after = gptqOutputError(layer, *q);

  SmallVector<float> rounded(w.weights.size());
  for (size_t i = 0; i < rounded.size(); ++i)
    rounded[w.index[i]] = static_cast<float>(w.scales[i] * (*q)[i]);
  replaceOperandWithF32Constant(l.op, l.anchor.weightIndex, rounded,
                                ".gptq.weight");
  SmallVector<float> scales(w.scaleList.begin(), w.scaleList.end());
  l.op->setAttr(QntDialect::getWeightScalesAttrName(),
                DenseF32ArrayAttr::get(context, scales));
  llvm::errs() << "qnt-gptq: " << l.name() << " int" << l.bits
               << ": output error " << llvm::format("%.4g", before) << " -> "
               << llvm::format("%.4g", after) << " ("
               << llvm::format("%.1f",
                               before > 0 ? 100.0 * after / before : 100.0)
               << "%)\n";
  ++numLayers;
  return success();
}

void QntGptqPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (dataDir.empty())
    return fail("no calibration data: give data=DIR (a folder of .npy "
                "samples)");
  if (weightBits != 4 && weightBits != 8)
    return fail("weight-bits=" + Twine(unsigned(weightBits)) +
                " is not 4 or 8");
  if (!(dampening > 0.0) || !std::isfinite(dampening.getValue()))
    return fail("dampening must be positive");
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return fail("no func.func @main");
  std::vector<LayerInputs> layers =
      collectWeightLayers(main, weightBits, keepFloat);
  if (layers.empty())
    return;
  if (failed(gatherLayerInputs(module, main, "qnt-gptq", dataDir, maxSamples,
                               layers)))
    return signalPassFailure();
  quant_compiler::Progress progress("qnt-gptq", layers.size(), "layers");
  for (LayerInputs &l : layers) {
    if (failed(round(l)))
      return;
    progress.step();
  }
}
