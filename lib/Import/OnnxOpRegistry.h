//===- OnnxOpRegistry.h - ONNX op converters keyed on opset -----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The importer converts a node with the entry registered for its op type
// and the model's opset, in the style of torch-mlir's TorchOnnxToTorch
// (`patterns.onOp("Conv", 1, ...)`): an entry registered at `since` applies
// from opset `since` up to the next entry for the same op. An op whose
// attributes became inputs (Clip at 11, Squeeze at 13, ...) has one entry
// per form, each a converter of its own sharing helpers, so no converter
// asks which opset it is in.
//
// Whether a node is evaluated at import time when its inputs are known (the
// shape arithmetic that makes Reshape targets static) is a property of its
// entry too.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_LIB_IMPORT_ONNXOPREGISTRY_H
#define QUANT_LIB_IMPORT_ONNXOPREGISTRY_H

#include "ImporterImpl.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <utility>
#include <vector>

namespace mlir::qnt::detail {

/// The opsets of the default ONNX domain quant imports.
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 17;

/// Converts one node: binds its outputs (SSA values or import-time
/// constants) or fails after reporting.
using Converter = LogicalResult (*)(Importer &, const onnx::NodeProto &);

/// When the importer's shape-arithmetic fold (before any IR is built)
/// evaluates a node with the entry's converter.
enum class ImportTimeEval {
  /// Never: the node becomes qnt IR (or is folded by its converter later).
  Never,
  /// When every input is a small import-time constant.
  WhenInputsKnown,
  /// When input 0 has a static shape (its values are not read: Shape).
  WhenInputShapeKnown,
};

/// One way of converting an ONNX op, from opset `since` to the opset before
/// the op's next entry.
struct OnnxOpEntry {
  std::string opType;
  int64_t since = 0;
  /// Null for a range quant does not convert (an op removed from ONNX).
  Converter convert = nullptr;
  ImportTimeEval eval = ImportTimeEval::Never;
  /// For a null `convert`: why, e.g. "deprecated from opset 10: Resize
  /// replaces it".
  std::string notSupportedWhy;
};

/// An inclusive opset range [first, last].
using OpsetRange = std::pair<int64_t, int64_t>;

class OnnxOpRegistry {
public:
  /// Registers `convert` for `opType` (default domain) from opset `since`.
  /// The first entry of an op should be at the ONNX since-version of the
  /// schema in force at kMinOpset (or of the op, if it is newer), so that
  /// opsets before it are ones where ONNX has no such op.
  void onOp(llvm::StringRef opType, int64_t since, Converter convert,
            ImportTimeEval eval = ImportTimeEval::Never);
  /// Registers `convert` for `opType` of a domain other than ONNX's (ONNX
  /// Runtime's com.microsoft) from that domain's version `since`; its key
  /// is "domain.opType".
  void onDomainOp(llvm::StringRef domain, llvm::StringRef opType, int64_t since,
                  Converter convert);
  /// The key of `node`'s op: its type in the default domain, else
  /// "domain.type".
  static std::string keyOf(const onnx::NodeProto &node);
  /// Ends the op's last range: from `since` quant does not convert it.
  void notSupportedFrom(llvm::StringRef opType, int64_t since,
                        llvm::StringRef why);

  /// The entry for `opType` at `opset`, or null when the op is unknown, or
  /// newer than the opset, or in a range quant does not convert.
  const OnnxOpEntry *lookup(llvm::StringRef opType, int64_t opset) const;
  /// The entry that decides `opType` at `opset` whether or not it converts
  /// (null before the op's first entry or for an unknown op).
  const OnnxOpEntry *find(llvm::StringRef opType, int64_t opset) const;
  /// Whether any entry converts `opType`.
  bool knowsOp(llvm::StringRef opType) const { return entries.count(opType); }
  /// The converted ranges of `opType`, one per entry, clipped to
  /// [kMinOpset, kMaxOpset]; with `merged`, adjacent ranges as one.
  llvm::SmallVector<OpsetRange> ranges(llvm::StringRef opType,
                                       bool merged = false) const;
  /// Every op type with an entry, sorted.
  std::vector<std::string> opTypes() const;

private:
  /// Per op type, its entries by increasing `since`.
  llvm::StringMap<llvm::SmallVector<OnnxOpEntry, 1>> entries;
};

/// The importer's converters, built once.
const OnnxOpRegistry &getOnnxOpRegistry();

/// "7-10, 11-17": the ranges as --list-ops and errors print them.
std::string formatOpsetRanges(llvm::ArrayRef<OpsetRange> ranges);

// Each family of converters registers its entries (OnnxOps*.cpp).
void populateElementwiseConverters(OnnxOpRegistry &registry);
void populateConvConverters(OnnxOpRegistry &registry);
void populateLinearConverters(OnnxOpRegistry &registry);
void populateQuantConverters(OnnxOpRegistry &registry);

/// A qnt.conv of `x` and `w` (and `bias`, may be null) with `node`'s Conv
/// attributes (strides, dilations, pads or auto_pad, group, kernel_shape
/// checked against the weight), typed `type`; QLinearConv shares it.
FailureOr<Value> buildConv(Importer &im, const onnx::NodeProto &node, Value x,
                           Value w, Value bias, RankedTensorType type);
void populateReduceConverters(OnnxOpRegistry &registry);
void populateShapeConverters(OnnxOpRegistry &registry);
void populateControlConverters(OnnxOpRegistry &registry);
void populateRecurrentConverters(OnnxOpRegistry &registry);

} // namespace mlir::qnt::detail

#endif // QUANT_LIB_IMPORT_ONNXOPREGISTRY_H
