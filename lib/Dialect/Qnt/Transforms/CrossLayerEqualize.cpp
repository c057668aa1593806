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

#include <cmath>

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTCROSSLAYEREQUALIZE
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// A conv or gemm whose constant weights (and bias) the pass may rescale,
/// with the index maps of its output and input channels.
struct Layer {
  Operation *op = nullptr;
  unsigned weightOperand = 1, biasOperand = 2;
  RankedTensorType weightType;
  SmallVector<double> weight, bias; // bias empty when the op has none
  int64_t outChannels = 0, inChannels = 0;
  bool weightChanged = false, biasChanged = false;
  /// What each output channel has been divided by in this run.
  SmallVector<double> outScale;

  /// Calls fn(index) for each weight element of output channel `o`.
  template <typename Fn> void forOutput(int64_t o, Fn fn) const;
  /// Calls fn(index) for each weight element that reads input channel `i`.
  template <typename Fn> void forInput(int64_t i, Fn fn) const;
  /// The output channel weight element `k` belongs to.
  int64_t outputOf(int64_t k) const {
    if (auto gemm = dyn_cast<GemmOp>(op)) {
      int64_t cols = weightType.getDimSize(1);
      return gemm.getTransB() ? k / cols : k % cols;
    }
    return k / (weightType.getNumElements() / outChannels);
  }

  double outputRange(int64_t o) const {
    double r = 0.0;
    forOutput(o, [&](int64_t k) { r = std::max(r, std::fabs(weight[k])); });
    return r;
  }
  double inputRange(int64_t i) const {
    double r = 0.0;
    forInput(i, [&](int64_t k) { r = std::max(r, std::fabs(weight[k])); });
    return r;
  }
};

template <typename Fn> void Layer::forOutput(int64_t o, Fn fn) const {
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    // op(B) is K x N: B is N x K when transposed, K x N otherwise.
    int64_t rows = weightType.getDimSize(0), cols = weightType.getDimSize(1);
    if (gemm.getTransB())
      for (int64_t k = 0; k < cols; ++k)
        fn(o * cols + k);
    else
      for (int64_t k = 0; k < rows; ++k)
        fn(k * cols + o);
    return;
  }
  // Conv weights are M x C/group x k...: output channel o owns w[o, ...].
  int64_t per = weightType.getNumElements() / outChannels;
  for (int64_t k = 0; k < per; ++k)
    fn(o * per + k);
}

template <typename Fn> void Layer::forInput(int64_t i, Fn fn) const {
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    int64_t rows = weightType.getDimSize(0), cols = weightType.getDimSize(1);
    if (gemm.getTransB())
      for (int64_t n = 0; n < rows; ++n)
        fn(n * cols + i);
    else
      for (int64_t n = 0; n < cols; ++n)
        fn(i * cols + n);
    return;
  }
  // Input channel i is channel j = i % (C/group) of group g = i / (C/group),
  // read by that group's M/group output channels.
  int64_t perGroupIn = weightType.getDimSize(1);
  int64_t group = cast<ConvOp>(op).getGroup();
  int64_t perGroupOut = outChannels / group;
  int64_t kernel = weightType.getNumElements() / (outChannels * perGroupIn);
  int64_t g = i / perGroupIn, j = i % perGroupIn;
  for (int64_t m = g * perGroupOut; m < (g + 1) * perGroupOut; ++m)
    for (int64_t k = 0; k < kernel; ++k)
      fn((m * perGroupIn + j) * kernel + k);
}

/// Reads `op` as a Layer if it is a conv or plain gemm on f32 with constant
/// weights and bias.
std::optional<Layer> readLayer(Operation *op) {
  Layer layer;
  layer.op = op;
  Value weight, bias;
  if (auto conv = dyn_cast<ConvOp>(op)) {
    weight = conv.getWeight();
    bias = conv.getBias();
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
        (gemm.getC() && gemm.getBeta().convertToDouble() != 1.0))
      return std::nullopt;
    weight = gemm.getB();
    bias = gemm.getC();
  } else {
    return std::nullopt;
  }
  layer.weightType = cast<RankedTensorType>(weight.getType());
  std::optional<SmallVector<float>> w = getConstantF32Values(weight);
  if (!w || !layer.weightType.getElementType().isF32())
    return std::nullopt;
  layer.weight.assign(w->begin(), w->end());
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (layer.weightType.getRank() != 2 ||
        cast<RankedTensorType>(gemm.getA().getType()).getRank() != 2)
      return std::nullopt;
    bool t = gemm.getTransB();
    layer.outChannels = layer.weightType.getDimSize(t ? 0 : 1);
    layer.inChannels = layer.weightType.getDimSize(t ? 1 : 0);
  } else {
    int64_t group = cast<ConvOp>(op).getGroup();
    layer.outChannels = layer.weightType.getDimSize(0);
    layer.inChannels = layer.weightType.getDimSize(1) * group;
  }
  layer.outScale.assign(layer.outChannels, 1.0);
  if (bias) {
    std::optional<SmallVector<float>> b = getConstantF32Values(bias);
    // Only a bias of one value per output channel scales with it (a gemm's
    // C may broadcast otherwise).
    if (!b || static_cast<int64_t>(b->size()) != layer.outChannels ||
        cast<RankedTensorType>(bias.getType()).getDimSize(
            cast<RankedTensorType>(bias.getType()).getRank() - 1) !=
            layer.outChannels)
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
    if (isa<ConvOp, GemmOp>(user) && use.getOperandNumber() == 0)
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
    getOperation().walk([&](Operation *op) {
      if (!isa<ConvOp, GemmOp>(op))
        return;
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
      int64_t channels = p->outChannels;
      Layer *q = get(consumer);
      if (!q || channels != q->inChannels)
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
        for (int64_t c = 0; c < p.outChannels; ++c) {
          double r1 = p.outputRange(c), r2 = q.inputRange(c);
          if (!(r1 > 0.0) || !(r2 > 0.0) || !std::isfinite(r1 / r2))
            continue;
          double s = std::sqrt(r1 / r2);
          if (s == 1.0)
            continue;
          p.forOutput(c, [&](int64_t k) { p.weight[k] /= s; });
          p.outScale[c] *= s;
          if (!p.bias.empty()) {
            p.bias[c] /= s;
            p.biasChanged = true;
          }
          q.forInput(c, [&](int64_t k) { q.weight[k] *= s; });
          p.weightChanged = q.weightChanged = true;
          largest = std::max(largest, std::fabs(s - 1.0));
        }
      }
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
          static_cast<int64_t>(stats.getMin().size()) != p.outChannels ||
          stats.getAxis() !=
              cast<RankedTensorType>(pOp->getResult(0).getType()).getRank() -
                  (isa<GemmOp>(pOp) ? 1 : 3))
        continue;
      bool moved = false;
      for (int64_t c = 0; c < p.outChannels; ++c) {
        // The statistics describe the model before this run's rescaling.
        double floor =
            std::max(0.0, double(stats.getMin()[c]) / p.outScale[c]);
        if (!(floor > 0.0) || !std::isfinite(floor))
          continue;
        p.bias[c] -= floor;
        q.forInput(c, [&](int64_t k) {
          q.bias[q.outputOf(k)] += q.weight[k] * floor;
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
        writeOperand(layer, layer.weightOperand, layer.weight, ".cle.weight");
      if (layer.biasChanged)
        writeOperand(layer, layer.biasOperand, layer.bias, ".cle.bias");
    }
  }
};

} // namespace
