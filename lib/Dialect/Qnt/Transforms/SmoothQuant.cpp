//===- SmoothQuant.cpp - Migrate activation outliers into weights ---------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-smooth-quant: see the pass description (Passes.td) and
// docs/SmoothQuant.md. For each activation x read by linear ops with
// constant weights, x W = (x / s)(diag(s) W) with
// s_k = max|x_k|^alpha / max|W_k|^(1 - alpha).
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Debug.h"

#include <algorithm>
#include <cmath>

#define DEBUG_TYPE "qnt-smooth-quant"

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTSMOOTHQUANT
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// Constant 2-D weights of a linear op, read as W[k][n] (k the input
/// channel, n the output channel) whatever their storage order.
struct Weights {
  Operation *op = nullptr;
  unsigned operand = 1;
  std::optional<unsigned> biasOperand;
  bool transposed = false; // stored [N, K]
  int64_t k = 0, n = 0;
  SmallVector<float> values;

  float &at(int64_t ki, int64_t ni) {
    return values[transposed ? ni * k + ki : ki * n + ni];
  }
};

/// The weights of `op` when it is a linear layer whose constant 2-D
/// weights the pass may rescale: a qnt.matmul (rhs [K, N]) or a plain
/// qnt.gemm (b [K, N], or [N, K] with trans_b).
std::optional<Weights> readWeights(Operation *op) {
  std::optional<LinearLayer> layer = getLinearLayer(op);
  if (!layer || layer->groups != 1)
    return std::nullopt;
  Value weight = op->getOperand(layer->weightIndex);
  auto type = cast<RankedTensorType>(weight.getType());
  std::optional<SmallVector<float>> values = getConstantF32Values(weight);
  if (!values || type.getRank() != 2)
    return std::nullopt;
  Weights w;
  w.op = op;
  w.operand = layer->weightIndex;
  w.biasOperand = layer->biasIndex;
  w.transposed = layer->outAxis == 0;
  w.k = type.getDimSize(layer->inAxis);
  w.n = type.getDimSize(layer->outAxis);
  w.values = std::move(*values);
  return w;
}

/// A constant 1-D f32 operand of `size` values, or nullopt.
std::optional<SmallVector<float>> readVector(Value value, int64_t size) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() != 1 || type.getDimSize(0) != size)
    return std::nullopt;
  return getConstantF32Values(value);
}

/// Divides the recorded ranges of `value` (an op result) channel by channel
/// by `s`: qnt.channel_range, and qnt.range as their hull.
void rescaleRanges(Value value, ArrayRef<double> s) {
  Operation *op = value.getDefiningOp();
  ChannelRangeAttr channels =
      op ? getValueChannelRange(value) : ChannelRangeAttr();
  if (!channels || channels.getMin().size() != static_cast<int64_t>(s.size()))
    return;
  SmallVector<float> lo, hi, mean;
  double all_lo = 0.0, all_hi = 0.0;
  for (size_t c = 0; c < s.size(); ++c) {
    lo.push_back(static_cast<float>(channels.getMin()[c] / s[c]));
    hi.push_back(static_cast<float>(channels.getMax()[c] / s[c]));
    if (channels.getMean())
      mean.push_back(
          std::clamp(static_cast<float>(channels.getMean()[c] / s[c]),
                     lo.back(), hi.back()));
    all_lo = c ? std::min<double>(all_lo, lo.back()) : lo.back();
    all_hi = c ? std::max<double>(all_hi, hi.back()) : hi.back();
  }
  MLIRContext *ctx = op->getContext();
  Builder b(ctx);
  op->setAttr(
      QntDialect::getChannelRangeAttrName(),
      ChannelRangeAttr::get(ctx, channels.getAxis(), b.getDenseF32ArrayAttr(lo),
                            b.getDenseF32ArrayAttr(hi),
                            channels.getMean() ? b.getDenseF32ArrayAttr(mean)
                                               : DenseF32ArrayAttr()));
  op->setAttr(QntDialect::getRangeAttrName(),
              RangeAttr::get(ctx, all_lo, all_hi));
}

/// The model of the W8A8 output error that alpha=auto minimizes (see the
/// pass description): per-tensor activation step, per-output-channel
/// weight steps, channel magnitudes m_k.
double predictedError(ArrayRef<double> m, ArrayRef<double> s,
                      MutableArrayRef<Weights> consumers) {
  double xmax = 0.0;
  for (size_t k = 0; k < m.size(); ++k)
    xmax = std::max(xmax, m[k] / s[k]);
  double dx = xmax / 127.5;
  double error = 0.0;
  for (Weights &w : consumers) {
    for (int64_t n = 0; n < w.n; ++n) {
      double wmax = 0.0, wsq = 0.0, xsq = 0.0;
      for (int64_t k = 0; k < w.k; ++k) {
        double v = w.at(k, n) * s[k];
        wmax = std::max(wmax, std::fabs(v));
        wsq += v * v;
        double x = m[k] / s[k];
        xsq += x * x;
      }
      double dw = wmax / 127.0;
      error += wsq * dx * dx + xsq * dw * dw;
    }
  }
  return error;
}

/// s_k for one alpha; 1 where a range is zero or the result not finite.
SmallVector<double> smoothingFactors(ArrayRef<double> m, ArrayRef<double> wm,
                                     double alpha) {
  SmallVector<double> s(m.size(), 1.0);
  for (size_t k = 0; k < m.size(); ++k) {
    if (!(m[k] > 0.0) || !(wm[k] > 0.0))
      continue;
    double v = std::pow(m[k], alpha) / std::pow(wm[k], 1.0 - alpha);
    if (std::isfinite(v) && v > 0.0)
      s[k] = v;
  }
  return s;
}

struct QntSmoothQuantPass : qnt::impl::QntSmoothQuantBase<QntSmoothQuantPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Divides channel k of `x` by s[k] where `x` is made; false when the
  /// producer cannot absorb it.
  bool foldIntoProducer(Value x, ArrayRef<double> s);
};

bool QntSmoothQuantPass::foldIntoProducer(Value x, ArrayRef<double> s) {
  int64_t k = s.size();
  Operation *def = x.getDefiningOp();
  if (!def)
    return false;
  auto divide = [&](SmallVector<float> &v) {
    for (int64_t c = 0; c < k; ++c)
      v[c] = static_cast<float>(v[c] / s[c]);
  };

  if (auto ln = dyn_cast<LayerNormOp>(def)) {
    int64_t rank = ln.getInput().getType().getRank();
    int64_t axis = ln.getAxis() < 0 ? ln.getAxis() + rank : ln.getAxis();
    std::optional<SmallVector<float>> scale = readVector(ln.getScale(), k);
    std::optional<SmallVector<float>> bias =
        ln.getBias() ? readVector(ln.getBias(), k) : std::nullopt;
    if (axis != rank - 1 || !scale || (ln.getBias() && !bias))
      return false;
    divide(*scale);
    replaceOperandWithF32Constant(ln, 1, *scale, ".sq.scale");
    if (bias) {
      divide(*bias);
      replaceOperandWithF32Constant(ln, 2, *bias, ".sq.bias");
    }
    return true;
  }

  // A linear op, possibly followed by a single-use add of a 1-D bias.
  Operation *linear = def;
  AddOp biasAdd;
  unsigned biasSide = 0;
  std::optional<SmallVector<float>> addBias;
  if (auto add = dyn_cast<AddOp>(def)) {
    for (unsigned side = 0; side < 2 && !addBias; ++side) {
      Value other = add->getOperand(1 - side);
      if ((addBias = readVector(add->getOperand(side), k)) &&
          other.hasOneUse() && other.getType() == x.getType()) {
        biasAdd = add;
        biasSide = side;
        linear = other.getDefiningOp();
      } else {
        addBias.reset();
      }
    }
    if (!biasAdd || !linear)
      return false;
  }
  std::optional<Weights> w = readWeights(linear);
  if (!w || w->n != k)
    return false;
  std::optional<SmallVector<float>> gemmBias;
  if (w->biasOperand) {
    gemmBias = readVector(linear->getOperand(*w->biasOperand), k);
    if (!gemmBias)
      return false;
  }
  for (int64_t ki = 0; ki < w->k; ++ki)
    for (int64_t n = 0; n < k; ++n)
      w->at(ki, n) = static_cast<float>(w->at(ki, n) / s[n]);
  replaceOperandWithF32Constant(linear, w->operand, w->values, ".sq.weight");
  if (gemmBias) {
    divide(*gemmBias);
    replaceOperandWithF32Constant(linear, *w->biasOperand, *gemmBias,
                                  ".sq.bias");
  }
  if (biasAdd) {
    divide(*addBias);
    replaceOperandWithF32Constant(biasAdd, biasSide, *addBias, ".sq.bias");
    rescaleRanges(linear->getResult(0), s);
  }
  return true;
}

void QntSmoothQuantPass::runOnOperation() {
  func::FuncOp func = getOperation();
  std::optional<double> fixedAlpha;
  if (alpha != "auto") {
    double value = 0.0;
    if (StringRef(alpha).getAsDouble(value) ||
        !(value >= 0.0 && value <= 1.0)) {
      func.emitError("qnt-smooth-quant: alpha=")
          << alpha << " is not a number in [0, 1] or 'auto'";
      return signalPassFailure();
    }
    fixedAlpha = value;
  }

  // Activations whose every use is the input of a linear op with constant
  // weights, in IR order (arguments first).
  llvm::MapVector<Value, SmallVector<Weights>> groups;
  auto consider = [&](Value x) {
    auto type = dyn_cast<RankedTensorType>(x.getType());
    if (!type || !type.getElementType().isF32() || x.use_empty() ||
        type.getRank() < 1)
      return;
    SmallVector<Weights> consumers;
    for (OpOperand &use : x.getUses()) {
      std::optional<Weights> w = use.getOperandNumber() == 0
                                     ? readWeights(use.getOwner())
                                     : std::nullopt;
      if (!w || w->k != type.getShape().back())
        return;
      consumers.push_back(std::move(*w));
    }
    ChannelRangeAttr range = getValueChannelRange(x);
    if (!range || range.getAxis() != type.getRank() - 1 ||
        range.getMin().size() != type.getShape().back())
      return;
    groups.insert({x, std::move(consumers)});
  };
  for (BlockArgument arg : func.getArguments())
    consider(arg);
  func.walk([&](Operation *op) {
    if (op->getNumResults() == 1)
      consider(op->getResult(0));
  });

  for (auto &[x, consumers] : groups) {
    ChannelRangeAttr range = getValueChannelRange(x);
    int64_t k = range.getMin().size();
    SmallVector<double> m(k), wm(k, 0.0);
    for (int64_t c = 0; c < k; ++c)
      m[c] = std::max(std::fabs(static_cast<double>(range.getMin()[c])),
                      std::fabs(static_cast<double>(range.getMax()[c])));
    for (Weights &w : consumers)
      for (int64_t c = 0; c < k; ++c)
        for (int64_t n = 0; n < w.n; ++n)
          wm[c] = std::max(wm[c], std::fabs(static_cast<double>(w.at(c, n))));

    SmallVector<double> s;
    if (fixedAlpha) {
      s = smoothingFactors(m, wm, *fixedAlpha);
    } else {
      double best = std::numeric_limits<double>::infinity();
      for (int step = 1; step <= 19; ++step) {
        SmallVector<double> candidate = smoothingFactors(m, wm, step * 0.05);
        double error = predictedError(m, candidate, consumers);
        if (error < best) {
          best = error;
          s = std::move(candidate);
        }
      }
    }
    if (llvm::all_of(s, [](double v) { return v == 1.0; }))
      continue;

    // Consumers: row k of the weights times s_k.
    for (Weights &w : consumers) {
      for (int64_t c = 0; c < k; ++c)
        for (int64_t n = 0; n < w.n; ++n)
          w.at(c, n) = static_cast<float>(w.at(c, n) * s[c]);
      replaceOperandWithF32Constant(w.op, w.operand, w.values, ".sq.weight");
    }
    LLVM_DEBUG({
      auto [lo, hi] = std::minmax_element(s.begin(), s.end());
      llvm::dbgs() << DEBUG_TYPE << ": " << x.getLoc() << ": " << k
                   << " channels, factors in [" << *lo << ", " << *hi << "]\n";
    });
    ++numSmoothed;
    if (foldIntoProducer(x, s)) {
      rescaleRanges(x, s);
      continue;
    }
    // An explicit x * (1/s) in front of the consumers.
    OpBuilder b(func.getContext());
    if (Operation *def = x.getDefiningOp())
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(&func.getBody().front());
    SmallVector<float> inverse;
    for (double v : s)
      inverse.push_back(static_cast<float>(1.0 / v));
    auto vecType = RankedTensorType::get({k}, b.getF32Type());
    Operation *named =
        x.getDefiningOp() ? x.getDefiningOp() : consumers.front().op;
    Value factors = ConstantOp::create(
        b, x.getLoc(),
        makeF32Elements(vecType, inverse,
                        derivedBlobName(named, ".sq.inverse", "layer")));
    auto mul = MulOp::create(b, x.getLoc(), x.getType(), x, factors);
    for (Weights &w : consumers)
      w.op->setOperand(0, mul.getResult());
    // The product's ranges: x's divided by s.
    mul->setAttr(QntDialect::getChannelRangeAttrName(), range);
    rescaleRanges(mul.getResult(), s);
    ++numExplicit;
  }
}

} // namespace
