//===- Passes.h - Conversions out of the qnt dialect ------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CONVERSION_PASSES_H
#define QUANT_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
namespace qnt {

#define GEN_PASS_DECL
#include "quant/Conversion/Passes.h.inc"

/// Patterns lowering float qnt ops to linalg/tensor/arith/math.
void populateQntToLinalgPatterns(RewritePatternSet &patterns);

/// Patterns lowering quantized qnt ops and quant casts to integer linalg
/// (the reference int8 lowering), with `converter` mapping quantized tensor
/// types to their storage types.
void populateQuantizedQntToLinalgPatterns(const TypeConverter &converter,
                                          RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "quant/Conversion/Passes.h.inc"

} // namespace qnt
} // namespace mlir

#endif // QUANT_CONVERSION_PASSES_H
