//===- AdaRound.h - Learned up/down rounding of weights ---------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// AdaRound (Nagel et al., "Up or Down? Adaptive Rounding for Post-Training
// Quantization", ICML 2020), the layer-wise form: for the rows w (one per
// output channel) of a linear layer whose inputs x have the second moment
// H = E[x x^T], choose for every weight whether to round its grid position
// w / s down or up so that the layer's output error E[((w_q - w) x)^2] is
// small, instead of rounding each weight to its nearest grid point alone.
//
// The choice is relaxed to h = clip(sigmoid(v) * (zeta - gamma) + gamma,
// 0, 1) in [0, 1] per weight (w_q = s * (floor(w / s) + h)) and v is
// optimized with Adam on
//
//   E[((w_q - w) x)^2] / E[((w_nearest - w) x)^2]
//       + lambda * mean(1 - |2h - 1|^beta),
//
// the regularizer's beta annealed from 20 to 2 after a warm-up without it,
// so that h ends at 0 or 1; then h is rounded. The reconstruction term is
// normalized by the row's round-to-nearest error so that lambda means the
// same on every layer whatever its scale (the paper's loss is not
// normalized). Plain C++ without MLIR, unit-tested against brute force
// (test/Unit/AdaRoundTest.cpp); qnt-adaround collects H and rewrites the
// weights (docs/AdaRound.md).
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_QUANTIZATION_ADAROUND_H
#define QUANT_QUANTIZATION_ADAROUND_H

#include <cstdint>
#include <vector>

namespace mlir::qnt {

struct AdaRoundOptions {
  /// Adam steps.
  int64_t iterations = 500;
  /// Weight of the rounding regularizer (lambda above). Small values leave
  /// h between 0 and 1 until the final rounding, which then undoes most of
  /// the gain; on random correlated layers (test/Unit/AdaRoundTest.cpp)
  /// every lambda from 3 to 30 gives the same result, 1 does worse.
  double regularization = 10.0;
  /// Adam's step size on v.
  double learningRate = 0.1;
  /// Fraction of the steps before the regularizer starts.
  double warmup = 0.2;
  /// The regularizer's exponent, annealed linearly from start to end.
  double betaStart = 20.0, betaEnd = 2.0;
};

/// One block of rows of a layer that share the input moment `hessian`
/// (features x features, row-major, symmetric positive semi-definite).
struct AdaRoundRows {
  int64_t rows = 0, features = 0;
  /// rows x features: the float weights and the scale of each.
  const float *weights = nullptr;
  const double *scales = nullptr;
  /// The symmetric integer grid [-qmax, qmax] (127 for int8, 7 for int4).
  int32_t qmax = 127;
  const float *hessian = nullptr;
};

/// The rows' integer values (rows x features, in [-qmax, qmax]) as AdaRound
/// chooses them. A weight whose two candidates clip to the same value, or
/// that lies on the grid, gets that value; so does every weight of a row
/// whose nearest-rounding error is 0 (nothing to improve).
std::vector<int32_t> adaRound(const AdaRoundRows &rows,
                              const AdaRoundOptions &options);

/// The rows' values rounded to nearest (half away from zero, as
/// QuantMath's quantize()) and clipped: the baseline AdaRound improves.
std::vector<int32_t> roundToNearest(const AdaRoundRows &rows);

/// E[((s q - w) x)^2] of every row of `q` (rows x features), summed: the
/// layer-wise reconstruction error AdaRound minimizes.
double reconstructionError(const AdaRoundRows &rows,
                           const std::vector<int32_t> &q);

} // namespace mlir::qnt

#endif // QUANT_QUANTIZATION_ADAROUND_H
