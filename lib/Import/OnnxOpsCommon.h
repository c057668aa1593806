//===- OnnxOpsCommon.h - Helpers shared by the op converters ----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// What the converters of every family (OnnxOps*.cpp) use: attribute
// readers, constant inputs, axis normalization, import-time evaluation of
// small tensors, and the generic one-op converters.
//
// Each converter reads the node's attributes and inputs in the form its
// entry's opsets use, resolves everything implicit (auto_pad, negative
// axes, clamped slice bounds), and builds the qnt op with the result type
// ONNX shape inference computed; the op's verifier then checks that type
// against qnt's own shape formulas.
//
// Some checks in the converters repeat what ONNX's schema check and shape
// inference already reject (attribute lengths, ranks, broadcasting, branch
// counts). They stay: the converters index by those values, and the fuzzer
// showed libonnx's checks are not complete. No lit test can reach them
// through quant-import; each sits before the indexing it protects.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_LIB_IMPORT_ONNXOPSCOMMON_H
#define QUANT_LIB_IMPORT_ONNXOPSCOMMON_H

#include "ImporterImpl.h"
#include "OnnxOpRegistry.h"

#include "quant/Dialect/Qnt/IR/QntShapes.h"

#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::qnt::detail {

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     llvm::StringRef name);
int64_t attrInt(const onnx::NodeProto &node, llvm::StringRef name,
                int64_t dflt);
float attrFloat(const onnx::NodeProto &node, llvm::StringRef name, float dflt);
std::string attrString(const onnx::NodeProto &node, llvm::StringRef name,
                       llvm::StringRef dflt);
std::optional<llvm::SmallVector<int64_t>> attrInts(const onnx::NodeProto &node,
                                                   llvm::StringRef name);
std::optional<llvm::SmallVector<float>> attrFloats(const onnx::NodeProto &node,
                                                   llvm::StringRef name);
/// Attribute `name`, or `n` copies of `dflt` when it is absent.
llvm::SmallVector<int64_t> intsOr(const onnx::NodeProto &node,
                                  llvm::StringRef name, size_t n, int64_t dflt);

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

inline llvm::ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

/// Normalizes an ONNX axis (negative counts from the end); fails when out of
/// range.
FailureOr<int64_t> normalizeAxis(Importer &im, const onnx::NodeProto &node,
                                 int64_t axis, int64_t rank);

/// Integer list from a constant input; `what` names it in the error.
FailureOr<llvm::SmallVector<int64_t>> constInts(Importer &im,
                                                const onnx::NodeProto &node,
                                                int i, llvm::StringRef what);
FailureOr<llvm::SmallVector<float>> constFloats(Importer &im,
                                                const onnx::NodeProto &node,
                                                int i, llvm::StringRef what);
/// Integer list from optional input `i`: nullopt when the input is absent.
FailureOr<std::optional<llvm::SmallVector<int64_t>>>
optionalConstInts(Importer &im, const onnx::NodeProto &node, int i,
                  llvm::StringRef what);

/// Whether every input is a small import-time constant (or absent).
bool allConst(Importer &im, const onnx::NodeProto &node);

/// Optional input `i` as a value, or a null value when it is absent.
FailureOr<Value> getOptionalValue(Importer &im, const onnx::NodeProto &node,
                                  int i);

/// Most of qnt's compute ops take float (and quantized) tensors only; the
/// element-wise arithmetic below (requireNumeric) also runs on integers.
LogicalResult requireFloat(Importer &im, const onnx::NodeProto &node,
                           RankedTensorType type);

/// The element-wise ops that also run on integers (qnt.add ... qnt.pow,
/// compare, select) take floats or i8/i32/i64 (not i1). With
/// `signMatters`, an input that is ONNX UINT8 (held as i8) is refused.
LogicalResult requireNumeric(Importer &im, const onnx::NodeProto &node,
                             RankedTensorType type, bool signMatters);

/// Input 0 and the static type of output 0: the operand and result type of
/// most single-input ops.
struct InputAndType {
  Value x;
  RankedTensorType type;
};
/// Fails after reporting; with `floatResult`, also when the result is not a
/// float tensor.
FailureOr<InputAndType> getInputAndType(Importer &im,
                                        const onnx::NodeProto &node,
                                        bool floatResult = false);

//===----------------------------------------------------------------------===//
// Import-time evaluation
//===----------------------------------------------------------------------===//

/// Row-major strides of `shape`.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

/// Element index in a tensor of `shape` broadcast to `outShape`.
int64_t broadcastIndex(int64_t flat, llvm::ArrayRef<int64_t> outShape,
                       llvm::ArrayRef<int64_t> shape);

/// float16 helpers (llvm::APFloat underneath). The float an IEEE binary16
/// bit pattern holds (exact).
float halfToFloat(uint16_t bits);
/// The binary16 bit pattern of `x`, rounded to nearest (ties to even).
uint16_t halfBits(float x);
/// `x` rounded to the nearest binary16 value (ties to even; overflow to
/// infinity), as a float: what an ONNX Cast to FLOAT16 keeps of it.
float roundToHalf(float x);

/// A ConstTensor of `dtype` and `shape` whose element i is getDouble(i)
/// (float) or getInt(i) (integer and bool types).
ConstTensor makeConst(int32_t dtype, llvm::ArrayRef<int64_t> shape,
                      llvm::function_ref<double(int64_t)> getDouble,
                      llvm::function_ref<int64_t(int64_t)> getInt);

/// Same data, new shape.
ConstTensor reshapeConst(const ConstTensor &c, llvm::ArrayRef<int64_t> shape);

/// The elements of `c` at source(i) for each i of a result of `shape`
/// (a gather by index map: Slice, Split, Gather, Expand at import time).
ConstTensor gatherConst(const ConstTensor &c, llvm::ArrayRef<int64_t> shape,
                        llvm::function_ref<int64_t(int64_t)> source);

/// A float scalar or 1-D constant materialized as a qnt.constant.
Value materializeFloats(Importer &im, llvm::ArrayRef<float> values,
                        llvm::ArrayRef<int64_t> shape, Location loc,
                        llvm::StringRef nameHint);

//===----------------------------------------------------------------------===//
// Generic converters
//===----------------------------------------------------------------------===//

/// Binds output 0 to input 0 (Identity, Dropout at inference).
LogicalResult convertIdentity(Importer &im, const onnx::NodeProto &node);

/// One qnt op of one float operand, with ONNX's result type.
template <typename OpTy>
LogicalResult convertUnary(Importer &im, const onnx::NodeProto &node) {
  FailureOr<InputAndType> io = getInputAndType(im, node, /*floatResult=*/true);
  if (failed(io) ||
      failed(requireFloat(im, node, cast<RankedTensorType>(io->x.getType()))))
    return failure();
  im.setValue(node, 0,
              OpTy::create(im.getBuilder(), im.getLoc(node), io->type, io->x));
  return success();
}

} // namespace mlir::qnt::detail

#endif // QUANT_LIB_IMPORT_ONNXOPSCOMMON_H
