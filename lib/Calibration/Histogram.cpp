//===- Histogram.cpp - Streaming histograms and range selection -----------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/Histogram.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;

//===----------------------------------------------------------------------===//
// StreamingHistogram
//===----------------------------------------------------------------------===//

/// floor(j / 2^d) for d >= 0; for j < 0 it is -ceil(-j / 2^d), i.e.
/// ~(~j >> d) with ~j = -j - 1 >= 0. Past 62 bits every index is 0 or -1.
static int64_t shiftDown(int64_t j, int d) {
  if (d >= 63)
    return j < 0 ? -1 : 0;
  return j >= 0 ? j >> d : ~(~j >> d);
}

/// floor(x) of a double whose magnitude is below 2^62 (truncation and a
/// fix-up: std::floor is a libm call on baseline x86-64, and binning is most
/// of calibration's time).
static inline int64_t floorToInt(double x) {
  int64_t j = static_cast<int64_t>(x);
  return j - (x < static_cast<double>(j));
}

StreamingHistogram::StreamingHistogram(unsigned numBins)
    : numBins(numBins ? std::max(numBins, 16u) : 0),
      min(std::numeric_limits<double>::infinity()),
      max(-std::numeric_limits<double>::infinity()) {}

double StreamingHistogram::gridWidth(double lo, double hi) const {
  assert(lo < hi && "a grid needs two distinct values");
  // Any grid that fits has w >= (hi - lo) / numBins; start one power below
  // that bound (the subtraction may round) and take the first that fits.
  // lo and hi are floats, so hi - lo is at least one ulp of the larger and
  // every index floor(x / w) stays below 2^50: exact in a double.
  int e = std::ilogb((hi - lo) / numBins) - 1;
  int64_t top = numBins - 1;
  for (;; ++e) {
    double w = std::ldexp(1.0, e);
    if (std::floor(hi / w) - std::floor(lo / w) <= static_cast<double>(top))
      return w;
  }
}

void StreamingHistogram::regrid(double lo, double hi) {
  if (lo == hi) { // Still a single value: no grid.
    min = lo;
    max = hi;
    return;
  }
  double newWidth = gridWidth(lo, hi);
  int64_t newFirst = floorToInt(lo / newWidth);
  std::vector<uint64_t> moved(numBins, 0);
  int64_t top = numBins - 1;
  if (width == 0) {
    // Every value so far was `min`.
    if (count)
      moved[std::clamp<int64_t>(floorToInt(min / newWidth) - newFirst, 0,
                                top)] += count;
  } else {
    // Both widths are powers of two and newWidth >= width.
    int d = std::ilogb(newWidth) - std::ilogb(width);
    for (unsigned i = 0; i < numBins; ++i)
      if (counts[i])
        moved[std::clamp<int64_t>(shiftDown(first + i, d) - newFirst, 0,
                                  top)] += counts[i];
  }
  counts = std::move(moved);
  width = newWidth;
  first = newFirst;
  min = lo;
  max = hi;
}

/// Whether `x` is neither infinite nor NaN, as a select the compiler can
/// vectorize (std::isfinite is a call on baseline x86-64).
static inline bool isFiniteFloat(float x) {
  return std::fabs(x) <= std::numeric_limits<float>::max();
}

void StreamingHistogram::add(const float *values, size_t size) {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  size_t bad = 0;
  for (size_t i = 0; i < size; ++i) {
    float x = values[i];
    bool finite = isFiniteFloat(x);
    bad += !finite;
    lo = finite && x < lo ? x : lo;
    hi = finite && x > hi ? x : hi;
  }
  nonFinite += bad;
  uint64_t good = size - bad;
  if (!good)
    return;
  double newMin = std::min<double>(min, lo), newMax = std::max<double>(max, hi);
  if (numBins == 0) { // Extremes only.
    min = newMin;
    max = newMax;
    count += good;
    return;
  }
  if (newMin != min || newMax != max)
    regrid(newMin, newMax);
  if (width == 0) { // Still one distinct value.
    count += good;
    return;
  }
  count += good;

  // Bin floor(x / w) - first: x / w is exact (w is a power of two), so a
  // value's bin depends only on the grid, never on when it was added.
  double inverse = 1.0 / width;
  int64_t base = first, top = numBins - 1;
  uint64_t *bins = counts.data();
  auto binOf = [&](float x) {
    return std::clamp<int64_t>(floorToInt(x * inverse) - base, 0, top);
  };
  if (bad == 0) {
    for (size_t i = 0; i < size; ++i)
      ++bins[binOf(values[i])];
  } else {
    for (size_t i = 0; i < size; ++i)
      if (isFiniteFloat(values[i]))
        ++bins[binOf(values[i])];
  }
}

void StreamingHistogram::merge(const StreamingHistogram &other) {
  assert(other.numBins == numBins && "merging histograms of different sizes");
  nonFinite += other.nonFinite;
  if (!other.count)
    return;
  double newMin = std::min(min, other.min), newMax = std::max(max, other.max);
  if (numBins == 0) {
    min = newMin;
    max = newMax;
    count += other.count;
    return;
  }
  if (newMin != min || newMax != max)
    regrid(newMin, newMax);
  if (width == 0) { // Both saw the same single value.
    count += other.count;
    return;
  }
  int64_t top = numBins - 1;
  if (other.width == 0) {
    counts[std::clamp<int64_t>(floorToInt(other.min / width) - first, 0,
                               top)] += other.count;
  } else {
    int d = std::ilogb(width) - std::ilogb(other.width);
    for (unsigned i = 0; i < numBins; ++i)
      if (other.counts[i])
        counts[std::clamp<int64_t>(shiftDown(other.first + i, d) - first, 0,
                                   top)] += other.counts[i];
  }
  count += other.count;
}

std::optional<StreamingHistogram> StreamingHistogram::fromParts(
    unsigned numBins, uint64_t count, uint64_t nonFinite, double min,
    double max, double width, int64_t first, std::vector<uint64_t> counts,
    std::string &error) {
  StreamingHistogram h(numBins);
  if (h.numBins != numBins) {
    error = "a histogram has 0 or at least 16 bins";
    return std::nullopt;
  }
  h.count = count;
  h.nonFinite = nonFinite;
  if (count == 0) {
    if (width != 0 || !counts.empty()) {
      error = "bins without values";
      return std::nullopt;
    }
    return h;
  }
  if (!(std::isfinite(min) && std::isfinite(max) && min <= max) ||
      static_cast<double>(static_cast<float>(min)) != min ||
      static_cast<double>(static_cast<float>(max)) != max) {
    error = "min and max must be float values with min <= max";
    return std::nullopt;
  }
  h.min = min;
  h.max = max;
  if (numBins == 0 || min == max) {
    if (width != 0 || !counts.empty()) {
      error = "a grid where there should be none";
      return std::nullopt;
    }
    return h;
  }
  double expected = h.gridWidth(min, max);
  if (width != expected || first != floorToInt(min / width)) {
    error = "the grid is not the one [min, max] gives";
    return std::nullopt;
  }
  if (counts.size() != numBins) {
    error = "expected " + std::to_string(numBins) + " bins, got " +
            std::to_string(counts.size());
    return std::nullopt;
  }
  uint64_t sum = 0;
  for (uint64_t c : counts) {
    if (c > count - sum) {
      error = "the bins hold more values than the count";
      return std::nullopt;
    }
    sum += c;
  }
  if (sum != count) {
    error = "the bins do not add up to the count";
    return std::nullopt;
  }
  h.width = width;
  h.first = first;
  h.counts = std::move(counts);
  return h;
}

//===----------------------------------------------------------------------===//
// Methods
//===----------------------------------------------------------------------===//

/// The value below which a fraction `q` of the histogram's mass lies,
/// interpolating linearly inside the bin that crosses it. In the outermost
/// occupied bins it is the observed extreme instead: their mass is not
/// spread over the bin (a ReLU's zeros all sit at 0, not across [0, w)).
static double quantile(const StreamingHistogram &h, double q) {
  const std::vector<uint64_t> &counts = h.getCounts();
  size_t firstUsed = 0, lastUsed = counts.size() - 1;
  while (firstUsed < lastUsed && !counts[firstUsed])
    ++firstUsed;
  while (lastUsed > firstUsed && !counts[lastUsed])
    --lastUsed;
  double target = q * static_cast<double>(h.getCount());
  double seen = 0;
  for (size_t i = firstUsed; i <= lastUsed; ++i) {
    double c = static_cast<double>(counts[i]);
    if (c > 0 && seen + c >= target) {
      if (i == firstUsed)
        return h.getMin();
      if (i == lastUsed)
        return h.getMax();
      double fraction = std::clamp((target - seen) / c, 0.0, 1.0);
      return (h.getFirstBin() + static_cast<double>(i) + fraction) *
             h.getBinWidth();
    }
    seen += c;
  }
  return h.getMax();
}

/// TensorRT's entropy calibration on the |x| histogram `bins` (bin j covers
/// [j*w, (j+1)*w)): the number of leading bins i >= `levels` whose clipped
/// distribution P (the tail added to bin i-1) loses the least information,
/// KL(P || Q), when merged into `levels` quantization bins and expanded back
/// (Q spreads each merged count over the bins where P is non-zero). A
/// candidate where Q is empty but P is not (the tail lands in an empty
/// chunk) has infinite divergence and is skipped, as in TensorRT and
/// pytorch-quantization.
///
/// Two guards differ from TensorRT, both because KL only compares shapes
/// inside the threshold and never sees how far the clipped values move:
/// - a candidate may clip at most `kMaxClippedFraction` of the values:
///   clipping nearly everything into the last bin scores ~0 on data whose
///   magnitudes never come near zero;
/// - the clipped values' squared error (bin centers to the threshold) may
///   not exceed the rounding noise of the candidate's grid (step^2 / 12 per
///   value inside it, step = threshold / levels). Without it, a ReLU6
///   layer's spike of values at 6 (0.3-0.8% of them) was clipped to 3:
///   the Fashion-MNIST dw-separable net lost 0.9 points at int8.
static constexpr double kMaxClippedFraction = 0.01;

static size_t entropyThresholdBins(const std::vector<double> &bins,
                                   size_t levels) {
  size_t n = bins.size();
  if (n <= levels)
    return n;
  double total = 0;
  for (double b : bins)
    total += b;
  // suffix[i] = sum(bins[i:]); suffix1/2 weigh bin j by its center
  // c_j = j + 0.5 (in bins) and c_j^2, so the clipping error at i,
  // sum_{j>=i} bins[j] (c_j - i)^2, is suffix2 - 2 i suffix1 + i^2 suffix.
  std::vector<double> suffix(n + 1, 0.0), suffix1(n + 1, 0.0),
      suffix2(n + 1, 0.0);
  for (size_t i = n; i-- > 0;) {
    double c = static_cast<double>(i) + 0.5;
    suffix[i] = suffix[i + 1] + bins[i];
    suffix1[i] = suffix1[i + 1] + bins[i] * c;
    suffix2[i] = suffix2[i + 1] + bins[i] * c * c;
  }

  double bestDivergence = std::numeric_limits<double>::infinity();
  size_t best = n;
  std::vector<double> p(n), q(n);
  for (size_t i = levels; i <= n; ++i) {
    if (suffix[i] > kMaxClippedFraction * total)
      continue;
    double t = static_cast<double>(i), step = t / levels;
    double clipError = suffix2[i] - 2 * t * suffix1[i] + t * t * suffix[i];
    if (clipError > (total - suffix[i]) * step * step / 12)
      continue;
    for (size_t j = 0; j < i; ++j)
      p[j] = bins[j];
    p[i - 1] += suffix[i];
    size_t merge = i / levels;
    double qTotal = 0;
    for (size_t chunk = 0; chunk < levels; ++chunk) {
      size_t begin = chunk * merge;
      size_t end = chunk + 1 == levels ? i : begin + merge;
      double sum = 0;
      size_t nonZero = 0;
      for (size_t j = begin; j < end; ++j) {
        sum += bins[j];
        nonZero += p[j] > 0;
      }
      for (size_t j = begin; j < end; ++j)
        q[j] = p[j] > 0 ? sum / nonZero : 0;
      qTotal += sum;
    }
    if (qTotal <= 0)
      continue;
    double divergence = 0;
    bool finite = true;
    for (size_t j = 0; j < i && finite; ++j) {
      if (p[j] <= 0)
        continue;
      finite = q[j] > 0;
      double pj = p[j] / total, qj = q[j] / qTotal;
      divergence += pj * std::log(pj / qj);
    }
    if (finite && divergence < bestDivergence) {
      bestDivergence = divergence;
      best = i;
    }
  }
  return best;
}

static CalibratedRange entropyRange(const StreamingHistogram &h,
                                    unsigned bits) {
  // Fold the signed grid into |x| bins: grid bin j >= 0 holds |x| in
  // [j*w, (j+1)*w), and j < 0 holds |x| in (-(j+1)*w, -j*w], i.e. |x| bin
  // -j-1. The grid is anchored at 0, so folding is exact.
  const std::vector<uint64_t> &counts = h.getCounts();
  int64_t first = h.getFirstBin();
  int64_t last = first + static_cast<int64_t>(counts.size()) - 1;
  int64_t absBins =
      std::max<int64_t>(last >= 0 ? last + 1 : 0, first < 0 ? -first : 0);
  // Data far from zero spans many more |x| bins than the grid has: merge
  // them (exactly, by an integer factor) back to at most the grid's size.
  int64_t merge = (absBins + counts.size() - 1) / counts.size();
  std::vector<double> bins((absBins + merge - 1) / merge, 0.0);
  for (size_t i = 0; i < counts.size(); ++i) {
    int64_t j = first + static_cast<int64_t>(i);
    int64_t a = j >= 0 ? j : -j - 1;
    bins[a / merge] += static_cast<double>(counts[i]);
  }
  double width = h.getBinWidth() * merge;
  bool twoSided = h.getMin() < 0 && h.getMax() > 0;
  size_t levels = size_t(1) << (twoSided ? bits - 1 : bits);
  double threshold = entropyThresholdBins(bins, levels) * width;
  double lo = std::max(h.getMin(), -threshold);
  double hi = std::min(h.getMax(), threshold);
  if (h.getMin() >= 0)
    lo = h.getMin();
  if (h.getMax() <= 0)
    hi = h.getMax();
  return {lo, std::max(lo, hi)};
}

/// The edge pair [a, b] minimizing the expected squared error of a uniform
/// 2^bits-level quantizer on [a, b]: values outside are clipped (error
/// (a - c)^2 or (c - b)^2 at each bin's center c), values inside round
/// (step^2 / 12 each). Prefix sums make every candidate O(1).
static CalibratedRange mseRange(const StreamingHistogram &h, unsigned bits) {
  const std::vector<uint64_t> &counts = h.getCounts();
  size_t n = counts.size();
  double w = h.getBinWidth();
  size_t loBin = 0, hiBin = n - 1;
  while (loBin < n && !counts[loBin])
    ++loBin;
  while (hiBin > loBin && !counts[hiBin])
    --hiBin;
  // Coordinates relative to the grid's first edge keep the sums well
  // conditioned for data far from zero.
  std::vector<double> s0(n + 1, 0), s1(n + 1, 0), s2(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    double c = counts[i], u = (i + 0.5) * w;
    s0[i + 1] = s0[i] + c;
    s1[i + 1] = s1[i] + c * u;
    s2[i + 1] = s2[i] + c * u * u;
  }
  double steps = std::ldexp(1.0, bits) - 1;
  double best = std::numeric_limits<double>::infinity();
  size_t bestA = loBin, bestB = hiBin + 1;
  for (size_t ea = loBin; ea <= hiBin; ++ea) {
    double a = ea * w;
    double belowCount = s0[ea] - s0[loBin];
    double below = a * a * belowCount - 2 * a * (s1[ea] - s1[loBin]) +
                   (s2[ea] - s2[loBin]);
    for (size_t eb = hiBin + 1; eb > ea; --eb) {
      double b = eb * w;
      double aboveCount = s0[hiBin + 1] - s0[eb];
      double above = (s2[hiBin + 1] - s2[eb]) -
                     2 * b * (s1[hiBin + 1] - s1[eb]) + b * b * aboveCount;
      double inside = s0[eb] - s0[ea];
      double step = (b - a) / steps;
      double error = below + above + inside * step * step / 12;
      if (error < best) {
        best = error;
        bestA = ea;
        bestB = eb;
      }
    }
  }
  double origin = h.getFirstBin() * w;
  double lo = std::max(h.getMin(), origin + bestA * w);
  double hi = std::min(h.getMax(), origin + bestB * w);
  return {lo, std::max(lo, hi)};
}

std::optional<CalibratedRange>
mlir::qnt::chooseRange(const StreamingHistogram &histogram,
                       const RangeOptions &options) {
  if (histogram.getCount() == 0)
    return std::nullopt;
  double min = histogram.getMin(), max = histogram.getMax();
  if (histogram.getBinWidth() == 0 ||
      options.method == CalibrationMethod::MinMax)
    return CalibratedRange{min, max};
  switch (options.method) {
  case CalibrationMethod::MinMax:
    break;
  case CalibrationMethod::Percentile: {
    double p = std::clamp(options.percentile, 50.0, 100.0) / 100;
    double lo = std::clamp(quantile(histogram, 1 - p), min, max);
    double hi = std::clamp(quantile(histogram, p), min, max);
    return CalibratedRange{lo, std::max(lo, hi)};
  }
  case CalibrationMethod::Entropy:
    return entropyRange(histogram, std::clamp(options.bits, 2u, 16u));
  case CalibrationMethod::Mse:
    return mseRange(histogram, std::clamp(options.bits, 2u, 16u));
  }
  return CalibratedRange{min, max};
}
