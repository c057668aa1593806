//===- CrossLayerEqualize.cpp - Cross-layer weight equalization -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias
// Correction" (ICCV 2019), section 4.1: a positive per-channel scale moves
// through a positively homogeneous activation, so channel i of one layer
// can be divided by s_i and the matching input channel of the next
// multiplied by it without changing the function. Choosing
// s_i = sqrt(r1_i / r2_i) gives both layers the range sqrt(r1_i * r2_i)
// in that channel, which is what per-tensor weight quantization wants.
// See the pass description (Passes.td) and docs/CrossLayerEqualization.md.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Debug.h"

#include <cmath>

#define DEBUG_TYPE "qnt-cross-layer-equalize"

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTCROSSLAYEREQUALIZE
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// A linear layer (conv, gemm, matmul) whose constant weights (and bias)
/// the pass may rescale.
struct Layer {
  Operation *op = nullptr;
  LinearLayer info;
  WeightLayout layout;
  SmallVector<double> weight, bias; // bias empty when the op has none
  bool weightChanged = false, biasChanged = false;
  /// What each output channel has been divided by in this run.
  SmallVector<double> outScale;

  Layer(Operation *op, const LinearLayer &info, ArrayRef<int64_t> shape)
      : op(op), info(info), layout(shape, info) {}

  int64_t outChannels() const { return layout.getNumOutputs(); }
  int64_t inChannels() const { return layout.getNumInputs(); }
  double outputRange(int64_t o) const {
    double r = 0.0;
    layout.forEachOfOutput(
        o, [&](int64_t k) { r = std::max(r, std::fabs(weight[k])); });
    return r;
  }
  double inputRange(int64_t i) const {
    double r = 0.0;
    layout.forEachOfInput(
        i, [&](int64_t k) { r = std::max(r, std::fabs(weight[k])); });
    return r;
  }
};

/// Reads `op` as a Layer if it is a linear layer on f32 with constant
/// weights and a constant per-output-channel bias (or none).
std::optional<Layer> readLayer(Operation *op) {
  std::optional<LinearLayer> info = getLinearLayer(op);
  if (!info)
    return std::nullopt;
  Value weight = op->getOperand(info->weightIndex);
  auto weightType = cast<RankedTensorType>(weight.getType());
  std::optional<SmallVector<float>> w = getConstantF32Values(weight);
  if (!w || !weightType.getElementType().isF32())
    return std::nullopt;
  Layer layer(op, *info, weightType.getShape());
  layer.weight.assign(w->begin(), w->end());
  layer.outScale.assign(layer.outChannels(), 1.0);
  if (info->biasIndex) {
    Value bias = op->getOperand(*info->biasIndex);
    auto biasType = cast<RankedTensorType>(bias.getType());
    std::optional<SmallVector<float>> b = getConstantF32Values(bias);
    // Only a bias of one value per output channel scales with it (a gemm's
    // C may broadcast otherwise).
    if (!b || static_cast<int64_t>(b->size()) != layer.outChannels() ||
        biasType.getDimSize(biasType.getRank() - 1) != layer.outChannels())
      return std::nullopt;
    layer.bias.assign(b->begin(), b->end());
  }
  return layer;
}

/// The op that reads `value` through single-use relu / max_pool ops, with
/// `value` (or the last of those) as its activation input, or null.
Operation *findConsumer(Value value) {
  while (true) {
    if (!value.hasOneUse())
      return nullptr;
    OpOperand &use = *value.getUses().begin();
    Operation *user = use.getOwner();
    if (isa<ReluOp, MaxPoolOp>(user)) {
      value = user->getResult(0);
      continue;
    }
    if (isa<LinearLayerOpInterface>(user) && use.getOperandNumber() == 0)
      return user;
    return nullptr;
  }
}

/// Whether the path from `value` to its consumer (single-use relu /
/// max_pool ops, as findConsumer walks it) has a relu.
bool pathHasRelu(Value value) {
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    if (isa<ReluOp>(user))
      return true;
    if (!isa<MaxPoolOp>(user))
      return false;
    value = user->getResult(0);
  }
  return false;
}

/// Drops the calibrated ranges on `value` and on the relu / max_pool ops
/// after it (high-bias absorption shifted them).
void dropRanges(Value value) {
  while (true) {
    if (Operation *def = value.getDefiningOp()) {
      def->removeAttr(QntDialect::getRangeAttrName());
      def->removeAttr(QntDialect::getChannelRangeAttrName());
    }
    if (!value.hasOneUse())
      return;
    Operation *user = *value.getUsers().begin();
    if (!isa<ReluOp, MaxPoolOp>(user))
      return;
    value = user->getResult(0);
  }
}

/// Replaces operand `index` of `layer.op` by the rescaled `values`.
void writeOperand(Layer &layer, unsigned index, ArrayRef<double> values,
                  StringRef suffix) {
  SmallVector<float> f32(values.begin(), values.end());
  replaceOperandWithF32Constant(layer.op, index, f32, suffix);
}

struct QntCrossLayerEqualizePass
    : qnt::impl::QntCrossLayerEqualizeBase<QntCrossLayerEqualizePass> {
  using Base::Base;

  void runOnOperation() override {
    llvm::MapVector<Operation *, Layer> layers;
    SmallVector<std::pair<Operation *, Operation *>> links;
    getOperation().walk([&](LinearLayerOpInterface op) {
      Operation *consumer = findConsumer(op->getResult(0));
      if (!consumer)
        return;
      auto get = [&](Operation *o) -> Layer * {
        auto it = layers.find(o);
        if (it != layers.end())
          return &it->second;
        std::optional<Layer> layer = readLayer(o);
        if (!layer)
          return nullptr;
        return &layers.insert({o, std::move(*layer)}).first->second;
      };
      // `get` may grow `layers`: read P's channels before looking up Q.
      Layer *p = get(op);
      if (!p)
        return;
      int64_t channels = p->outChannels();
      Layer *q = get(consumer);
      if (!q || channels != q->inChannels())
        return;
      links.emplace_back(op, consumer);
    });
    if (links.empty())
      return;
    numLinks = links.size();

    int64_t sweeps = 0;
    for (; sweeps < maxIterations;) {
      ++sweeps;
      double largest = 0.0;
      for (auto [pOp, qOp] : links) {
        Layer &p = layers.find(pOp)->second;
        Layer &q = layers.find(qOp)->second;
        for (int64_t c = 0; c < p.outChannels(); ++c) {
          double r1 = p.outputRange(c), r2 = q.inputRange(c);
          if (!(r1 > 0.0) || !(r2 > 0.0) || !std::isfinite(r1 / r2))
            continue;
          double s = std::sqrt(r1 / r2);
          if (s == 1.0)
            continue;
          p.layout.forEachOfOutput(c, [&](int64_t k) { p.weight[k] /= s; });
          p.outScale[c] *= s;
          if (!p.bias.empty()) {
            p.bias[c] /= s;
            p.biasChanged = true;
          }
          q.layout.forEachOfInput(c, [&](int64_t k) { q.weight[k] *= s; });
          p.weightChanged = q.weightChanged = true;
          largest = std::max(largest, std::fabs(s - 1.0));
        }
      }
      LLVM_DEBUG(llvm::dbgs() << DEBUG_TYPE << ": sweep " << sweeps
                              << ": largest |s - 1| " << largest << "\n");
      if (largest <= tolerance)
        break;
    }
    numSweeps = sweeps;

    // High-bias absorption on relu links with per-channel statistics.
    for (auto [pOp, qOp] : links) {
      if (!absorbHighBias)
        break;
      Layer &p = layers.find(pOp)->second;
      Layer &q = layers.find(qOp)->second;
      ChannelRangeAttr stats = getValueChannelRange(pOp->getResult(0));
      auto conv = dyn_cast<ConvOp>(qOp);
      bool padded =
          conv && llvm::any_of(conv.getPads(), [](int64_t v) { return v; });
      if (!stats || p.bias.empty() || q.bias.empty() || padded ||
          !pathHasRelu(pOp->getResult(0)) ||
          static_cast<int64_t>(stats.getMin().size()) != p.outChannels() ||
          stats.getAxis() != p.info.resultChannelAxis)
        continue;
      bool moved = false;
      for (int64_t c = 0; c < p.outChannels(); ++c) {
        // The statistics describe the model before this run's rescaling.
        double floor = std::max(0.0, double(stats.getMin()[c]) / p.outScale[c]);
        if (!(floor > 0.0) || !std::isfinite(floor))
          continue;
        p.bias[c] -= floor;
        q.layout.forEachOfInput(c, [&](int64_t k) {
          q.bias[q.layout.outputOf(k)] += q.weight[k] * floor;
        });
        ++numAbsorbed;
        moved = true;
      }
      if (moved) {
        p.biasChanged = q.biasChanged = true;
        dropRanges(pOp->getResult(0));
      }
    }

    for (auto &[op, layer] : layers) {
      if (layer.weightChanged)
        writeOperand(layer, layer.info.weightIndex, layer.weight,
                     ".cle.weight");
      if (layer.biasChanged)
        writeOperand(layer, *layer.info.biasIndex, layer.bias, ".cle.bias");
    }
  }
};

} // namespace
