//===- QuantMath.cpp - Scales, zero points and fixed-point requantization -===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Quantization/QuantMath.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;

/// Round half to even, as std::nearbyint does in the default FP
/// environment, but without depending on it.
/// The f32 value nearest to a positive scale (ONNX stores scales as f32),
/// kept in the normal f32 range.
static double toF32Scale(double scale) {
  float f = static_cast<float>(scale);
  if (!(f >= std::numeric_limits<float>::min()))
    f = std::numeric_limits<float>::min();
  if (std::isinf(f))
    f = std::numeric_limits<float>::max();
  return static_cast<double>(f);
}

static double roundHalfEven(double x) {
  double r = std::round(x); // Ties away from zero.
  if (std::fabs(x - std::trunc(x)) == 0.5)
    r = 2.0 * std::round(x / 2.0);
  return r;
}

QuantParams mlir::qnt::chooseQuantParams(double lo, double hi, unsigned bits,
                                         bool symmetric) {
  assert(bits >= 2 && bits <= 16 && "unsupported width");
  assert(lo <= hi && "an ordered range");
  QuantParams p;
  int32_t top = (int32_t(1) << (bits - 1)) - 1;
  if (symmetric) {
    p.qmin = -top;
    p.qmax = top;
    double amax = std::max(std::fabs(lo), std::fabs(hi));
    p.scale = amax > 0 ? toF32Scale(amax / top) : 1.0;
    p.zeroPoint = 0;
    return p;
  }
  p.qmin = -top - 1;
  p.qmax = top;
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (hi - lo <= 0) {
    p.scale = 1.0;
    p.zeroPoint = 0;
    return p;
  }
  p.scale = toF32Scale((hi - lo) / (p.qmax - p.qmin));
  double zp = roundHalfEven(p.qmin - lo / p.scale);
  p.zeroPoint = static_cast<int32_t>(
      std::clamp(zp, static_cast<double>(p.qmin), static_cast<double>(p.qmax)));
  return p;
}

SharedZeroPointSteps
mlir::qnt::chooseSharedZeroPointSteps(const std::vector<double> &lo,
                                      const std::vector<double> &hi) {
  assert(lo.size() == hi.size() && "one range per channel");
  SharedZeroPointSteps best;
  double bestCost = std::numeric_limits<double>::infinity();
  std::vector<double> steps(lo.size());
  // z = -128 + below: `below` levels for negative values, 255 - below for
  // positive ones.
  for (int32_t below = 0; below <= 255; ++below) {
    int32_t above = 255 - below;
    double cost = 0.0;
    bool feasible = true;
    for (size_t c = 0; c < lo.size() && feasible; ++c) {
      double neg = -std::min(lo[c], 0.0), pos = std::max(hi[c], 0.0);
      if ((neg > 0 && below == 0) || (pos > 0 && above == 0)) {
        feasible = false;
        break;
      }
      double step =
          std::max(neg > 0 ? neg / below : 0.0, pos > 0 ? pos / above : 0.0);
      steps[c] = step;
      if (step > 0)
        cost += std::log(step);
    }
    if (feasible && cost < bestCost) {
      bestCost = cost;
      best.zeroPoint = below - 128;
      best.steps = steps;
    }
  }
  if (best.steps.size() != lo.size())
    best.steps.assign(lo.size(), 0.0); // every range is {0}
  return best;
}

int32_t mlir::qnt::quantize(float x, const QuantParams &params) {
  if (std::isnan(x))
    return params.zeroPoint;
  // One f32 division, as ONNX Runtime's QuantizeLinear; the quotient is an
  // f32, which double holds exactly.
  float quotient = x / static_cast<float>(params.scale);
  double q = roundHalfEven(static_cast<double>(quotient)) + params.zeroPoint;
  return static_cast<int32_t>(std::clamp(q, static_cast<double>(params.qmin),
                                         static_cast<double>(params.qmax)));
}

SymmetricWeights
mlir::qnt::quantizeSymmetricWeights(const float *weights, size_t size,
                                    int64_t channels, int64_t inner,
                                    bool perChannel, double minScale) {
  auto channelOf = [&](size_t i) {
    return static_cast<int64_t>(i) / inner % channels;
  };
  std::vector<double> amax(channels, 0.0);
  for (size_t i = 0; i < size; ++i)
    amax[channelOf(i)] = std::max(amax[channelOf(i)],
                                  std::fabs(static_cast<double>(weights[i])));
  if (!perChannel && channels > 0) {
    double all = *std::max_element(amax.begin(), amax.end());
    std::fill(amax.begin(), amax.end(), all);
  }
  std::vector<QuantParams> params;
  SymmetricWeights result;
  for (double a : amax) {
    double bound = std::max(a, minScale * 127);
    params.push_back(chooseQuantParams(-bound, bound, 8, /*symmetric=*/true));
    result.scales.push_back(params.back().scale);
  }
  result.values.resize(size);
  for (size_t i = 0; i < size; ++i)
    result.values[i] =
        static_cast<int8_t>(quantize(weights[i], params[channelOf(i)]));
  return result;
}

SymmetricWeights
mlir::qnt::quantizeGroupedWeights(const float *weights, size_t size,
                                  const std::vector<int64_t> &groupOf,
                                  int64_t groups, unsigned bits) {
  std::vector<double> amax(groups, 0.0);
  for (size_t i = 0; i < size; ++i)
    amax[groupOf[i]] =
        std::max(amax[groupOf[i]], std::fabs(static_cast<double>(weights[i])));
  std::vector<QuantParams> params;
  SymmetricWeights result;
  for (double a : amax) {
    params.push_back(chooseQuantParams(-a, a, bits, /*symmetric=*/true));
    result.scales.push_back(params.back().scale);
  }
  result.values.resize(size);
  for (size_t i = 0; i < size; ++i)
    result.values[i] =
        static_cast<int8_t>(quantize(weights[i], params[groupOf[i]]));
  return result;
}

std::vector<int8_t> mlir::qnt::quantizeWithScales(
    const float *weights, size_t size, const std::vector<int64_t> &slotOf,
    const std::vector<double> &scales, unsigned bits) {
  int32_t qmax = (1 << (bits - 1)) - 1;
  std::vector<int8_t> values(size);
  for (size_t i = 0; i < size; ++i) {
    QuantParams p;
    p.scale = scales[slotOf[i]];
    p.zeroPoint = 0;
    p.qmin = -qmax;
    p.qmax = qmax;
    values[i] = static_cast<int8_t>(quantize(weights[i], p));
  }
  return values;
}

std::optional<FixedPointMultiplier> mlir::qnt::toFixedPoint(double real) {
  if (!(real > 0) || !std::isfinite(real))
    return std::nullopt;
  int exponent = 0;
  double mantissa = std::frexp(real, &exponent); // real = mantissa * 2^exp
  int64_t multiplier = std::llround(std::ldexp(mantissa, 31));
  if (multiplier == (int64_t(1) << 31)) { // Rounded up to the next power.
    multiplier /= 2;
    ++exponent;
  }
  int32_t shift = 31 - exponent;
  if (shift < 1 || shift > 62)
    return std::nullopt;
  return FixedPointMultiplier{static_cast<int32_t>(multiplier), shift};
}

int64_t mlir::qnt::applyFixedPoint(int32_t value, FixedPointMultiplier m) {
  assert(m.shift >= 1 && m.shift <= 62 && "TOSA's shift range");
  // |value * multiplier| < 2^62 and the rounding term is at most 2^61, so
  // the sum fits int64; >> on a negative int64 is an arithmetic shift
  // (floor), which C++20 guarantees and every supported compiler does.
  int64_t product = static_cast<int64_t>(value) * m.multiplier;
  int64_t round = int64_t(1) << (m.shift - 1);
  return (product + round) >> m.shift;
}

int32_t mlir::qnt::requantize(int32_t acc, FixedPointMultiplier m,
                              int32_t zeroPoint, int32_t qmin, int32_t qmax) {
  int64_t q = applyFixedPoint(acc, m) + zeroPoint;
  return static_cast<int32_t>(std::clamp<int64_t>(q, qmin, qmax));
}

std::optional<SumMultipliers> mlir::qnt::toSumMultipliers(double ra, double rb,
                                                          bool subtract) {
  if (!(ra > 0) || !(rb > 0) || !std::isfinite(ra) || !std::isfinite(rb))
    return std::nullopt;
  double larger = std::max(ra, rb);
  // The largest shift <= 31 with round(larger * 2^shift) < 2^21.
  int32_t shift = 31;
  while (shift >= 1 && std::llround(std::ldexp(larger, shift)) >= (1 << 21))
    --shift;
  if (shift < 1 || std::llround(std::ldexp(larger, shift)) < (1 << 20))
    return std::nullopt;
  int64_t a = std::llround(std::ldexp(ra, shift));
  int64_t b = std::llround(std::ldexp(rb, shift));
  return SumMultipliers{static_cast<int32_t>(a),
                        static_cast<int32_t>(subtract ? -b : b), shift};
}

int32_t mlir::qnt::requantizeSum(int32_t da, int32_t db, SumMultipliers m,
                                 int32_t zeroPoint, int32_t qmin,
                                 int32_t qmax) {
  assert(da >= -255 && da <= 255 && db >= -255 && db <= 255 && m.shift >= 1 &&
         m.shift <= 31 && "int8 operands, int32 shift");
  // The int32 arithmetic of the lowering: no step can wrap (see the header).
  int32_t v = da * m.a + db * m.b + (int32_t(1) << (m.shift - 1));
  int32_t out = (v >> m.shift) + zeroPoint;
  return std::min(std::max(out, qmin), qmax);
}
