//===- OnnxNodeWriter.h - What an op needs to write itself as ONNX -*- C++
//-*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The exporter's side of OnnxExportOpInterface, with no protobuf in sight:
// the dialect says which ONNX nodes an op is, lib/Export writes them (as
// the LLVM dialect's ops say what they are and ModuleTranslation writes
// LLVM IR).
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_ONNXNODEWRITER_H
#define QUANT_DIALECT_QNT_IR_ONNXNODEWRITER_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <string>
#include <variant>

namespace mlir::qnt {

/// The ONNX opset the exporter writes.
inline constexpr int64_t kOnnxExportOpset = 17;

/// An ONNX node attribute: INT, FLOAT, STRING, INTS or FLOATS.
struct OnnxAttribute {
  std::string name;
  std::variant<int64_t, float, std::string, SmallVector<int64_t>,
               SmallVector<float>>
      value;
};

/// Writes ONNX nodes and initializers for ops (lib/Export implements it).
/// Tensor names are strings; `at` is the op being exported, whose node
/// name new nodes and initializers are named after.
class OnnxNodeWriter {
public:
  virtual ~OnnxNodeWriter();

  /// Adds a node of `opType`.
  virtual void addNode(Operation *at, StringRef opType,
                       ArrayRef<std::string> inputs,
                       ArrayRef<std::string> outputs,
                       ArrayRef<OnnxAttribute> attributes = {}) = 0;
  /// A fresh tensor name for an intermediate of `at`'s nodes.
  virtual std::string getTemporaryName(Operation *at, StringRef suffix) = 0;
  /// A new int64 / float initializer (1-D, or 0-D with `scalar`).
  virtual std::string addInt64Initializer(Operation *at, StringRef suffix,
                                          ArrayRef<int64_t> values,
                                          bool scalar = false) = 0;
  virtual std::string addFloatInitializer(Operation *at, StringRef suffix,
                                          ArrayRef<float> values,
                                          bool scalar = false) = 0;
  /// The ONNX element type (TensorProto::DataType) of `type`, or 0
  /// (UNDEFINED).
  virtual int getElementType(Type type) = 0;

  /// One node of `opType` with `op`'s inherent attributes under their own
  /// names: integers and booleans as INT, floats as FLOAT, i64 / f32 arrays
  /// as INTS / FLOATS; absent default-valued attributes are left to ONNX's
  /// default (which qnt's defaults follow). Fails, at the op, on an
  /// attribute of any other kind.
  LogicalResult addNodeWithAttributes(Operation *op, StringRef opType,
                                      ArrayRef<std::string> inputs,
                                      ArrayRef<std::string> outputs);
};

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_IR_ONNXNODEWRITER_H
