//===- CalibrationState.cpp - What calibration observed, mergeable --------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/CalibrationState.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;
namespace json = llvm::json;

//===----------------------------------------------------------------------===//
// ExactSum
//===----------------------------------------------------------------------===//

void ExactSum::add(double x) {
  size_t kept = 0;
  for (size_t i = 0; i < partials.size(); ++i) {
    double y = partials[i];
    if (std::fabs(x) < std::fabs(y))
      std::swap(x, y);
    double hi = x + y;
    double lo = y - (hi - x); // exact: x + y == hi + lo
    if (lo != 0.0)
      partials[kept++] = lo;
    x = hi;
  }
  partials.resize(kept);
  partials.push_back(x);
}

void ExactSum::merge(const ExactSum &other) {
  for (double p : other.partials)
    add(p);
}

double ExactSum::value() const {
  // Adds the partials from the largest down until the rest cannot change
  // the rounding, then breaks a tie the way the rest says (round half to
  // even would be wrong when the remainder is nonzero).
  size_t n = partials.size();
  if (n == 0)
    return 0.0;
  double hi = partials[--n], lo = 0.0;
  while (n > 0) {
    double x = hi, y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo != 0.0)
      break;
  }
  if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) ||
                (lo > 0.0 && partials[n - 1] > 0.0))) {
    double y = lo * 2.0, x = hi + y;
    if (y == x - hi)
      hi = x;
  }
  return hi;
}

ExactSum ExactSum::fromPartials(llvm::ArrayRef<double> partials) {
  ExactSum sum;
  for (double p : partials)
    sum.add(p);
  return sum;
}

void ExactSum::writeJSON(json::OStream &j) const {
  j.array([&] {
    for (double p : partials)
      j.value(p);
  });
}

std::optional<ExactSum> ExactSum::fromJSON(const json::Value &value) {
  const json::Array *array = value.getAsArray();
  if (!array)
    return std::nullopt;
  std::vector<double> parts;
  for (const json::Value &p : *array) {
    std::optional<double> d = p.getAsNumber();
    if (!d || !std::isfinite(*d))
      return std::nullopt;
    parts.push_back(*d);
  }
  return fromPartials(parts);
}

//===----------------------------------------------------------------------===//
// ValueStatistics
//===----------------------------------------------------------------------===//

void ValueStatistics::add(const float *data, llvm::ArrayRef<int64_t> shape,
                          bool perChannel) {
  size_t size = 1;
  for (int64_t d : shape)
    size *= d;
  histogram.add(data, size);
  if (!perChannel || shape.empty())
    return;
  int64_t channelAxis = shape.size() >= 4 ? 1 : shape.size() - 1;
  int64_t channels = shape[channelAxis];
  size_t inner = 1;
  for (size_t d = channelAxis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  size_t outer = channels ? size / (channels * inner) : 0;
  if (channelMin.empty()) {
    axis = channelAxis;
    channelMin.assign(channels, std::numeric_limits<float>::infinity());
    channelMax.assign(channels, -std::numeric_limits<float>::infinity());
    channelSum.assign(channels, ExactSum());
    channelCount.assign(channels, 0);
  }
  for (size_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c) {
      const float *row = data + (o * channels + c) * inner;
      float lo = channelMin[c], hi = channelMax[c];
      // A row (one sample's) is summed in double, the same in every run;
      // the rows then add exactly, in whatever order or shard.
      double partial = 0.0;
      int64_t count = 0;
      for (size_t i = 0; i < inner; ++i) {
        if (!std::isfinite(row[i]))
          continue;
        lo = std::min(lo, row[i]);
        hi = std::max(hi, row[i]);
        partial += row[i];
        ++count;
      }
      channelMin[c] = lo;
      channelMax[c] = hi;
      channelSum[c].add(partial);
      channelCount[c] += count;
    }
}

void ValueStatistics::merge(const ValueStatistics &other) {
  histogram.merge(other.histogram);
  if (other.channelMin.empty())
    return;
  if (channelMin.empty()) {
    axis = other.axis;
    channelMin = other.channelMin;
    channelMax = other.channelMax;
    channelSum = other.channelSum;
    channelCount = other.channelCount;
    return;
  }
  for (size_t c = 0; c < channelMin.size(); ++c) {
    channelMin[c] = std::min(channelMin[c], other.channelMin[c]);
    channelMax[c] = std::max(channelMax[c], other.channelMax[c]);
    channelSum[c].merge(other.channelSum[c]);
    channelCount[c] += other.channelCount[c];
  }
}

//===----------------------------------------------------------------------===//
// CalibrationState
//===----------------------------------------------------------------------===//

static std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string text;
  for (int64_t d : shape)
    text += (text.empty() ? "" : "x") + std::to_string(d);
  return text.empty() ? "scalar" : text;
}

llvm::Error CalibrationState::merge(const CalibrationState &other) {
  auto differ = [](const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "not a state of the same calibration: " +
                                       what);
  };
  if (other.bins != bins)
    return differ(llvm::Twine(other.bins) + " histogram bins, not " +
                  llvm::Twine(bins) +
                  " (0 is minmax's; the method and bins must match)");
  if (other.perChannel != perChannel)
    return differ(llvm::Twine("per-channel ") +
                  (other.perChannel ? "on" : "off") + ", not " +
                  (perChannel ? "on" : "off"));
  if (other.values.size() != values.size())
    return differ(llvm::Twine(other.values.size()) + " observed values, not " +
                  llvm::Twine(values.size()) + " (another model or recipe?)");
  for (size_t i = 0; i < values.size(); ++i)
    if (other.values[i].name != values[i].name ||
        other.values[i].shape != values[i].shape)
      return differ(
          "value #" + llvm::Twine(i) + " is '" + other.values[i].name + "' (" +
          shapeString(other.values[i].shape) + "), not '" + values[i].name +
          "' (" + shapeString(values[i].shape) + ")");
  for (size_t i = 0; i < values.size(); ++i)
    values[i].stats.merge(other.values[i].stats);
  samples += other.samples;
  return llvm::Error::success();
}

/// Non-finite doubles (an empty channel's +-inf) as null.
static void writeNumber(json::OStream &j, double x) {
  if (std::isfinite(x))
    j.value(x);
  else
    j.value(nullptr);
}

void CalibrationState::write(llvm::raw_ostream &os) const {
  json::OStream j(os);
  j.object([&] {
    j.attribute("format", "quant-calibration-state");
    j.attribute("version", 1);
    j.attribute("bins", static_cast<int64_t>(bins));
    j.attribute("per_channel", perChannel);
    j.attribute("samples", static_cast<int64_t>(samples));
    j.attributeArray("values", [&] {
      for (const Entry &e : values) {
        const StreamingHistogram &h = e.stats.histogram;
        j.object([&] {
          j.attribute("name", e.name);
          j.attributeArray("shape", [&] {
            for (int64_t d : e.shape)
              j.value(d);
          });
          j.attribute("count", static_cast<int64_t>(h.getCount()));
          j.attribute("non_finite",
                      static_cast<int64_t>(h.getNonFiniteCount()));
          if (h.getCount()) {
            j.attribute("min", h.getMin());
            j.attribute("max", h.getMax());
          }
          if (h.getBinWidth() != 0) {
            j.attribute("bin_width", h.getBinWidth());
            j.attribute("first_bin", h.getFirstBin());
            j.attributeArray("counts", [&] {
              for (uint64_t c : h.getCounts())
                j.value(static_cast<int64_t>(c));
            });
          }
          if (e.stats.channelMin.empty())
            return;
          j.attributeObject("channels", [&] {
            j.attribute("axis", e.stats.axis);
            j.attributeArray("min", [&] {
              for (float x : e.stats.channelMin)
                writeNumber(j, x);
            });
            j.attributeArray("max", [&] {
              for (float x : e.stats.channelMax)
                writeNumber(j, x);
            });
            j.attributeArray("sum", [&] {
              for (const ExactSum &s : e.stats.channelSum)
                s.writeJSON(j);
            });
            j.attributeArray("count", [&] {
              for (int64_t c : e.stats.channelCount)
                j.value(c);
            });
          });
        });
      }
    });
  });
  os << "\n";
}

namespace {
/// Reads one state file, reporting the first problem with its JSON path.
struct StateReader {
  std::string problem;

  bool fail(const llvm::Twine &where, const llvm::Twine &why) {
    if (problem.empty())
      problem = (where + ": " + why).str();
    return false;
  }
  bool getInt(const json::Object &o, llvm::StringRef key, int64_t &out,
              const llvm::Twine &where, int64_t lo = 0,
              int64_t hi = std::numeric_limits<int64_t>::max()) {
    std::optional<int64_t> v = o.getInteger(key);
    if (!v || *v < lo || *v > hi)
      return fail(where, "'" + key + "' must be an integer in [" +
                             llvm::Twine(lo) + ", " + llvm::Twine(hi) + "]");
    out = *v;
    return true;
  }
  bool getDouble(const json::Object &o, llvm::StringRef key, double &out,
                 const llvm::Twine &where) {
    std::optional<double> v = o.getNumber(key);
    if (!v || !std::isfinite(*v))
      return fail(where, "'" + key + "' must be a finite number");
    out = *v;
    return true;
  }
  /// A float per channel; null is `nullValue`.
  bool getFloats(const json::Object &o, llvm::StringRef key, size_t size,
                 float nullValue, std::vector<float> &out,
                 const llvm::Twine &where) {
    const json::Array *a = o.getArray(key);
    if (!a || a->size() != size)
      return fail(where, "'" + key + "' must be an array of " +
                             llvm::Twine(size) + " numbers");
    for (const json::Value &v : *a) {
      if (v.getAsNull()) {
        out.push_back(nullValue);
        continue;
      }
      std::optional<double> d = v.getAsNumber();
      if (!d || static_cast<double>(static_cast<float>(*d)) != *d)
        return fail(where, "'" + key + "' holds a value that is not a float");
      out.push_back(static_cast<float>(*d));
    }
    return true;
  }

  std::optional<CalibrationState::Entry> entry(const json::Value &value,
                                               unsigned bins, bool perChannel,
                                               const llvm::Twine &where);
};
} // namespace

std::optional<CalibrationState::Entry>
StateReader::entry(const json::Value &value, unsigned bins, bool perChannel,
                   const llvm::Twine &where) {
  const json::Object *o = value.getAsObject();
  if (!o)
    return fail(where, "not an object"), std::nullopt;
  CalibrationState::Entry e{"", {}, ValueStatistics(bins)};
  std::optional<llvm::StringRef> name = o->getString("name");
  const json::Array *shape = o->getArray("shape");
  if (!name || !shape)
    return fail(where, "needs 'name' and 'shape'"), std::nullopt;
  e.name = name->str();
  int64_t elements = 1;
  for (const json::Value &d : *shape) {
    std::optional<int64_t> v = d.getAsInteger();
    if (!v || *v < 0 || (*v && elements > (int64_t(1) << 48) / *v))
      return fail(where, "'shape' must hold dims in [0, 2^48] with a "
                         "product below 2^48"),
             std::nullopt;
    elements *= *v;
    e.shape.push_back(*v);
  }
  int64_t count = 0, nonFinite = 0, first = 0;
  double min = 0, max = 0, width = 0;
  if (!getInt(*o, "count", count, where) ||
      !getInt(*o, "non_finite", nonFinite, where))
    return std::nullopt;
  if (count &&
      (!getDouble(*o, "min", min, where) || !getDouble(*o, "max", max, where)))
    return std::nullopt;
  std::vector<uint64_t> counts;
  if (o->get("bin_width")) {
    if (!getDouble(*o, "bin_width", width, where) ||
        !getInt(*o, "first_bin", first, where,
                std::numeric_limits<int64_t>::min()))
      return std::nullopt;
    const json::Array *a = o->getArray("counts");
    if (!a)
      return fail(where, "'counts' must be an array"), std::nullopt;
    for (const json::Value &c : *a) {
      std::optional<int64_t> v = c.getAsInteger();
      if (!v || *v < 0)
        return fail(where, "'counts' must hold non-negative integers"),
               std::nullopt;
      counts.push_back(*v);
    }
  }
  std::string error;
  std::optional<StreamingHistogram> h = StreamingHistogram::fromParts(
      bins, count, nonFinite,
      count ? min : std::numeric_limits<double>::infinity(),
      count ? max : -std::numeric_limits<double>::infinity(), width, first,
      std::move(counts), error);
  if (!h)
    return fail(where, error), std::nullopt;
  e.stats.histogram = std::move(*h);

  const json::Object *ch = o->getObject("channels");
  if (ch && !perChannel)
    return fail(where, "has channels but the state is not per-channel"),
           std::nullopt;
  if (!ch)
    return e;
  int64_t axis = 0;
  if (!getInt(*ch, "axis", axis, where + ".channels", 0,
              std::max<int64_t>(0, e.shape.size() - 1)))
    return std::nullopt;
  int64_t expectedAxis = e.shape.size() >= 4 ? 1 : e.shape.size() - 1;
  if (e.shape.empty() || axis != expectedAxis)
    return fail(where + ".channels",
                "the axis of a rank-" + llvm::Twine(e.shape.size()) +
                    " value is " + llvm::Twine(expectedAxis)),
           std::nullopt;
  size_t channels = e.shape[axis];
  e.stats.axis = axis;
  const json::Array *sums = ch->getArray("sum");
  const json::Array *countsOf = ch->getArray("count");
  if (!getFloats(*ch, "min", channels, std::numeric_limits<float>::infinity(),
                 e.stats.channelMin, where + ".channels") ||
      !getFloats(*ch, "max", channels, -std::numeric_limits<float>::infinity(),
                 e.stats.channelMax, where + ".channels"))
    return std::nullopt;
  if (!sums || sums->size() != channels || !countsOf ||
      countsOf->size() != channels)
    return fail(where + ".channels", "'sum' and 'count' must have " +
                                         llvm::Twine(channels) + " entries"),
           std::nullopt;
  for (size_t c = 0; c < channels; ++c) {
    const json::Array *partials = (*sums)[c].getAsArray();
    std::optional<int64_t> n = (*countsOf)[c].getAsInteger();
    if (!partials || !n || *n < 0)
      return fail(where + ".channels", "channel " + llvm::Twine(c) +
                                           " needs a 'sum' array and a "
                                           "non-negative 'count'"),
             std::nullopt;
    std::optional<ExactSum> read = ExactSum::fromJSON((*sums)[c]);
    if (!read)
      return fail(where + ".channels", "a 'sum' partial is not a finite "
                                       "number"),
             std::nullopt;
    ExactSum sum = std::move(*read);
    // A channel saw values exactly when its min <= max; their sum must be
    // finite (the mean is sum / count).
    bool empty = !(e.stats.channelMin[c] <= e.stats.channelMax[c]);
    if ((*n == 0) != empty || !std::isfinite(sum.value()) ||
        (empty && sum.value() != 0.0))
      return fail(where + ".channels",
                  "channel " + llvm::Twine(c) +
                      ": its count, bounds and sum do not agree"),
             std::nullopt;
    e.stats.channelSum.push_back(std::move(sum));
    e.stats.channelCount.push_back(*n);
  }
  return e;
}

llvm::Expected<CalibrationState> CalibrationState::read(llvm::StringRef path) {
  auto error = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": " + why);
  };
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return error("cannot read: " + buffer.getError().message());
  llvm::Expected<json::Value> parsed = json::parse((*buffer)->getBuffer());
  if (!parsed)
    return error("not JSON: " + llvm::toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root || root->getString("format") != "quant-calibration-state")
    return error("not a quant calibration state (format "
                 "\"quant-calibration-state\"; quant-compile "
                 "--emit=calibration-state writes them)");
  if (root->getInteger("version") != 1)
    return error("unsupported version (this quant reads version 1)");
  StateReader reader;
  CalibrationState state;
  int64_t bins = 0, samples = 0;
  std::optional<bool> perChannel = root->getBoolean("per_channel");
  if (!reader.getInt(*root, "bins", bins, "state", 0, 1 << 20) ||
      !reader.getInt(*root, "samples", samples, "state"))
    return error(reader.problem);
  if (!perChannel)
    return error("state: 'per_channel' must be true or false");
  if (bins != 0 && bins < 16)
    return error("state: 'bins' must be 0 or at least 16");
  state.bins = bins;
  state.perChannel = *perChannel;
  state.samples = samples;
  const json::Array *values = root->getArray("values");
  if (!values)
    return error("state: 'values' must be an array");
  for (size_t i = 0; i < values->size(); ++i) {
    std::optional<Entry> e = reader.entry((*values)[i], bins, state.perChannel,
                                          "value #" + llvm::Twine(i));
    if (!e)
      return error(reader.problem);
    state.values.push_back(std::move(*e));
  }
  return state;
}
