//===- Gptq.h - GPTQ: weight rounding with error feedback -------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// GPTQ (Frantar et al., "GPTQ: Accurate Post-Training Quantization for
// Generative Pre-trained Transformers", ICLR 2023), for the rows w (one per
// output channel) of a linear layer whose inputs x have the second moment
// H = E[x x^T]. The input features are quantized one at a time; the error
// each one makes is spread over the features not yet quantized so that the
// layer's output error E[((w_q - w) x)^2] stays small (Optimal Brain
// Quantization with a fixed order):
//
//   H += dampening * mean(diag H) * I
//   U  = the upper Cholesky factor of H^-1   (H^-1 = U^T U)
//   for i in order:  q_i = round(w_i / s_i) clipped to [-qmax, qmax]
//                    e   = (w_i - s_i q_i) / U_ii
//                    w_j -= e * U_ij   for every later j
//
// The scales s are fixed before the loop (the "static groups" form: the
// caller computes them from the original weights, as qnt-quantize does),
// so the integer values this returns are what qnt-quantize stores when the
// pass hands it the same scales. The order is the features' (or, with
// actOrder, decreasing diag H: the most active inputs first). The paper's
// lazy 128-column blocks only reorder the same arithmetic for speed; this
// is the plain row-parallel form. Plain C++ without MLIR, unit-tested in
// test/Unit/GptqTest.cpp; qnt-gptq collects H and rewrites the weights
// (docs/WeightAlgorithms.md).
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_QUANTIZATION_GPTQ_H
#define QUANT_QUANTIZATION_GPTQ_H

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace mlir::qnt {

struct GptqOptions {
  /// Added to H's diagonal, relative to its mean (the paper's 1%).
  double dampening = 0.01;
  /// Quantize the features in decreasing order of H's diagonal.
  bool actOrder = false;
};

/// The rows of a layer and the second moment of its inputs.
struct GptqLayer {
  int64_t rows = 0, features = 0;
  /// rows x features: the float weights and the scale of each.
  const float *weights = nullptr;
  const double *scales = nullptr;
  /// The symmetric integer grid [-qmax, qmax] (127 for int8, 7 for int4).
  int32_t qmax = 127;
  /// features x features, row-major, symmetric positive semi-definite
  /// (undampened).
  const double *hessian = nullptr;
};

/// Runs `body(begin, end)` over [0, n) in chunks, possibly in parallel; the
/// default runs it in one call on the calling thread.
using ParallelRange =
    std::function<void(int64_t n, std::function<void(int64_t, int64_t)>)>;

/// The rows' integer values (rows x features, in [-qmax, qmax]) as GPTQ
/// chooses them, or nullopt when the dampened H is not positive definite
/// (H had a negative eigenvalue, or was all zero). Input features whose
/// diagonal is 0 (never active) take no error and pass none on.
std::optional<std::vector<int32_t>> gptq(const GptqLayer &layer,
                                         const GptqOptions &options,
                                         const ParallelRange &parallel = {});

/// Round-to-nearest (QuantMath's quantize(): f32 quotient, half to even),
/// clipped: the baseline GPTQ improves.
std::vector<int32_t> gptqRoundToNearest(const GptqLayer &layer);

/// E[((s q - w) x)^2] summed over the rows: the layer's output error on
/// the inputs H was taken from.
double gptqOutputError(const GptqLayer &layer, const std::vector<int32_t> &q);

} // namespace mlir::qnt

#endif // QUANT_QUANTIZATION_GPTQ_H
