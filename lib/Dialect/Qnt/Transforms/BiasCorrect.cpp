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
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "qnt-bias-correct"

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTBIASCORRECT
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

struct QntBiasCorrectPass : qnt::impl::QntBiasCorrectBase<QntBiasCorrectPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    bool perChannel = granularity == Granularity::PerChannel;
    func.walk([&](Operation *op) {
      std::optional<LinearLayer> layer = getQuantizableLayer(op);
      // Only layers qnt-quantize will make int8: calibrated input and
      // result, not kept float by name.
      if (!layer || !layer->biasIndex || !getValueRange(op->getOperand(0)) ||
          !getValueRange(op->getResult(0)) ||
          locationNames(op->getLoc(), keepFloat))
        return;
      Value weightValue = op->getOperand(layer->weightIndex);
      std::optional<SmallVector<float>> weights =
          getConstantF32Values(weightValue);
      WeightLayout layout(
          cast<RankedTensorType>(weightValue.getType()).getShape(), *layer);
      Value biasValue = op->getOperand(*layer->biasIndex);
      auto biasType = cast<RankedTensorType>(biasValue.getType());
      std::optional<SmallVector<float>> bias = getConstantF32Values(biasValue);
      ChannelRangeAttr stats = getValueChannelRange(op->getOperand(0));
      auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
      if (!weights || !bias || biasType.getRank() != 1 ||
          biasType.getDimSize(0) != layout.getNumOutputs() || !stats ||
          !stats.getMean() || stats.getAxis() != layer->resultChannelAxis ||
          stats.getMean().size() != inType.getDimSize(layer->resultChannelAxis))
        return;

      // W_q as qnt-quantize will store it: per output channel.
      SymmetricWeights q = quantizeSymmetricWeights(
          weights->data(), weights->size(), layout.getNumOutputs(),
          layout.getOutputStride(), perChannel, /*minScale=*/0.0);
      ArrayRef<float> mean = stats.getMean().asArrayRef();
      SmallVector<double> shift(layout.getNumOutputs(), 0.0);
      for (size_t i = 0; i < weights->size(); ++i) {
        int64_t f = layout.outputOf(i);
        double dequantized = q.values[i] * q.scales[f];
        shift[f] += (dequantized - (*weights)[i]) * mean[layout.inputOf(i)];
      }
      SmallVector<float> corrected(*bias);
      bool changed = false;
      for (int64_t f = 0; f < layout.getNumOutputs(); ++f) {
        corrected[f] = static_cast<float>((*bias)[f] - shift[f]);
        changed |= corrected[f] != (*bias)[f];
      }
      if (!changed)
        return;
      replaceOperandWithF32Constant(op, *layer->biasIndex, corrected,
                                    ".bc.bias");
      LLVM_DEBUG({
        double largest = 0.0;
        for (double d : shift)
          largest = std::max(largest, std::fabs(d));
        llvm::dbgs() << DEBUG_TYPE << ": " << op->getLoc()
                     << ": largest bias shift " << largest << "\n";
      });
      ++numCorrected;
    });
  }
};

} // namespace
