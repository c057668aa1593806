//===- ReportMeasurements.cpp - qnt-quant-report's sums, mergeable --------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/ReportMeasurements.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;
namespace json = llvm::json;

//===----------------------------------------------------------------------===//
// Sums
//===----------------------------------------------------------------------===//

void ErrorSums::add(const float *reference, const float *measured, size_t n) {
  double s = 0.0, e2 = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double y = reference[i], e = static_cast<double>(measured[i]) - y;
    s += y * y;
    e2 += e * e;
  }
  signal.add(s);
  noise.add(e2);
}

void ErrorSums::merge(const ErrorSums &other) {
  signal.merge(other.signal);
  noise.merge(other.noise);
}

double ErrorSums::sqnrDb() const {
  double s = signal.value(), n = noise.value();
  if (!(n > 0.0))
    return std::numeric_limits<double>::infinity();
  if (!(s > 0.0))
    return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(s / n);
}

double ErrorSums::noiseRatio() const {
  double s = signal.value(), n = noise.value();
  if (!(n > 0.0))
    return 0.0;
  if (!(s > 0.0))
    return std::numeric_limits<double>::infinity();
  return n / s;
}

void GridCounts::merge(const GridCounts &other) {
  count += other.count;
  clipped += other.clipped;
  saturated += other.saturated;
}

double GridCounts::clippedFraction() const {
  return count ? static_cast<double>(clipped) / count : 0.0;
}

llvm::Error ReportMeasurement::merge(const ReportMeasurement &other) {
  auto names = [](const ReportMeasurement &m) {
    std::vector<std::string> result;
    for (const LayerMeasurement &l : m.layers)
      result.push_back(l.name);
    return result;
  };
  if (names(*this) != names(other))
    return llvm::createStringError(
        "measurements of the same float layers report different layers (" +
        llvm::Twine(layers.size()) + " and " + llvm::Twine(other.layers.size()) +
        "): they are of different models or recipes");
  samples += other.samples;
  model.merge(other.model);
  for (auto [mine, theirs] : llvm::zip(layers, other.layers)) {
    mine.alone.merge(theirs.alone);
    mine.cumulative.merge(theirs.cumulative);
    mine.cumulativeInput.merge(theirs.cumulativeInput);
    mine.input.merge(theirs.input);
    mine.output.merge(theirs.output);
  }
  return llvm::Error::success();
}

llvm::Error ReportMeasurements::add(ReportMeasurement m) {
  llvm::sort(m.floatLayers);
  for (ReportMeasurement &e : entries)
    if (e.floatLayers == m.floatLayers)
      return e.merge(m);
  entries.push_back(std::move(m));
  return llvm::Error::success();
}

const ReportMeasurement *
ReportMeasurements::find(llvm::ArrayRef<std::string> floatLayers) const {
  for (const ReportMeasurement &e : entries)
    if (llvm::ArrayRef<std::string>(e.floatLayers) == floatLayers)
      return &e;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

static void writeSum(json::OStream &j, llvm::StringRef key,
                     const ExactSum &s) {
  j.attributeBegin(key);
  s.writeJSON(j);
  j.attributeEnd();
}

static void writeErrorSums(json::OStream &j, llvm::StringRef key,
                           const ErrorSums &e) {
  j.attributeObject(key, [&] {
    writeSum(j, "signal", e.signal);
    writeSum(j, "noise", e.noise);
  });
}

static void writeCounts(json::OStream &j, llvm::StringRef key,
                        const GridCounts &c) {
  j.attributeArray(key, [&] {
    j.value(c.count);
    j.value(c.clipped);
    j.value(c.saturated);
  });
}

void ReportMeasurements::write(llvm::raw_ostream &os) const {
  json::OStream j(os);
  j.object([&] {
    j.attribute("format", "quant-report-measurements");
    j.attribute("version", 1);
    j.attributeArray("measurements", [&] {
      for (const ReportMeasurement &m : entries)
        j.object([&] {
          j.attributeArray("float_layers", [&] {
            for (const std::string &name : m.floatLayers)
              j.value(name);
          });
          j.attribute("samples", static_cast<int64_t>(m.samples));
          writeErrorSums(j, "model", m.model);
          j.attributeArray("layers", [&] {
            for (const LayerMeasurement &l : m.layers)
              j.object([&] {
                j.attribute("name", l.name);
                writeErrorSums(j, "alone", l.alone);
                writeErrorSums(j, "cumulative", l.cumulative);
                writeErrorSums(j, "cumulative_input", l.cumulativeInput);
                writeCounts(j, "input_counts", l.input);
                writeCounts(j, "output_counts", l.output);
              });
          });
        });
    });
  });
  os << "\n";
}

void mlir::qnt::writeReportPending(
    llvm::raw_ostream &os, llvm::ArrayRef<std::vector<std::string>> configs) {
  json::OStream j(os);
  j.object([&] {
    j.attribute("format", "quant-report-pending");
    j.attribute("version", 1);
    j.attributeArray("float_layers", [&] {
      for (const std::vector<std::string> &config : configs)
        j.array([&] {
          for (const std::string &name : config)
            j.value(name);
        });
    });
  });
  os << "\n";
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

namespace {
/// Reads one file, keeping the first problem with where it is.
struct MeasurementReader {
  std::string problem;

  bool fail(const llvm::Twine &where, const llvm::Twine &why) {
    if (problem.empty())
      problem = (where + ": " + why).str();
    return false;
  }

  bool getSum(const json::Object &o, llvm::StringRef key, ExactSum &out,
              const llvm::Twine &where) {
    const json::Value *partials = o.get(key);
    std::optional<ExactSum> sum =
        partials ? ExactSum::fromJSON(*partials) : std::nullopt;
    if (!sum)
      return fail(where, "'" + key + "' must be an array of finite numbers");
    out = std::move(*sum);
    return true;
  }

  bool getErrorSums(const json::Object &o, llvm::StringRef key, ErrorSums &out,
                    const llvm::Twine &where) {
    const json::Object *e = o.getObject(key);
    if (!e)
      return fail(where, "'" + key + "' must be an object");
    std::string at = (where + "." + key).str();
    return getSum(*e, "signal", out.signal, at) &&
           getSum(*e, "noise", out.noise, at);
  }

  bool getCounts(const json::Object &o, llvm::StringRef key, GridCounts &out,
                 const llvm::Twine &where) {
    const json::Array *a = o.getArray(key);
    std::optional<int64_t> v[3];
    if (a && a->size() == 3)
      for (size_t i = 0; i < 3; ++i)
        v[i] = (*a)[i].getAsInteger();
    if (!a || a->size() != 3 || !v[0] || !v[1] || !v[2] || *v[0] < 0 ||
        *v[1] < 0 || *v[2] < 0 || *v[1] > *v[0] || *v[2] > *v[0])
      return fail(where, "'" + key +
                             "' must be [count, clipped, saturated] with "
                             "0 <= clipped, saturated <= count");
    out.count = *v[0];
    out.clipped = *v[1];
    out.saturated = *v[2];
    return true;
  }

  std::optional<ReportMeasurement> entry(const json::Value &value,
                                         const std::string &where) {
    const json::Object *o = value.getAsObject();
    if (!o)
      return fail(where, "not an object"), std::nullopt;
    ReportMeasurement m;
    const json::Array *names = o->getArray("float_layers");
    if (!names)
      return fail(where, "'float_layers' must be an array of layer names"),
             std::nullopt;
    for (const json::Value &n : *names) {
      std::optional<llvm::StringRef> s = n.getAsString();
      if (!s)
        return fail(where, "'float_layers' holds a value that is not a name"),
               std::nullopt;
      m.floatLayers.push_back(s->str());
    }
    std::optional<int64_t> samples = o->getInteger("samples");
    if (!samples || *samples < 1)
      return fail(where, "'samples' must be a positive integer"),
             std::nullopt;
    m.samples = static_cast<uint64_t>(*samples);
    if (!getErrorSums(*o, "model", m.model, where))
      return std::nullopt;
    const json::Array *layers = o->getArray("layers");
    if (!layers)
      return fail(where, "'layers' must be an array"), std::nullopt;
    for (auto [i, v] : llvm::enumerate(*layers)) {
      std::string at = where + ".layers[" + std::to_string(i) + "]";
      const json::Object *l = v.getAsObject();
      std::optional<llvm::StringRef> name = l ? l->getString("name") : std::nullopt;
      if (!l || !name)
        return fail(at, "must be an object with a 'name'"), std::nullopt;
      LayerMeasurement lm;
      lm.name = name->str();
      if (!getErrorSums(*l, "alone", lm.alone, at) ||
          !getErrorSums(*l, "cumulative", lm.cumulative, at) ||
          !getErrorSums(*l, "cumulative_input", lm.cumulativeInput, at) ||
          !getCounts(*l, "input_counts", lm.input, at) ||
          !getCounts(*l, "output_counts", lm.output, at))
        return std::nullopt;
      m.layers.push_back(std::move(lm));
    }
    return m;
  }
};
} // namespace

llvm::Expected<ReportMeasurements>
ReportMeasurements::read(llvm::ArrayRef<std::string> paths) {
  ReportMeasurements result;
  for (const std::string &path : paths) {
    auto error = [&](const llvm::Twine &why) {
      return llvm::createStringError(path + ": " + why);
    };
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!buffer)
      return error("cannot read: " + buffer.getError().message());
    llvm::Expected<json::Value> parsed = json::parse((*buffer)->getBuffer());
    if (!parsed)
      return error("not JSON: " + llvm::toString(parsed.takeError()));
    const json::Object *root = parsed->getAsObject();
    std::optional<llvm::StringRef> format =
        root ? root->getString("format") : std::nullopt;
    if (!format || *format != "quant-report-measurements")
      return error("not a quant report measurement (format "
                   "\"quant-report-measurements\"; quant-compile "
                   "--emit=report-measurement writes them)");
    if (root->getInteger("version") != 1)
      return error("unsupported version (this quant reads version 1)");
    const json::Array *entries = root->getArray("measurements");
    if (!entries)
      return error("'measurements' must be an array");
    MeasurementReader reader;
    for (auto [i, v] : llvm::enumerate(*entries)) {
      std::optional<ReportMeasurement> m =
          reader.entry(v, "measurement #" + std::to_string(i));
      if (!m)
        return error(reader.problem);
      if (llvm::Error e = result.add(std::move(*m)))
        return error(llvm::toString(std::move(e)));
    }
  }
  return result;
}
