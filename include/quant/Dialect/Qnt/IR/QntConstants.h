//===- QntConstants.h - Reading and making qnt constants --------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Weights arrive either inline (`dense`) or as blobs (`dense_resource`).
// Transformations read and write them through these helpers so that neither
// form is special-cased in a pass.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTCONSTANTS_H
#define QUANT_DIALECT_QNT_IR_QNTCONSTANTS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace mlir::qnt {

/// Constants with at most this many elements are made inline (`dense`);
/// larger ones become `dense_resource` blobs, which the context does not
/// hash or unique.
constexpr int64_t kMaxInlineConstantElements = 16;

/// The f32 elements of `value` when it is produced by a qnt.constant of f32
/// element type (inline or blob, splats expanded); nullopt otherwise.
std::optional<llvm::SmallVector<float>> getConstantF32Values(Value value);

/// The elements of `value` when it is produced by a qnt.constant of i4
/// (inline), i8 or i32 element type (inline or blob, splats expanded),
/// sign-extended;
/// nullopt otherwise. Quantized weights and biases are read this way.
std::optional<llvm::SmallVector<int64_t>> getConstantIntValues(Value value);

/// An f32 elements attribute of `type` holding `values`: inline when small,
/// a blob named after `blobName` otherwise.
ElementsAttr makeF32Elements(RankedTensorType type,
                             llvm::ArrayRef<float> values,
                             llvm::StringRef blobName);

/// Integer elements attributes of `type` (i8 or i32 elements): inline when
/// small, a blob named after `blobName` otherwise. Quantized weights and
/// biases are stored this way, behind a `quant.scast`.
ElementsAttr makeI8Elements(RankedTensorType type,
                            llvm::ArrayRef<int8_t> values,
                            llvm::StringRef blobName);
ElementsAttr makeI32Elements(RankedTensorType type,
                             llvm::ArrayRef<int32_t> values,
                             llvm::StringRef blobName);

/// A blob name for a constant a pass derives for `op`: the op's ONNX node
/// name (its NameLoc, or the first one in a FusedLoc), else `fallback`,
/// followed by `suffix` (e.g. ".cle.weight").
std::string derivedBlobName(Operation *op, llvm::StringRef suffix,
                            llvm::StringRef fallback);

/// Replaces operand `index` of `op` (an f32 tensor) by a new qnt.constant
/// holding `values`, named derivedBlobName(op, suffix, "layer"), and erases
/// the old operand's defining op if nothing else uses it. For passes that
/// rewrite weights and biases in place (CLE, SmoothQuant, bias correction).
void replaceOperandWithF32Constant(Operation *op, unsigned index,
                                   llvm::ArrayRef<float> values,
                                   llvm::StringRef suffix);

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_IR_QNTCONSTANTS_H
