//===- QntTraits.h - Verifying traits shared by qnt ops ---------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTTRAITS_H
#define QUANT_DIALECT_QNT_IR_QNTTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace mlir::qnt {
namespace detail {
LogicalResult verifySameExpressedElementType(Operation *op);
LogicalResult verifySameIntegerElementType(Operation *op);
LogicalResult verifyBroadcastsOperands(Operation *op);
LogicalResult verifyTensorSizesFit(Operation *op);
} // namespace detail

template <typename ConcreteType>
class TensorSizesFit : public OpTrait::TraitBase<ConcreteType, TensorSizesFit> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return detail::verifyTensorSizesFit(op);
  }
};

/// Every float or quantized operand and result has the same expressed type
/// (integer operands, such as gather indices, are not considered). This lets
/// a float op take quantized weights (weight-only quantization) while ruling
/// out an f16 weight on an f32 activation.
template <typename ConcreteType>
class SameExpressedElementType
    : public OpTrait::TraitBase<ConcreteType, SameExpressedElementType> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return detail::verifySameExpressedElementType(op);
  }
};

/// Integer operands and results other than i1 (booleans: conditions and
/// comparison results) all have one type, and never meet float or quantized
/// values: arithmetic on integers stays integer.
template <typename ConcreteType>
class SameIntegerElementType
    : public OpTrait::TraitBase<ConcreteType, SameIntegerElementType> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return detail::verifySameIntegerElementType(op);
  }
};

/// Two operands that broadcast multidirectionally (numpy rules); the single
/// result has the broadcast shape.
template <typename ConcreteType>
class BroadcastsOperands
    : public OpTrait::TraitBase<ConcreteType, BroadcastsOperands> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return detail::verifyBroadcastsOperands(op);
  }
};

/// The op's quantized form computes on its input's grid (QntInterfaces.td).
template <typename ConcreteType>
class PreservesGrid : public OpTrait::TraitBase<ConcreteType, PreservesGrid> {};

/// The result shares operand 0's range and scale (QntInterfaces.td).
template <typename ConcreteType>
class SharesOperandRange
    : public OpTrait::TraitBase<ConcreteType, SharesOperandRange> {};

/// The op mirrors one ONNX operator; the ODS trait Qnt_OnnxOpType adds
/// its static getOnnxOpType() (QntInterfaces.td).
template <typename ConcreteType>
class OnnxOpType : public OpTrait::TraitBase<ConcreteType, OnnxOpType> {};

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_IR_QNTTRAITS_H
