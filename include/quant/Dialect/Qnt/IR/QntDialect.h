//===- QntDialect.h - The qnt graph dialect ---------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Declares the qnt dialect, its attributes (#qnt.range, enums) and the
// helpers that relate float and quantized element types.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTDIALECT_H
#define QUANT_DIALECT_QNT_IR_QNTDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include <string>

#include "quant/Dialect/Qnt/IR/QntDialect.h.inc"
#include "quant/Dialect/Qnt/IR/QntEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "quant/Dialect/Qnt/IR/QntAttrs.h.inc"

namespace mlir::qnt {

/// Unit attribute on @main's arguments and results that are ONNX uint8:
/// qnt holds them as i8 bits (arith is signless), and the runtime ABI
/// declares them uint8 (QUANT_DTYPE_UINT8).
inline constexpr llvm::StringLiteral kUint8AttrName = "onnx.uint8";

/// Returns the float type that `type` stands for: a float type itself, the
/// expressed type of a quantized type, or null for anything else. Shaped
/// types are looked through to their element type.
FloatType getExpressedType(Type type);

/// The `qnt.range` a value carries: the attribute of its single-result
/// defining op, or the argument attribute of a function's entry block
/// argument; null if none.
RangeAttr getValueRange(Value value);

/// The calibrated per-channel statistics of `value` (`qnt.channel_range` on
/// its defining op, or on the function argument), or null.
ChannelRangeAttr getValueChannelRange(Value value);

/// Whether `loc` (a NameLoc, possibly inside FusedLocs) carries one of
/// `names`: how passes find the ONNX nodes a user names (keep-float=...).
bool locationNames(Location loc, llvm::ArrayRef<std::string> names);

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_IR_QNTDIALECT_H
