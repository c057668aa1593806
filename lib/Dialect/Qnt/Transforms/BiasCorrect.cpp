//===- BiasCorrect.cpp - Fold weight quantization's mean error into bias --===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-bias-correct: see the pass description (Passes.td) and
// docs/BiasCorrection.md.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Quantization/QuantMath.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <functional>

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTBIASCORRECT
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// How a layer's weights map to output channels and input channels.
struct WeightLayout {
  int64_t outChannels = 0;
  /// Element i belongs to output channel (i / inner) % outChannels.
  int64_t inner = 1;
  /// The input channel weight element i reads.
  std::function<int64_t(int64_t)> inputChannel;
  std::function<int64_t(int64_t)> outputChannel;
};

std::optional<WeightLayout> layoutOf(Operation *op) {
  WeightLayout l;
  if (auto conv = dyn_cast<ConvOp>(op)) {
    auto w = conv.getWeight().getType();
    if (conv.getGroup() != 1 || conv.getInput().getType().getRank() != 4 ||
        w.getRank() != 4)
      return std::nullopt;
    int64_t taps = w.getDimSize(2) * w.getDimSize(3);
    int64_t perOut = w.getDimSize(1) * taps;
    l.outChannels = w.getDimSize(0);
    l.inner = perOut;
    l.inputChannel = [=](int64_t i) { return i % perOut / taps; };
    l.outputChannel = [=](int64_t i) { return i / perOut; };
    return l;
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    auto w = cast<RankedTensorType>(gemm.getB().getType());
    if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
        gemm.getBeta().convertToDouble() != 1.0 || w.getRank() != 2)
      return std::nullopt;
    int64_t rows = w.getDimSize(0), cols = w.getDimSize(1);
    if (gemm.getTransB()) { // [N, K]
      l.outChannels = rows;
      l.inner = cols;
      l.inputChannel = [=](int64_t i) { return i % cols; };
      l.outputChannel = [=](int64_t i) { return i / cols; };
    } else { // [K, N]
      l.outChannels = cols;
      l.inner = 1;
      l.inputChannel = [=](int64_t i) { return i / cols; };
      l.outputChannel = [=](int64_t i) { return i % cols; };
    }
    return l;
  }
  return std::nullopt;
}

struct QntBiasCorrectPass
    : qnt::impl::QntBiasCorrectBase<QntBiasCorrectPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (granularity != "per-channel" && granularity != "per-tensor") {
      func.emitError("qnt-bias-correct: granularity=")
          << granularity << " is not per-channel or per-tensor";
      return signalPassFailure();
    }
    bool perChannel = granularity == "per-channel";
    func.walk([&](Operation *op) {
      std::optional<WeightLayout> layout = layoutOf(op);
      // Only layers qnt-quantize will make int8: calibrated input and
      // result, not kept float by name.
      if (!layout || op->getNumOperands() < 3 ||
          !getValueRange(op->getOperand(0)) ||
          !getValueRange(op->getResult(0)) ||
          locationNames(op->getLoc(), keepFloat))
        return;
      std::optional<SmallVector<float>> weights =
          getConstantF32Values(op->getOperand(1));
      Value biasValue = op->getOperand(2);
      auto biasType = cast<RankedTensorType>(biasValue.getType());
      std::optional<SmallVector<float>> bias = getConstantF32Values(biasValue);
      ChannelRangeAttr stats = getValueChannelRange(op->getOperand(0));
      auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
      if (!weights || !bias || biasType.getRank() != 1 ||
          biasType.getDimSize(0) != layout->outChannels || !stats ||
          !stats.getMean() || stats.getAxis() != 1 ||
          stats.getMean().size() != inType.getDimSize(1))
        return;

      // W_q as qnt-quantize will store it: per output channel (the conv's
      // axis 0 with the rest inner, or a gemm's N).
      SymmetricWeights q = quantizeSymmetricWeights(
          weights->data(), weights->size(), layout->outChannels,
          layout->inner, perChannel, /*minScale=*/0.0);
      ArrayRef<float> mean = stats.getMean().asArrayRef();
      SmallVector<double> shift(layout->outChannels, 0.0);
      for (size_t i = 0; i < weights->size(); ++i) {
        int64_t f = layout->outputChannel(i);
        double dequantized = q.values[i] * q.scales[f];
        shift[f] += (dequantized - (*weights)[i]) *
                    mean[layout->inputChannel(i)];
      }
      SmallVector<float> corrected(*bias);
      bool changed = false;
      for (int64_t f = 0; f < layout->outChannels; ++f) {
        corrected[f] = static_cast<float>((*bias)[f] - shift[f]);
        changed |= corrected[f] != (*bias)[f];
      }
      if (!changed)
        return;
      replaceOperandWithF32Constant(op, 2, corrected, ".bc.bias");
      ++numCorrected;
    });
  }
};

} // namespace
