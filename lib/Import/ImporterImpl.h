//===- ImporterImpl.h - Internals shared by the ONNX importer ---*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The importer is one class: OnnxImporter.cpp holds the model, tensors,
// values and diagnostics; the converters, registered per ONNX op and opset
// (OnnxOpRegistry.h), live in OnnxOps<Family>.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_LIB_IMPORT_IMPORTERIMPL_H
#define QUANT_LIB_IMPORT_IMPORTERIMPL_H

#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Import/OnnxImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::qnt::detail {

/// double to int64 without undefined behaviour: truncates toward zero,
/// saturates out-of-range values, maps NaN to 0.
inline int64_t toInt64(double value) {
  if (std::isnan(value))
    return 0;
  if (value >= 9223372036854775807.0)
    return std::numeric_limits<int64_t>::max();
  if (value <= -9223372036854775808.0)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

/// double to float without undefined behaviour: finite values beyond
/// float's range become infinities (as IEEE rounding would).
inline float toFloat(double value) {
  if (value > std::numeric_limits<float>::max())
    return std::numeric_limits<float>::infinity();
  if (value < -std::numeric_limits<float>::max())
    return -std::numeric_limits<float>::infinity();
  return static_cast<float>(value);
}

/// A tensor whose value is known at import time: an initializer, a Constant
/// node, or the result of a shape computation folded by the importer.
/// Floats (f32, f64 narrowed to f32) live in `floats`; every integer and
/// bool type in `ints`.
struct ConstTensor {
  int32_t dtype = onnx::TensorProto::UNDEFINED;
  llvm::SmallVector<int64_t> shape;
  std::vector<float> floats;
  std::vector<int64_t> ints;

  /// float32, or float16 (whose values `floats` holds widened: quant
  /// computes float16 in float32).
  bool isFloat() const {
    return dtype == onnx::TensorProto::FLOAT ||
           dtype == onnx::TensorProto::FLOAT16;
  }
  int64_t numElements() const;
  /// Element i as double / int64 whatever the storage.
  double getDouble(size_t i) const;
  int64_t getInt(size_t i) const;
};

/// A failure that has already been reported.
struct Reported {};

class Importer {
public:
  Importer(MLIRContext *context, llvm::StringRef path,
           const OnnxImportOptions &options);
  /// Imports from the file at `path`, or from `bytes` when given.
  OwningOpRef<ModuleOp> run(std::optional<llvm::StringRef> bytes = {});

  //===------------------------------------------------------------------===//
  // Used by the op converters (OnnxOps*.cpp)
  //===------------------------------------------------------------------===//

  /// Converts one node: adds its results to the value maps. Fails after
  /// reporting.
  LogicalResult convertNode(const onnx::NodeProto &node);

  /// Error at a node: "<file>: node '<name>' (<op>): <message>".
  InFlightDiagnostic nodeError(const onnx::NodeProto &node);
  /// A valid ONNX construct quant does not handle:
  /// "<file>: node '<name>' (<op>): not supported: <message>".
  InFlightDiagnostic notSupported(const onnx::NodeProto &node);
  /// Error about the model as a whole: "<file>: <message>".
  InFlightDiagnostic modelError();

  /// The import-time value of input `i` of `node`, or null when it is a
  /// runtime tensor (or absent).
  const ConstTensor *getConst(const onnx::NodeProto &node, int i) const;
  /// Input `i` as an SSA value (materializing constants); fails with an
  /// error when it is absent.
  FailureOr<Value> getValue(const onnx::NodeProto &node, int i);
  /// The value of ONNX name `name` (read by `node`), materializing constants.
  FailureOr<Value> getValueByName(const onnx::NodeProto &node,
                                  llvm::StringRef name);
  /// Binds output `i` of `node` to whatever ONNX name `name` is bound to.
  LogicalResult alias(const onnx::NodeProto &node, int i, llvm::StringRef name);
  /// Whether optional input `i` is present.
  bool hasInput(const onnx::NodeProto &node, int i) const;
  /// Whether input `i` is ONNX UINT8, which qnt holds as i8: ops whose
  /// result depends on the sign (division, ordering) refuse it.
  bool isUint8Input(const onnx::NodeProto &node, int i) const;
  /// The static result type ONNX shape inference gave output `i`.
  FailureOr<RankedTensorType> getResultType(const onnx::NodeProto &node,
                                            int i = 0);
  /// Whether ONNX value `name` is needed but has no value or constant.
  bool isMissing(llvm::StringRef name) const {
    return consumed.contains(name) && !values.count(name) &&
           !constants.count(name);
  }
  /// Records that `node` quantizes at run time (a grid that is not a
  /// constant, or ONNX Runtime's integer ops): it computes in element-wise
  /// float and integer loops, not int8 kernels. run() notes how many did.
  void noteRunTimeQuantization(const onnx::NodeProto &node);
  /// Binds output `i` of `node`.
  void setValue(const onnx::NodeProto &node, int i, Value value);
  void setConst(const onnx::NodeProto &node, int i, ConstTensor value);

  /// The static shape shape inference gave value `name`, if any.
  std::optional<llvm::SmallVector<int64_t>>
  getStaticShape(llvm::StringRef name) const;
  /// Whether node input `i` is an import-time constant small enough to be
  /// evaluated (or absent).
  bool isFoldableInput(const onnx::NodeProto &node, int i) const;

  /// The opset version of the default ONNX domain: it picks each node's
  /// converter (converters do not read it).
  int64_t opset() const { return opsetVersion; }
  /// The version of `node`'s domain the model imports (0 when it imports
  /// none): opset() for the default domain.
  int64_t opsetOf(const onnx::NodeProto &node) const;
  OpBuilder &getBuilder() { return builder; }
  Location getLoc(const onnx::NodeProto &node);
  /// The MLIR element type for an ONNX data type, or null.
  Type getElementType(int32_t dtype);
  /// Whether a value of `shape` and ONNX `dtype` fits kMaxTensorBytes
  /// (unsupported dtypes are left to the caller's own check).
  bool fitsTensorBytes(llvm::ArrayRef<int64_t> shape, int32_t dtype);

  /// Decodes a tensor (initializer or Constant value), checking its dims and
  /// data size first; `what` names it in errors.
  FailureOr<ConstTensor> readTensor(const onnx::TensorProto &tensor,
                                    llvm::StringRef what);

  /// Makes a qnt.constant for `value`.
  Value materialize(const ConstTensor &value, Location loc,
                    llvm::StringRef nameHint);

private:
  LogicalResult loadModel(std::optional<llvm::StringRef> bytes);
  LogicalResult checkSupported();
  /// Orders the graph's nodes topologically (a graph already in order is
  /// unchanged; a cycle is left for checkSupported to report).
  void sortNodes();
  /// Fails at the first node (subgraphs included) whose op quant converts,
  /// but not at the model's opset: in a range registered as not converted,
  /// or (with `beforeFirstEntry`) before the op's first entry.
  LogicalResult checkOpsets(const onnx::GraphProto &graph,
                            bool beforeFirstEntry);
  LogicalResult applyInputShapes();
  LogicalResult readInitializers();
  /// Decodes one initializer into `constants` (dropping a weight's bytes
  /// from the protobuf).
  LogicalResult readInitializer(onnx::TensorProto &tensor);
  LogicalResult runShapeInference();
  LogicalResult foldShapeComputations();
  /// One round of the fold: evaluates the nodes whose entries evaluate at
  /// import time and whose inputs are known, and replaces them by
  /// initializers. Returns whether any was.
  FailureOr<bool> foldKnownNodes();
  /// Moves the nodes of top-level If branches into the graph (OnnxIfs.cpp):
  /// the taken branch of an If whose condition is known; with
  /// `runtimeConditions`, both branches of every other If, which then only
  /// forwards their results. Returns whether any If changed.
  FailureOr<bool> flattenIfs(bool runtimeConditions);
  /// Moves `branch`'s nodes into `out` and its initializers into the
  /// graph; fails when it defines a name in `defined` (which it extends).
  LogicalResult
  hoistBranch(const onnx::NodeProto &ifNode, onnx::GraphProto &branch,
              google::protobuf::RepeatedPtrField<onnx::NodeProto> &out,
              llvm::StringSet<> &defined);
  LogicalResult readExternalData(const onnx::TensorProto &tensor,
                                 llvm::StringRef what, std::string &bytes);
  OwningOpRef<ModuleOp> buildFunction();
  std::string nodeName(const onnx::NodeProto &node) const;
  /// Rebuilds nodeIndex after the node list changed.
  void reindexNodes();

  MLIRContext *context;
  std::string path;
  const OnnxImportOptions &options;
  OpBuilder builder;
  onnx::ModelProto model;
  int64_t opsetVersion = 0;
  /// The version of each domain other than the default one.
  llvm::StringMap<int64_t> domainOpsets;
  /// Nodes noted by noteRunTimeQuantization, in conversion order.
  llvm::SmallVector<std::string> runTimeQuantized;
  llvm::StringSet<> runTimeQuantizedSet;
  Location fileLoc;

  /// SSA values of runtime tensors, by ONNX name.
  llvm::StringMap<Value> values;
  /// Import-time constants, by ONNX name.
  llvm::StringMap<std::shared_ptr<ConstTensor>> constants;
  /// Static types from shape inference, by ONNX value name.
  llvm::StringMap<const onnx::TypeProto *> types;
  /// Names some node or graph output reads.
  llvm::StringSet<> consumed;
  /// The outputs of the Ifs whose branches flattenIfs hoisted already.
  llvm::StringSet<> hoistedIfs;
  /// Node index in the graph, for unnamed nodes.
  llvm::DenseMap<const onnx::NodeProto *, int> nodeIndex;
};

/// Import-time evaluation is for shape arithmetic, not for weights.
constexpr int64_t kMaxFoldElements = 1 << 16;

} // namespace mlir::qnt::detail

#endif // QUANT_LIB_IMPORT_IMPORTERIMPL_H
