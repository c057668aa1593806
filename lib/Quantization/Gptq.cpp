//===- Gptq.cpp - GPTQ: weight rounding with error feedback ---------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Quantization/Gptq.h"

#include "quant/Quantization/QuantMath.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mlir::qnt;

namespace {

/// In place: the lower Cholesky factor L of the n x n symmetric `a`
/// (a = L L^T; the upper triangle is zeroed). False if `a` is not positive
/// definite.
bool choleskyLower(std::vector<double> &a, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    double *rowJ = a.data() + j * n;
    double d = rowJ[j];
    for (int64_t k = 0; k < j; ++k)
      d -= rowJ[k] * rowJ[k];
    if (!(d > 0.0) || !std::isfinite(d))
      return false;
    double ljj = std::sqrt(d);
    rowJ[j] = ljj;
    for (int64_t i = j + 1; i < n; ++i) {
      double *rowI = a.data() + i * n;
      double v = rowI[j];
      for (int64_t k = 0; k < j; ++k)
        v -= rowI[k] * rowJ[k];
      rowI[j] = v / ljj;
    }
    for (int64_t k = j + 1; k < n; ++k)
      rowJ[k] = 0.0;
  }
  return true;
}

/// The upper factor U of H^-1 = U^T U for the positive definite `h`, or
/// false. H = L L^T gives H^-1 = L^-T L^-1; U is then the transposed
/// Cholesky factor of that product.
bool inverseCholeskyUpper(std::vector<double> h, int64_t n,
                          std::vector<double> &u) {
  if (!choleskyLower(h, n))
    return false;
  // M = L^-1 (lower triangular), column by column by forward substitution.
  std::vector<double> m(n * n, 0.0);
  for (int64_t c = 0; c < n; ++c) {
    m[c * n + c] = 1.0 / h[c * n + c];
    for (int64_t i = c + 1; i < n; ++i) {
      double v = 0.0;
      for (int64_t k = c; k < i; ++k)
        v -= h[i * n + k] * m[k * n + c];
      m[i * n + c] = v / h[i * n + i];
    }
  }
  // H^-1 = M^T M: (i, j) = sum over k >= max(i, j) of M_ki M_kj.
  std::vector<double> inverse(n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i; j < n; ++j) {
      double v = 0.0;
      for (int64_t k = j; k < n; ++k)
        v += m[k * n + i] * m[k * n + j];
      inverse[i * n + j] = inverse[j * n + i] = v;
    }
  if (!choleskyLower(inverse, n))
    return false;
  u.assign(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j)
      u[j * n + i] = inverse[i * n + j];
  return true;
}

QuantParams gridOf(double scale, int32_t qmax) {
  QuantParams p;
  p.scale = scale;
  p.zeroPoint = 0;
  p.qmin = -qmax;
  p.qmax = qmax;
  return p;
}

} // namespace

std::optional<std::vector<int32_t>>
mlir::qnt::gptq(const GptqLayer &layer, const GptqOptions &options,
                const ParallelRange &parallel) {
  const int64_t n = layer.features, rows = layer.rows;
  // The feature order: as given, or by decreasing activity.
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (options.actOrder)
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      double da = layer.hessian[a * n + a], db = layer.hessian[b * n + b];
      return da > db || (da == db && a < b); // ties in index order
    });

  // H in that order; a dead feature's diagonal becomes 1 (its row and
  // column are 0), then the dampening.
  std::vector<double> h(n * n);
  double trace = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      h[i * n + j] = layer.hessian[order[i] * n + order[j]];
  for (int64_t i = 0; i < n; ++i) {
    if (h[i * n + i] == 0.0)
      h[i * n + i] = 1.0;
    trace += h[i * n + i];
  }
  double damp = options.dampening * trace / std::max<int64_t>(n, 1);
  for (int64_t i = 0; i < n; ++i)
    h[i * n + i] += damp;
  std::vector<double> u;
  if (n > 0 && !inverseCholeskyUpper(std::move(h), n, u))
    return std::nullopt;

  std::vector<int32_t> q(rows * n);
  auto runRows = [&](int64_t begin, int64_t end) {
    std::vector<double> w(n), s(n);
    for (int64_t r = begin; r < end; ++r) {
      for (int64_t i = 0; i < n; ++i) {
        w[i] = layer.weights[r * n + order[i]];
        s[i] = layer.scales[r * n + order[i]];
      }
      for (int64_t i = 0; i < n; ++i) {
        int32_t v =
            quantize(static_cast<float>(w[i]), gridOf(s[i], layer.qmax));
        q[r * n + order[i]] = v;
        double e = (w[i] - s[i] * v) / u[i * n + i];
        const double *ui = u.data() + i * n;
        for (int64_t j = i + 1; j < n; ++j)
          w[j] -= e * ui[j];
      }
    }
  };
  if (parallel)
    parallel(rows, runRows);
  else
    runRows(0, rows);
  return q;
}

std::vector<int32_t> mlir::qnt::gptqRoundToNearest(const GptqLayer &layer) {
  std::vector<int32_t> q(layer.rows * layer.features);
  for (size_t k = 0; k < q.size(); ++k)
    q[k] = quantize(layer.weights[k], gridOf(layer.scales[k], layer.qmax));
  return q;
}

double mlir::qnt::gptqOutputError(const GptqLayer &layer,
                                  const std::vector<int32_t> &q) {
  const int64_t n = layer.features;
  double total = 0.0;
  std::vector<double> d(n);
  for (int64_t r = 0; r < layer.rows; ++r) {
    for (int64_t i = 0; i < n; ++i)
      d[i] = layer.scales[r * n + i] * q[r * n + i] - layer.weights[r * n + i];
    for (int64_t i = 0; i < n; ++i) {
      if (d[i] == 0.0)
        continue;
      double v = 0.0;
      for (int64_t j = 0; j < n; ++j)
        v += layer.hessian[i * n + j] * d[j];
      total += d[i] * v;
    }
  }
  return total;
}
