//===- AdaRound.cpp - Learned up/down rounding of weights -----------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Quantization/AdaRound.h"

#include "quant/Quantization/QuantMath.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir::qnt;

namespace {

// The rectified sigmoid's stretch (the paper's zeta and gamma).
constexpr double kZeta = 1.1, kGamma = -0.1;

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

/// h(v) = clip(sigmoid(v) * (zeta - gamma) + gamma, 0, 1) and dh/dv.
void rectifiedSigmoid(double v, double &h, double &slope) {
  double s = sigmoid(v);
  double stretched = s * (kZeta - kGamma) + kGamma;
  h = std::clamp(stretched, 0.0, 1.0);
  slope = (stretched > 0.0 && stretched < 1.0)
              ? (kZeta - kGamma) * s * (1.0 - s)
              : 0.0;
}

/// The v with h(v) = rest (rest in (0, 1)).
double inverseRectifiedSigmoid(double rest) {
  double s = (rest - kGamma) / (kZeta - kGamma);
  return std::log(s / (1.0 - s));
}

/// G = D H for `rows` rows of D (rows x features; H symmetric, features x
/// features): axpys over blocks of H's rows, so that the inner loop
/// vectorizes and a block of H stays in cache across the rows.
void multiplyHessian(const float *hessian, int64_t features, int64_t rows,
                     const float *d, float *g) {
  constexpr int64_t kBlock = 64;
  std::fill(g, g + rows * features, 0.0f);
  for (int64_t j0 = 0; j0 < features; j0 += kBlock) {
    int64_t j1 = std::min(features, j0 + kBlock);
    for (int64_t r = 0; r < rows; ++r) {
      const float *dr = d + r * features;
      float *gr = g + r * features;
      for (int64_t j = j0; j < j1; ++j) {
        float dj = dr[j];
        if (dj == 0.0f)
          continue;
        const float *row = hessian + j * features;
        for (int64_t f = 0; f < features; ++f)
          gr[f] += dj * row[f];
      }
    }
  }
}

/// d^T H d of each of `rows` rows of D.
std::vector<double> rowErrors(const float *hessian, int64_t features,
                              int64_t rows, const float *d) {
  std::vector<float> g(rows * features);
  multiplyHessian(hessian, features, rows, d, g.data());
  std::vector<double> errors(rows, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    double e = 0.0;
    for (int64_t f = 0; f < features; ++f)
      e += static_cast<double>(d[r * features + f]) * g[r * features + f];
    errors[r] = std::max(e, 0.0);
  }
  return errors;
}

/// The optimization state of a block of rows, all weights flattened.
struct Block {
  std::vector<double> floors;  // floor(w / s), for the free weights
  std::vector<double> v, m, u; // Adam's parameter and moments
  std::vector<char> free;
  std::vector<int32_t> nearest;
  std::vector<double> nearestError; // per row
};

/// Which weights are free, their floors and initial v, and the nearest
/// rounding (d receives its error w_q - w).
Block initialize(const AdaRoundRows &rows, std::vector<float> &d) {
  const int64_t size = rows.rows * rows.features;
  const int32_t qmax = rows.qmax;
  Block b;
  b.floors.assign(size, 0.0);
  b.v.assign(size, 0.0);
  b.m.assign(size, 0.0);
  b.u.assign(size, 0.0);
  b.free.assign(size, 0);
  b.nearest = roundToNearest(rows);
  d.assign(size, 0.0f);
  for (int64_t i = 0; i < size; ++i) {
    double w = rows.weights[i], s = rows.scales[i];
    double x = w / s;
    double lo = std::floor(x), rest = x - lo;
    d[i] = static_cast<float>(s * b.nearest[i] - w);
    // A weight at the grid's ends keeps its value: the largest weight of
    // each scale group defines the scale, and must stay where it is for
    // qnt-quantize to find the same scale again.
    if (!std::isfinite(x) || !(rest > 0.0) || std::abs(b.nearest[i]) >= qmax ||
        lo < -qmax || lo + 1 > qmax)
      continue;
    b.free[i] = 1;
    b.floors[i] = lo;
    b.v[i] = inverseRectifiedSigmoid(std::clamp(rest, 1e-4, 1.0 - 1e-4));
  }
  b.nearestError = rowErrors(rows.hessian, rows.features, rows.rows, d.data());
  return b;
}

/// Greedy 1-flips on the rounded rows: while moving one free weight to its
/// other candidate (floor <-> floor + 1) lowers the row's error, move the
/// one that lowers it most. The error change of moving weight f by
/// delta = +-s_f is 2 delta (H d)_f + delta^2 H_ff, so a pass over the row
/// costs O(features) and each move O(features) to update H d.
void polish(const AdaRoundRows &rows, const Block &b, std::vector<int32_t> &q) {
  const int64_t n = rows.features;
  std::vector<float> d(n), g(n);
  for (int64_t r = 0; r < rows.rows; ++r) {
    const int64_t base = r * n;
    for (int64_t f = 0; f < n; ++f)
      d[f] = static_cast<float>(rows.scales[base + f] * q[base + f] -
                                rows.weights[base + f]);
    multiplyHessian(rows.hessian, n, 1, d.data(), g.data());
    for (int64_t move = 0; move < 4 * n; ++move) {
      double bestGain = 0.0;
      int64_t bestF = -1;
      double bestDelta = 0.0;
      for (int64_t f = 0; f < n; ++f) {
        if (!b.free[base + f])
          continue;
        int32_t other = q[base + f] == static_cast<int32_t>(b.floors[base + f])
                            ? q[base + f] + 1
                            : q[base + f] - 1;
        double delta = rows.scales[base + f] * (other - q[base + f]);
        double change =
            2.0 * delta * g[f] + delta * delta * rows.hessian[f * n + f];
        if (change < bestGain) {
          bestGain = change;
          bestF = f;
          bestDelta = delta;
        }
      }
      if (bestF < 0)
        break;
      q[base + bestF] += bestDelta > 0 ? 1 : -1;
      d[bestF] += static_cast<float>(bestDelta);
      const float *column = rows.hessian + bestF * n; // H is symmetric
      for (int64_t f = 0; f < n; ++f)
        g[f] += static_cast<float>(bestDelta) * column[f];
    }
  }
}

} // namespace

std::vector<int32_t> mlir::qnt::adaRound(const AdaRoundRows &rows,
                                         const AdaRoundOptions &options) {
  assert(rows.qmax > 0 && "a symmetric grid");
  const int64_t n = rows.features, size = rows.rows * n;
  std::vector<float> d, g(size, 0.0f);
  Block b = initialize(rows, d);
  // Rows without error to remove keep nearest rounding.
  for (int64_t r = 0; r < rows.rows; ++r)
    if (!(b.nearestError[r] > 0.0))
      std::fill(b.free.begin() + r * n, b.free.begin() + (r + 1) * n, 0);

  const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  const int64_t warmupSteps =
      static_cast<int64_t>(options.warmup * options.iterations);
  std::vector<double> h(size, 0.0), slope(size, 0.0);
  for (int64_t t = 0; t < options.iterations; ++t) {
    for (int64_t i = 0; i < size; ++i) {
      if (!b.free[i])
        continue;
      rectifiedSigmoid(b.v[i], h[i], slope[i]);
      d[i] = static_cast<float>(rows.scales[i] * (b.floors[i] + h[i]) -
                                rows.weights[i]);
    }
    multiplyHessian(rows.hessian, n, rows.rows, d.data(), g.data());
    bool regularize = t >= warmupSteps;
    double progress =
        regularize ? static_cast<double>(t - warmupSteps) /
                         std::max<int64_t>(1, options.iterations - warmupSteps)
                   : 0.0;
    double beta =
        options.betaStart + (options.betaEnd - options.betaStart) * progress;
    double step = options.learningRate *
                  std::sqrt(1.0 - std::pow(beta2, t + 1)) /
                  (1.0 - std::pow(beta1, t + 1));
    for (int64_t i = 0; i < size; ++i) {
      if (!b.free[i])
        continue;
      // d/dh of the normalized reconstruction error: 2 s (H d) / E0.
      double grad = 2.0 * rows.scales[i] * g[i] / b.nearestError[i / n];
      if (regularize) {
        double c = 2.0 * h[i] - 1.0, a = std::abs(c);
        // d/dh of lambda / n * (1 - |2h - 1|^beta).
        if (a > 0.0)
          grad -= options.regularization / n * beta * std::pow(a, beta - 1.0) *
                  (c > 0 ? 2.0 : -2.0);
      }
      grad *= slope[i];
      b.m[i] = beta1 * b.m[i] + (1.0 - beta1) * grad;
      b.u[i] = beta2 * b.u[i] + (1.0 - beta2) * grad * grad;
      b.v[i] -= step * b.m[i] / (std::sqrt(b.u[i]) + eps);
    }
  }

  std::vector<int32_t> q(b.nearest);
  for (int64_t i = 0; i < size; ++i) {
    if (!b.free[i])
      continue;
    double hi, unused;
    rectifiedSigmoid(b.v[i], hi, unused);
    q[i] = static_cast<int32_t>(b.floors[i]) + (hi >= 0.5 ? 1 : 0);
  }
  polish(rows, b, q);
  // Never worse than nearest rounding, row by row, on the objective.
  for (int64_t i = 0; i < size; ++i)
    d[i] = static_cast<float>(rows.scales[i] * q[i] - rows.weights[i]);
  std::vector<double> errors = rowErrors(rows.hessian, n, rows.rows, d.data());
  for (int64_t r = 0; r < rows.rows; ++r)
    if (errors[r] > b.nearestError[r])
      std::copy(b.nearest.begin() + r * n, b.nearest.begin() + (r + 1) * n,
                q.begin() + r * n);
  return q;
}
std::vector<int32_t> mlir::qnt::roundToNearest(const AdaRoundRows &rows) {
  std::vector<int32_t> q(rows.rows * rows.features, 0);
  for (int64_t i = 0; i < rows.rows * rows.features; ++i) {
    QuantParams p;
    p.scale = rows.scales[i];
    p.zeroPoint = 0;
    p.qmin = -rows.qmax;
    p.qmax = rows.qmax;
    q[i] = quantize(rows.weights[i], p);
  }
  return q;
}

double mlir::qnt::reconstructionError(const AdaRoundRows &rows,
                                      const std::vector<int32_t> &q) {
  const int64_t size = rows.rows * rows.features;
  std::vector<float> d(size);
  for (int64_t i = 0; i < size; ++i)
    d[i] = static_cast<float>(rows.scales[i] * q[i] - rows.weights[i]);
  double total = 0.0;
  for (double e : rowErrors(rows.hessian, rows.features, rows.rows, d.data()))
    total += e;
  return total;
}
