//===- EqualizeActivations.h - Links qnt-equalize-activations takes -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Whether a module has anything for qnt-equalize-activations, before the
// per-channel calibration run the pass needs: the PTQ pipeline runs that
// run only then.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_TRANSFORMS_EQUALIZEACTIVATIONS_H
#define QUANT_DIALECT_QNT_TRANSFORMS_EQUALIZEACTIVATIONS_H

#include "mlir/IR/Operation.h"

namespace mlir::qnt {

/// Whether `root` holds a link qnt-equalize-activations would rescale given
/// per-channel ranges (a conv -> element-wise region -> depthwise conv with
/// constant weights; ranges are not looked at).
bool hasEqualizableLinks(Operation *root);

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_TRANSFORMS_EQUALIZEACTIVATIONS_H
