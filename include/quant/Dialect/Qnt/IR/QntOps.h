//===- QntOps.h - Operations of the qnt dialect -----------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTOPS_H
#define QUANT_DIALECT_QNT_IR_QNTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "quant/Dialect/Qnt/IR/QntDialect.h"
#include "quant/Dialect/Qnt/IR/QntInterfaces.h"
#include "quant/Dialect/Qnt/IR/QntTraits.h"

#define GET_OP_CLASSES
#include "quant/Dialect/Qnt/IR/QntOps.h.inc"

#endif // QUANT_DIALECT_QNT_IR_QNTOPS_H
