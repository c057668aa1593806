//===- QuantMath.h - Scales, zero points and fixed-point requantization -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The integer arithmetic every int8 path of quant must agree on, in one
// place (docs/Numerics.md, "Integer semantics"): how a calibrated range
// becomes a scale and zero point, how a float is quantized (ONNX
// QuantizeLinear: round half to even, saturate), and how an int32
// accumulator is requantized with a fixed-point multiplier (TOSA rescale,
// single rounding: ties toward +infinity). The quantization passes, the
// reference lowering and the tests use these functions; generated kernels
// must match them bit for bit. Plain C++ with no MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_QUANTIZATION_QUANTMATH_H
#define QUANT_QUANTIZATION_QUANTMATH_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::qnt {

/// Affine quantization: real = scale * (q - zeroPoint), q in [qmin, qmax].
struct QuantParams {
  double scale = 1.0;
  int32_t zeroPoint = 0;
  int32_t qmin = -128, qmax = 127;
};

/// The parameters for values calibrated to [lo, hi] on a signed `bits`-bit
/// grid (2 <= bits <= 16).
///
/// Asymmetric (activations): the range is first widened to contain 0, then
/// mapped onto [-2^(bits-1), 2^(bits-1) - 1]; the zero point is rounded
/// (half to even) and clamped to the grid, so real 0 is exactly
/// representable. Symmetric (weights): zero point 0 and the narrow grid
/// [-(2^(bits-1) - 1), 2^(bits-1) - 1], scale = max(|lo|, |hi|) / qmax, so
/// the grid is symmetric around 0 (no -128: its products cannot overflow
/// int16 pairs on AVX2). An all-zero range gets scale 1. Scales are f32
/// values (the nearest to the exact quotient), as ONNX stores them, so that
/// a QDQ export carries them exactly.
QuantParams chooseQuantParams(double lo, double hi, unsigned bits,
                              bool symmetric);

/// Steps of per-channel int8 grids [-128, 127] that share one zero point z:
/// channel c's range [lo[c], hi[c]] (widened to contain 0) fits
/// [(-128 - z) * steps[c], (127 - z) * steps[c]], with z the one that
/// minimizes the sum of log(steps[c]) (the geometric mean step) over the
/// channels whose range is not {0}; those keep step 0. qnt-equalize-
/// activations divides channel c by steps[c] / max(steps), after which one
/// per-tensor grid is every channel's own grid.
struct SharedZeroPointSteps {
  int32_t zeroPoint = -128;
  std::vector<double> steps;
};
SharedZeroPointSteps chooseSharedZeroPointSteps(const std::vector<double> &lo,
                                                const std::vector<double> &hi);

/// ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zeroPoint),
/// with the division in f32 (`scale` rounded to f32) as ONNX Runtime does.
/// NaN quantizes to the zero point.
int32_t quantize(float x, const QuantParams &params);

/// Weights quantized symmetric int8 on [-127, 127].
struct SymmetricWeights {
  std::vector<int8_t> values;
  /// One scale per channel (all equal when per tensor).
  std::vector<double> scales;
};

/// Quantizes `size` f32 weights whose element i belongs to channel
/// (i / inner) % channels: per channel (one scale each) or per tensor (the
/// largest |w| sets one scale for all). A channel's range is floored at
/// minScale * 127, so that a (near-)dead channel keeps a representable
/// requantization multiplier (its weights then round to 0). qnt-quantize
/// stores the result; bias correction predicts it.
SymmetricWeights quantizeSymmetricWeights(const float *weights, size_t size,
                                          int64_t channels, int64_t inner,
                                          bool perChannel, double minScale);

/// Weights quantized symmetric on the narrow `bits`-bit grid
/// [-(2^(bits-1) - 1), 2^(bits-1) - 1] with one scale per group (int4
/// group-wise weights: bits = 4). Element i belongs to group groupOf[i] in
/// [0, groups); a group's scale is its largest |w| / qmax (f32, as
/// chooseQuantParams makes it; an all-zero group gets scale 1).
SymmetricWeights quantizeGroupedWeights(const float *weights, size_t size,
                                        const std::vector<int64_t> &groupOf,
                                        int64_t groups, unsigned bits);

/// Weights quantized symmetric on the narrow `bits`-bit grid with given
/// scales: element i with scales[slotOf[i]] (QuantParams's rounding). For
/// weights whose scales a rounding pass chose (qnt.weight_scales).
std::vector<int8_t> quantizeWithScales(const float *weights, size_t size,
                                       const std::vector<int64_t> &slotOf,
                                       const std::vector<double> &scales,
                                       unsigned bits);

/// The longest reduction an int8 x int8 product of two asymmetric
/// activations may have: |(a - za) * (b - zb)| <= 255^2, so K of these
/// sum within int32.
constexpr int64_t kMaxActivationProductK = 2147483647 / (255 * 255);

/// real ~= multiplier * 2^-shift with multiplier in [2^30, 2^31).
struct FixedPointMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;
};

/// The fixed-point form of a positive real multiplier, the multiplier
/// rounded to nearest (relative error <= 2^-31). nullopt if the shift would
/// leave [1, 62], i.e. outside about [2^-32, 2^30] (TOSA rescale's range).
std::optional<FixedPointMultiplier> toFixedPoint(double real);

/// (value * multiplier + 2^(shift-1)) >> shift in 64-bit arithmetic: the
/// product rounded to the nearest integer, ties toward +infinity (TOSA
/// rescale with rounding_mode = SINGLE_ROUND). Exact for every int32 value.
int64_t applyFixedPoint(int32_t value, FixedPointMultiplier m);

/// An int32 accumulator to the output grid:
/// clamp(applyFixedPoint(acc, m) + zeroPoint, qmin, qmax).
int32_t requantize(int32_t acc, FixedPointMultiplier m, int32_t zeroPoint,
                   int32_t qmin, int32_t qmax);

/// The sum of two int8 operands on other grids (int8 add and sub,
/// docs/Numerics.md "Int8 element-wise ops"): with d = q - zeroPoint of
/// each operand and r = its scale / the output scale,
///   out = clamp(((da * a + db * b + 2^(shift-1)) >> shift) + zo, qmin, qmax)
/// where a ~= ra * 2^shift and b ~= rb * 2^shift (b negated for sub) share
/// one shift, the larger of |a|, |b| in [2^20, 2^21), so every step is
/// exact int32 arithmetic (|da|, |db| <= 255: the sum plus the rounding
/// term stays below 2^31).
struct SumMultipliers {
  int32_t a = 0, b = 0;
  int32_t shift = 0;
};

/// The multipliers for ra, rb > 0 (`subtract`: b = -round(rb * 2^shift)).
/// nullopt when the shift would leave [1, 31]: the larger ratio at least
/// 2^20 (an output grid 10^6 times finer than its inputs) or below 2^-11
/// (every operand step under a thousandth of an output step).
std::optional<SumMultipliers> toSumMultipliers(double ra, double rb,
                                               bool subtract);

/// The int8 sum above for da, db in [-255, 255].
int32_t requantizeSum(int32_t da, int32_t db, SumMultipliers m,
                      int32_t zeroPoint, int32_t qmin, int32_t qmax);

/// The longest mean an int8 average pool may take: |q - zp| <= 255, so
/// this many of them sum within int32.
constexpr int64_t kMaxPoolWindow = 2147483647 / 255;

} // namespace mlir::qnt

#endif // QUANT_QUANTIZATION_QUANTMATH_H
