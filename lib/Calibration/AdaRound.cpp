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

#include "LayerInputs.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"
#include "quant/Quantization/AdaRound.h"
#include "quant/Quantization/QuantMath.h"
#include "quant/Support/Progress.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
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

struct QntAdaRoundPass : public qnt::impl::QntAdaRoundBase<QntAdaRoundPass> {
  using QntAdaRoundBase::QntAdaRoundBase;
  void runOnOperation() override;

private:
  void fail(const Twine &message) {
    emitError(getOperation().getLoc(), "qnt-adaround: ") << message;
    signalPassFailure();
  }
  void round(LayerInputs &layer);
};

} // namespace

void QntAdaRoundPass::round(LayerInputs &l) {
  const int64_t f = l.patches.features;
  WeightRows weightRows =
      getWeightRows(l, granularity == Granularity::PerChannel, groupSize);
  const int64_t rows = weightRows.rows;
  const int32_t qmax = weightRows.qmax;
  const std::vector<int64_t> &index = weightRows.index;
  const std::vector<float> &w = weightRows.weights;
  const std::vector<double> &s = weightRows.scales;

  // H = E[x x^T] (or the covariance when the bias absorbs the mean).
  std::vector<double> mean = l.mean();
  bool correctBias =
      biasCorrection && l.anchor.biasIndex &&
      getConstantF32Values(l.op->getOperand(*l.anchor.biasIndex));
  std::vector<double> moment = l.secondMoment(correctBias);
  double trace = 0.0;
  for (int64_t i = 0; i < f; ++i)
    trace += moment[i * f + i];
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
  SmallVector<float> rounded(w.size());
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
  llvm::errs() << "qnt-adaround: " << l.name() << " int" << l.bits
               << ": output error " << llvm::format("%.4g", before) << " -> "
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
  std::vector<LayerInputs> layers =
      collectWeightLayers(main, weightBits, keepFloat);
  if (layers.empty())
    return;
  if (failed(gatherLayerInputs(module, main, "qnt-adaround", dataDir,
                               maxSamples, layers)))
    return signalPassFailure();
  quant_compiler::Progress progress("qnt-adaround", layers.size(), "layers");
  for (LayerInputs &l : layers) {
    round(l);
    progress.step();
  }
}
