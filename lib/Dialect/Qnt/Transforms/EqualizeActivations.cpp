//===- EqualizeActivations.cpp - Per-channel grids into depthwise convs ---===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// A depthwise conv reads each channel on its own, so the activation it
// reads, and the layer output it is a function of, could each have one int8
// grid per channel. Rescaling the channels (into the weights on both
// sides, which per-channel weight quantization does not see) gives the
// same effect with one grid per tensor. See the pass description
// (Passes.td) and docs/Numerics.md.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/Transforms/EqualizeActivations.h"
#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntInterfaces.h"
#include "quant/Dialect/Qnt/IR/QntLayers.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Quantization/QuantMath.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#include <algorithm>
#include <cmath>

#define DEBUG_TYPE "qnt-equalize-activations"

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTEQUALIZEACTIVATIONS
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// The most element-wise ops between the layer and the depthwise conv (what
/// qnt-int8-tables makes one table of, less the two muls this pass adds).
constexpr size_t kMaxRegionOps = 30;

/// P -> f -> D, as the pass description has it.
struct Link {
  ConvOp producer;
  ConvOp depthwise;
  /// The element-wise ops of f (empty: D reads P's result).
  llvm::SetVector<Operation *> region;
};

/// `op` as a conv with constant f32 weights (and a constant bias of one
/// value per output channel) on NCHW, or nullopt.
std::optional<LinearLayer> readConv(ConvOp op) {
  std::optional<LinearLayer> layer = getLinearLayer(op);
  if (!layer || layer->resultChannelAxis != 1 || layer->outAxis != 0 ||
      !op.getType().getElementType().isF32() ||
      !getConstantF32Values(op.getWeight()))
    return std::nullopt;
  if (layer->biasIndex) {
    Value bias = op->getOperand(*layer->biasIndex);
    auto type = cast<RankedTensorType>(bias.getType());
    if (type.getRank() != 1 ||
        type.getDimSize(0) != op.getType().getDimSize(1) ||
        !getConstantF32Values(bias))
      return std::nullopt;
  }
  return layer;
}

/// The link that ends in the depthwise conv `d`, or nullopt (saying why
/// under -debug-only=qnt-equalize-activations).
std::optional<Link> findLink(ConvOp d) {
  auto fail = [&](const char *why) -> std::optional<Link> {
    LLVM_DEBUG(llvm::dbgs() << DEBUG_TYPE << ": " << d->getLoc()
                            << ": no link: " << why << "\n");
    return std::nullopt;
  };
  Link link;
  link.depthwise = d;
  auto shape = d.getInput().getType();
  // Backwards from D's input to the one layer it is a function of.
  SmallVector<Value> worklist{d.getInput()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    Operation *def = v.getDefiningOp();
    if (!def)
      return fail("a function argument");
    if (auto conv = dyn_cast<ConvOp>(def)) {
      if (link.producer && link.producer != conv)
        return fail("a function of two layers");
      link.producer = conv;
      continue;
    }
    if (!isa<ElementwiseOpInterface>(def) || def->getNumResults() != 1 ||
        v.getType() != shape)
      return fail("not a chain of element-wise ops of one shape");
    if (!link.region.insert(def))
      continue;
    if (link.region.size() > kMaxRegionOps)
      return fail("too many element-wise ops");
    for (Value operand : def->getOperands())
      // Constant operands of any shape; the rest must be on the path.
      if (!operand.getDefiningOp<ConstantOp>())
        worklist.push_back(operand);
  }
  if (!link.producer)
    return fail("no layer before it");
  // One factor per channel on both sides (not a one-channel layer that
  // the region broadcasts).
  if (link.producer.getType().getDimSize(1) != d.getType().getDimSize(1))
    return fail("the layer's channels are not the depthwise conv's");
  // Every value of the link is read only inside it.
  auto insideOrD = [&](Operation *user) {
    return user == d.getOperation() || link.region.contains(user);
  };
  Value y = link.producer.getResult();
  if (!llvm::all_of(y.getUsers(), insideOrD))
    return fail("the layer's result has other readers");
  for (Operation *op : link.region)
    if (!llvm::all_of(op->getResult(0).getUsers(), insideOrD))
      return fail("a value between them has other readers");
  // D reads z only as its input (not also as its weight).
  for (OpOperand &use : d.getInput().getUses())
    if (use.getOwner() == d.getOperation() && use.getOperandNumber() != 0)
      return fail("the depthwise conv reads the value twice");
  if (!readConv(link.producer))
    return fail("the layer's weights or bias are not constant");
  return link;
}

/// Channel factors a_c = step_c / max step of the per-channel grids with
/// one zero point for `value`'s recorded per-channel ranges (at least
/// `minFactor`; 1 for an all-zero channel), or nullopt.
std::optional<SmallVector<double>>
equalizingFactors(Value value, int64_t channels, double minFactor) {
  auto fail = [&](const char *why) -> std::optional<SmallVector<double>> {
    LLVM_DEBUG(llvm::dbgs()
               << DEBUG_TYPE << ": " << value.getLoc() << ": " << why << "\n");
    return std::nullopt;
  };
  ChannelRangeAttr ranges = getValueChannelRange(value);
  if (!ranges || ranges.getAxis() != 1 ||
      static_cast<int64_t>(ranges.getMin().size()) != channels)
    return fail("no per-channel ranges on axis 1");
  std::vector<double> lo, hi;
  for (int64_t c = 0; c < channels; ++c) {
    double l = ranges.getMin()[c], h = ranges.getMax()[c];
    if (!std::isfinite(l) || !std::isfinite(h) || l > h)
      return fail("a channel range is not finite and ordered");
    lo.push_back(l);
    hi.push_back(h);
  }
  SharedZeroPointSteps grids = chooseSharedZeroPointSteps(lo, hi);
  double widest = *std::max_element(grids.steps.begin(), grids.steps.end());
  if (!(widest > 0.0))
    return fail("every channel range is {0}");
  SmallVector<double> factors;
  for (double step : grids.steps)
    factors.push_back(step > 0.0 ? std::max(step / widest, minFactor) : 1.0);
  return factors;
}

/// Multiplies or divides the weights (and, dividing, the bias) of `conv`'s
/// output channels by `factors`.
void scaleOutputChannels(ConvOp conv, ArrayRef<double> factors, bool divide,
                         StringRef suffix) {
  LinearLayer layer = *readConv(conv);
  auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
  WeightLayout layout(weightType.getShape(), layer);
  SmallVector<float> w = *getConstantF32Values(conv.getWeight());
  for (int64_t c = 0; c < layout.getNumOutputs(); ++c)
    layout.forEachOfOutput(c, [&](int64_t k) {
      double v = w[k];
      w[k] = static_cast<float>(divide ? v / factors[c] : v * factors[c]);
    });
  replaceOperandWithF32Constant(conv, layer.weightIndex, w,
                                (suffix + ".weight").str());
  if (!divide || !layer.biasIndex)
    return;
  SmallVector<float> bias =
      *getConstantF32Values(conv->getOperand(*layer.biasIndex));
  for (size_t c = 0; c < bias.size(); ++c)
    bias[c] = static_cast<float>(bias[c] / factors[c]);
  replaceOperandWithF32Constant(conv, *layer.biasIndex, bias,
                                (suffix + ".bias").str());
}

/// `value * factors` (per channel, axis 1 of a rank-4 value) as a new
/// qnt.mul after `value`'s definition, named after `named`.
MulOp multiplyChannels(OpBuilder &b, Value value, ArrayRef<double> factors,
                       Operation *named, StringRef suffix) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getRank(), 1);
  shape[1] = type.getDimSize(1);
  SmallVector<float> f32(factors.begin(), factors.end());
  Value constant = ConstantOp::create(
      b, value.getLoc(),
      makeF32Elements(RankedTensorType::get(shape, b.getF32Type()), f32,
                      derivedBlobName(named, suffix, "layer")));
  return MulOp::create(b, value.getLoc(), type, value, constant);
}

/// Drops the now stale ranges of `op`'s result.
void dropRanges(Operation *op) {
  op->removeAttr(QntDialect::getRangeAttrName());
  op->removeAttr(QntDialect::getChannelRangeAttrName());
}

/// The links ending in the depthwise convs under `root`, in walk order.
SmallVector<Link> findLinks(Operation *root) {
  SmallVector<Link> links;
  root->walk([&](ConvOp d) {
    std::optional<LinearLayer> layer = readConv(d);
    if (!layer || !layer->depthwise || d.getType().getRank() != 4)
      return;
    if (std::optional<Link> link = findLink(d))
      links.push_back(std::move(*link));
  });
  return links;
}

struct QntEqualizeActivationsPass
    : qnt::impl::QntEqualizeActivationsBase<QntEqualizeActivationsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (!(minFactor > 0.0 && minFactor <= 1.0)) {
      getOperation().emitError("qnt-equalize-activations: min-factor=")
          << minFactor << " is not in (0, 1]";
      return signalPassFailure();
    }
    SmallVector<Link> links = findLinks(getOperation());
    for (Link &link : links)
      equalize(link);
  }

  void equalize(Link &link) {
    ConvOp p = link.producer, d = link.depthwise;
    Value y = p.getResult(), z = d.getInput();
    int64_t channels = d.getType().getDimSize(1);
    // (A producer that is the depthwise conv of an earlier link had its
    // weights rescaled there, not its output: y's ranges still hold.)
    std::optional<SmallVector<double>> b =
        equalizingFactors(z, channels, minFactor);
    if (!b)
      return;
    // Only ReLUs between (or nothing): relu(y / a) = relu(y) / a for
    // a > 0, so z's factors divide P and multiply D, with no mul, and a
    // ReLU that fuses into P's requantization still does.
    bool onlyRelus = llvm::all_of(
        link.region, [](Operation *op) { return isa<ReluOp>(op); });
    std::optional<SmallVector<double>> a =
        onlyRelus ? b : equalizingFactors(y, channels, minFactor);
    if (!a)
      return;
    if (!onlyRelus) {
      OpBuilder builder(p->getContext());
      builder.setInsertionPointAfter(p);
      MulOp restore = multiplyChannels(builder, y, *a, p, ".eq.restore");
      y.replaceUsesWithIf(restore.getResult(), [&](OpOperand &use) {
        return link.region.contains(use.getOwner());
      });
      SmallVector<double> inverse;
      for (double v : *b)
        inverse.push_back(1.0 / v);
      builder.setInsertionPoint(d);
      MulOp divide = multiplyChannels(builder, z, inverse, d, ".eq.input");
      d.getInputMutable().assign(divide.getResult());
      numMuls += 2;
    }
    scaleOutputChannels(p, *a, /*divide=*/true, ".eq");
    scaleOutputChannels(d, *b, /*divide=*/false, ".eq");
    dropRanges(p);
    for (Operation *op : link.region)
      dropRanges(op);
    ++numLinks;
  }
};

} // namespace

bool mlir::qnt::hasEqualizableLinks(Operation *root) {
  return !findLinks(root).empty();
}
