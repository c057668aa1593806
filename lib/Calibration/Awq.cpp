//===- Awq.cpp - Activation-aware weight scaling and clipping -------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-awq: for each activation read only by gemm/matmul layers that will be
// quantized, one JIT run gathers H = E[x x^T] and E[|x|] of its rows
// (LayerInputs.h); the per-channel factors s = E[|x|]^alpha with the least
// output error over an alpha grid are folded in (ChannelScaling.h); int4
// groups then get the clipping with the least error (qnt.weight_scales).
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Passes.h"

#include "LayerInputs.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/Transforms/ChannelScaling.h"
#include "quant/Quantization/QuantMath.h"
#include "quant/Support/Progress.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTAWQ
#include "quant/Calibration/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// An activation and the layers that read it.
struct AwqGroup {
  Value x;
  SmallVector<LinearWeights> consumers;
  unsigned bits = 4;
  size_t inputs = 0; // index of its LayerInputs
};

/// How qnt-quantize will grid one consumer's weights.
struct Grid {
  unsigned bits = 4;
  int64_t groupSize = 32; // int4: input channels per scale
  bool perChannel = true; // int8
};

/// Input channels per scale of a weight with `k` input channels.
int64_t groupLength(const Grid &grid, int64_t k) {
  if (grid.bits == 4)
    return grid.groupSize > 0 && k % grid.groupSize == 0 ? grid.groupSize : k;
  return k;
}

QuantParams symmetricGrid(double amax, unsigned bits) {
  return chooseQuantParams(-amax, amax, bits, /*symmetric=*/true);
}

/// d^T H d for d over the features in [begin, end) (H is k x k).
double quadratic(const std::vector<double> &h, int64_t k,
                 const std::vector<double> &d, int64_t begin, int64_t end) {
  double total = 0.0;
  for (int64_t i = begin; i < end; ++i) {
    if (d[i] == 0.0)
      continue;
    double v = 0.0;
    for (int64_t j = begin; j < end; ++j)
      v += h[i * k + j] * d[j];
    total += d[i] * v;
  }
  return total;
}

/// The output error of `w` with its input channels scaled by `s` and
/// quantized as `grid` says (with the given scales per output channel and
/// group, if any): sum over output channels n of d^T H d,
/// d_k = Q(W_kn s_k) / s_k - W_kn.
double scaledError(const LinearWeights &w, ArrayRef<double> s,
                   const std::vector<double> &h, const Grid &grid,
                   const std::vector<double> *givenScales = nullptr) {
  const int64_t k = w.k, len = groupLength(grid, k), groups = k / len;
  double tensorMax = 0.0;
  if (grid.bits == 8 && !grid.perChannel)
    for (int64_t n = 0; n < w.n; ++n)
      for (int64_t c = 0; c < k; ++c)
        tensorMax = std::max(tensorMax, std::fabs(w.at(c, n) * s[c]));
  double total = 0.0;
  std::vector<double> d(k);
  std::vector<float> row(k);
  for (int64_t n = 0; n < w.n; ++n) {
    for (int64_t c = 0; c < k; ++c)
      row[c] = static_cast<float>(w.at(c, n) * s[c]);
    for (int64_t g = 0; g < groups; ++g) {
      double amax = tensorMax;
      if (grid.bits == 4 || grid.perChannel)
        for (int64_t c = g * len; c < (g + 1) * len; ++c)
          amax = std::max(amax, std::fabs(static_cast<double>(row[c])));
      QuantParams p = symmetricGrid(amax, grid.bits);
      if (givenScales)
        p.scale = (*givenScales)[n * groups + g];
      for (int64_t c = g * len; c < (g + 1) * len; ++c)
        d[c] = p.scale * quantize(row[c], p) / s[c] - w.at(c, n);
    }
    total += quadratic(h, k, d, 0, k);
  }
  return total;
}

struct QntAwqPass : public qnt::impl::QntAwqBase<QntAwqPass> {
  using QntAwqBase::QntAwqBase;
  void runOnOperation() override;

private:
  void fail(const Twine &message) {
    emitError(getOperation().getLoc(), "qnt-awq: ") << message;
    signalPassFailure();
  }
  /// The best factors for `group` (all 1: round-to-nearest is best).
  SmallVector<double> searchScales(AwqGroup &group, const LayerInputs &in,
                                   const std::vector<double> &h,
                                   double &nearestError, double &scaledErr,
                                   double &alpha);
  /// Per output channel and group, the clipped scale with the least error
  /// on the scaled weights (int4).
  std::vector<double> searchClipping(const LinearWeights &w, ArrayRef<double> s,
                                     const std::vector<double> &h,
                                     const Grid &grid);
};

} // namespace

SmallVector<double>
QntAwqPass::searchScales(AwqGroup &group, const LayerInputs &in,
                         const std::vector<double> &h, double &nearestError,
                         double &scaledErr, double &bestAlpha) {
  const int64_t k = in.patches.features;
  std::vector<double> m = in.meanAbs();
  Grid gridOf{group.bits, groupSize, granularity == Granularity::PerChannel};
  SmallVector<double> best(k, 1.0);
  auto errorOf = [&](ArrayRef<double> s) {
    double e = 0.0;
    for (const LinearWeights &w : group.consumers)
      e += scaledError(w, s, h, gridOf);
    return e;
  };
  nearestError = scaledErr = errorOf(best);
  bestAlpha = 0.0;
  for (int64_t step = 1; step < grid; ++step) {
    double alpha = static_cast<double>(step) / grid;
    SmallVector<double> s(k, 1.0);
    double lo = INFINITY, hi = 0.0;
    for (int64_t c = 0; c < k; ++c) {
      if (m[c] > 0.0)
        s[c] = std::pow(m[c], alpha);
      lo = std::min(lo, s[c]);
      hi = std::max(hi, s[c]);
    }
    // Normalized so that max * min = 1 (AWQ's s / sqrt(max * min)).
    double norm = std::sqrt(lo * hi);
    if (!(norm > 0.0) || !std::isfinite(norm))
      continue;
    for (double &v : s)
      v /= norm;
    double e = errorOf(s);
    if (e < scaledErr) {
      scaledErr = e;
      bestAlpha = alpha;
      best = std::move(s);
    }
  }
  return best;
}

std::vector<double> QntAwqPass::searchClipping(const LinearWeights &w,
                                               ArrayRef<double> s,
                                               const std::vector<double> &h,
                                               const Grid &grid) {
  const int64_t k = w.k, len = groupLength(grid, k), groups = k / len;
  // H of the scaled inputs x / s.
  std::vector<double> hs(k * k);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      hs[i * k + j] = h[i * k + j] / (s[i] * s[j]);
  std::vector<double> scales(w.n * groups);
  std::vector<double> d(k);
  std::vector<float> row(k);
  for (int64_t n = 0; n < w.n; ++n) {
    for (int64_t c = 0; c < k; ++c)
      row[c] = static_cast<float>(w.at(c, n) * s[c]);
    for (int64_t g = 0; g < groups; ++g) {
      int64_t begin = g * len, end = begin + len;
      double amax = 0.0;
      for (int64_t c = begin; c < end; ++c)
        amax = std::max(amax, std::fabs(static_cast<double>(row[c])));
      double bestError = INFINITY, bestScale = symmetricGrid(amax, 4).scale;
      for (int step = 0; step <= 10; ++step) {
        QuantParams p = symmetricGrid(amax * (1.0 - 0.05 * step), 4);
        for (int64_t c = begin; c < end; ++c)
          d[c] = p.scale * quantize(row[c], p) - row[c];
        double e = quadratic(hs, k, d, begin, end);
        if (e < bestError) {
          bestError = e;
          bestScale = p.scale;
        }
      }
      scales[n * groups + g] = bestScale;
    }
  }
  return scales;
}

void QntAwqPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (dataDir.empty())
    return fail("no calibration data: give data=DIR (a folder of .npy "
                "samples)");
  if (weightBits != 4 && weightBits != 8)
    return fail("weight-bits=" + Twine(unsigned(weightBits)) +
                " is not 4 or 8");
  if (grid < 2)
    return fail("grid=" + Twine(int64_t(grid)) + " must be at least 2");
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return fail("no func.func @main");

  // The gemm/matmul layers qnt-quantize will quantize, by input.
  std::vector<LayerInputs> all =
      collectWeightLayers(main, weightBits, keepFloat);
  llvm::MapVector<Value, AwqGroup> groups;
  DenseMap<Operation *, size_t> layerOf;
  for (auto [i, l] : llvm::enumerate(all)) {
    std::optional<LinearWeights> w = readLinearWeights(l.op);
    if (!w || l.patches.conv || l.patches.transposed ||
        w->k != l.patches.features)
      continue;
    layerOf[l.op] = i;
    AwqGroup &group = groups[l.op->getOperand(0)];
    group.x = l.op->getOperand(0);
    group.bits = l.bits;
    group.consumers.push_back(std::move(*w));
  }
  // Only activations whose every use is such a layer (as its input), all
  // at one width.
  std::vector<LayerInputs> inputs;
  SmallVector<AwqGroup> chosen;
  for (auto &[x, group] : groups) {
    bool ok = llvm::all_of(x.getUses(), [&](OpOperand &use) {
      return use.getOperandNumber() == 0 && layerOf.count(use.getOwner()) &&
             all[layerOf[use.getOwner()]].bits == group.bits;
    });
    if (!ok || group.consumers.size() != llvm::range_size(x.getUses()))
      continue;
    group.inputs = inputs.size();
    inputs.push_back(all[layerOf[group.consumers.front().op]]);
    chosen.push_back(std::move(group));
  }
  if (chosen.empty())
    return;
  if (failed(gatherLayerInputs(module, main, "qnt-awq", dataDir, maxSamples,
                               inputs)))
    return signalPassFailure();

  quant_compiler::Progress progress("qnt-awq", chosen.size(), "activations");
  for (AwqGroup &group : chosen) {
    const LayerInputs &in = inputs[group.inputs];
    std::vector<double> h = in.secondMoment(/*centered=*/false);
    double nearest = 0.0, scaled = 0.0, alpha = 0.0;
    SmallVector<double> s = searchScales(group, in, h, nearest, scaled, alpha);
    Grid gridOf{group.bits, groupSize, granularity == Granularity::PerChannel};
    // Clipping on the scaled weights, before they are rewritten.
    std::vector<std::vector<double>> clipped;
    double after = scaled;
    if (clip && group.bits == 4) {
      after = 0.0;
      for (const LinearWeights &w : group.consumers) {
        clipped.push_back(searchClipping(w, s, h, gridOf));
        after += scaledError(w, s, h, gridOf, &clipped.back());
      }
    }
    std::string names;
    for (const LinearWeights &w : group.consumers)
      names += (names.empty() ? "" : ",") +
               derivedBlobName(w.op, "", w.op->getName().getStringRef());
    bool identity = llvm::all_of(s, [](double v) { return v == 1.0; });
    if (!identity) {
      ++numScaled;
      if (!scaleInputChannels(main, group.x, s, group.consumers, ".awq"))
        ++numExplicit;
    }
    for (auto [w, scales] : llvm::zip(group.consumers, clipped)) {
      SmallVector<float> list(scales.begin(), scales.end());
      w.op->setAttr(QntDialect::getWeightScalesAttrName(),
                    DenseF32ArrayAttr::get(&getContext(), list));
    }
    llvm::errs() << "qnt-awq: " << names << " int" << group.bits
                 << ": output error " << llvm::format("%.4g", nearest) << " -> "
                 << llvm::format("%.4g", scaled) << " (alpha "
                 << llvm::format("%.2f", alpha) << ")";
    if (!clipped.empty())
      llvm::errs() << " -> " << llvm::format("%.4g", after) << " (clipped)";
    llvm::errs() << ", "
                 << llvm::format("%.1f",
                                 nearest > 0 ? 100.0 * after / nearest : 100.0)
                 << "%\n";
    progress.step();
  }
}
