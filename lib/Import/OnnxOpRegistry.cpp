//===- OnnxOpRegistry.cpp - ONNX op converters keyed on opset ---*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The table of converters (filled by each family's populate function) and
// the dispatch from a node to the entry for the model's opset.
//
//===----------------------------------------------------------------------===//

#include "OnnxOpRegistry.h"

#include "llvm/ADT/STLExtras.h"

#include <cassert>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

void OnnxOpRegistry::onOp(StringRef opType, int64_t since, Converter convert,
                          ImportTimeEval eval) {
  assert(convert && "use notSupportedFrom for a range without a converter");
  OnnxOpEntry entry;
  entry.opType = opType.str();
  entry.since = since;
  entry.convert = convert;
  entry.eval = eval;
  auto &list = entries[opType];
  assert(llvm::none_of(
             list, [&](const OnnxOpEntry &e) { return e.since == since; }) &&
         "two entries for one op and opset");
  list.push_back(std::move(entry));
  llvm::sort(list, [](const OnnxOpEntry &a, const OnnxOpEntry &b) {
    return a.since < b.since;
  });
}

void OnnxOpRegistry::onDomainOp(StringRef domain, StringRef opType,
                                int64_t since, Converter convert) {
  onOp((domain + "." + opType).str(), since, convert);
}

std::string OnnxOpRegistry::keyOf(const onnx::NodeProto &node) {
  if (node.domain().empty() || node.domain() == "ai.onnx")
    return node.op_type();
  return node.domain() + "." + node.op_type();
}

void OnnxOpRegistry::notSupportedFrom(StringRef opType, int64_t since,
                                      StringRef why) {
  OnnxOpEntry entry;
  entry.opType = opType.str();
  entry.since = since;
  entry.notSupportedWhy = why.str();
  auto &list = entries[opType];
  list.push_back(std::move(entry));
  llvm::sort(list, [](const OnnxOpEntry &a, const OnnxOpEntry &b) {
    return a.since < b.since;
  });
}

const OnnxOpEntry *OnnxOpRegistry::find(StringRef opType, int64_t opset) const {
  auto it = entries.find(opType);
  if (it == entries.end())
    return nullptr;
  const OnnxOpEntry *found = nullptr;
  for (const OnnxOpEntry &entry : it->second)
    if (entry.since <= opset)
      found = &entry;
  return found;
}

const OnnxOpEntry *OnnxOpRegistry::lookup(StringRef opType,
                                          int64_t opset) const {
  const OnnxOpEntry *entry = find(opType, opset);
  return entry && entry->convert ? entry : nullptr;
}

SmallVector<OpsetRange> OnnxOpRegistry::ranges(StringRef opType,
                                               bool merged) const {
  SmallVector<OpsetRange> result;
  auto it = entries.find(opType);
  if (it == entries.end())
    return result;
  const auto &list = it->second;
  // Another domain's versions (ONNX Runtime's com.microsoft is at 1) are
  // not the default domain's opsets.
  bool otherDomain = opType.contains('.');
  int64_t minOpset = otherDomain ? 1 : kMinOpset;
  int64_t maxOpset = otherDomain ? 1 : kMaxOpset;
  for (auto [i, entry] : llvm::enumerate(list)) {
    if (!entry.convert)
      continue;
    int64_t first = std::max(entry.since, minOpset);
    int64_t last = i + 1 < list.size() ? list[i + 1].since - 1 : maxOpset;
    last = std::min(last, maxOpset);
    if (first > last)
      continue;
    if (merged && !result.empty() && result.back().second + 1 == first)
      result.back().second = last;
    else
      result.push_back({first, last});
  }
  return result;
}

std::vector<std::string> OnnxOpRegistry::opTypes() const {
  std::vector<std::string> ops;
  for (const auto &entry : entries)
    if (!ranges(entry.getKey()).empty())
      ops.push_back(entry.getKey().str());
  llvm::sort(ops);
  return ops;
}

std::string mlir::qnt::detail::formatOpsetRanges(ArrayRef<OpsetRange> ranges) {
  std::string text;
  for (auto [i, range] : llvm::enumerate(ranges)) {
    if (i)
      text += ", ";
    text += std::to_string(range.first);
    if (range.second != range.first)
      text += "-" + std::to_string(range.second);
  }
  return text;
}

const OnnxOpRegistry &mlir::qnt::detail::getOnnxOpRegistry() {
  static const OnnxOpRegistry registry = [] {
    OnnxOpRegistry r;
    populateElementwiseConverters(r);
    populateConvConverters(r);
    populateLinearConverters(r);
    populateQuantConverters(r);
    populateReduceConverters(r);
    populateShapeConverters(r);
    populateControlConverters(r);
    populateRecurrentConverters(r);
    return r;
  }();
  return registry;
}

std::string SupportedOnnxOp::formatOpsets() const {
  return formatOpsetRanges(opsets);
}

std::vector<SupportedOnnxOp> mlir::qnt::getSupportedOnnxOps() {
  const OnnxOpRegistry &registry = getOnnxOpRegistry();
  std::vector<SupportedOnnxOp> ops;
  for (const std::string &opType : registry.opTypes()) {
    SupportedOnnxOp op;
    op.opType = opType;
    for (OpsetRange range : registry.ranges(opType))
      op.opsets.push_back(range);
    ops.push_back(std::move(op));
  }
  return ops;
}

LogicalResult Importer::convertNode(const onnx::NodeProto &node) {
  const OnnxOpEntry *entry =
      getOnnxOpRegistry().lookup(OnnxOpRegistry::keyOf(node), opsetOf(node));
  assert(entry && "ops without a converter at the model's opset are rejected "
                  "up front");
  if (failed(entry->convert(*this, node)))
    return failure();
  // Optional outputs quant does not compute (training statistics, Dropout's
  // mask, MaxPool's indices) must not be used.
  for (auto [i, output] : llvm::enumerate(node.output()))
    if (!output.empty() && isMissing(output))
      return notSupported(node) << "output #" << i << " ('" << output << "')";
  return success();
}
