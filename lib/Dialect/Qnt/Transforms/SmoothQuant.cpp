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

#include "quant/Dialect/Qnt/Transforms/ChannelScaling.h"

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

/// The model of the W8A8 output error that alpha=auto minimizes (see the
/// pass description): per-tensor activation step, per-output-channel
/// weight steps, channel magnitudes m_k.
double predictedError(ArrayRef<double> m, ArrayRef<double> s,
                      MutableArrayRef<LinearWeights> consumers) {
  double xmax = 0.0;
  for (size_t k = 0; k < m.size(); ++k)
    xmax = std::max(xmax, m[k] / s[k]);
  double dx = xmax / 127.5;
  double error = 0.0;
  for (LinearWeights &w : consumers) {
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
};

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
  llvm::MapVector<Value, SmallVector<LinearWeights>> groups;
  auto consider = [&](Value x) {
    auto type = dyn_cast<RankedTensorType>(x.getType());
    if (!type || !type.getElementType().isF32() || x.use_empty() ||
        type.getRank() < 1)
      return;
    SmallVector<LinearWeights> consumers;
    for (OpOperand &use : x.getUses()) {
      std::optional<LinearWeights> w = use.getOperandNumber() == 0
                                           ? readLinearWeights(use.getOwner())
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
    for (LinearWeights &w : consumers)
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

    LLVM_DEBUG({
      auto [lo, hi] = std::minmax_element(s.begin(), s.end());
      llvm::dbgs() << DEBUG_TYPE << ": " << x.getLoc() << ": " << k
                   << " channels, factors in [" << *lo << ", " << *hi << "]\n";
    });
    ++numSmoothed;
    if (scaleInputChannels(func, x, s, consumers, ".sq"))
      continue;
    ++numExplicit;
  }
}

} // namespace
