//===- QntInterfaces.h - What passes ask of qnt ops -------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The op interfaces of QntInterfaces.td and the C++ types their methods
// use. See the .td file for what each one is for.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTINTERFACES_H
#define QUANT_DIALECT_QNT_IR_QNTINTERFACES_H

#include "quant/Dialect/Qnt/IR/OnnxNodeWriter.h"
#include "quant/Dialect/Qnt/IR/QntLayers.h"
#include "quant/Dialect/Qnt/IR/QntScalar.h"
#include "quant/Dialect/Qnt/IR/QntTraits.h"

#include "mlir/IR/OpDefinition.h"

#include <algorithm>
#include <limits>

namespace mlir::qnt {

/// A closed interval of reals, the values a tensor holds. An end may be
/// infinite (unbounded); lo > hi is the empty interval (nothing known yet,
/// the identity of hull).
struct RealInterval {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();

  static RealInterval get(double lo, double hi) { return {lo, hi}; }
  static RealInterval point(double v) { return {v, v}; }
  static RealInterval empty() { return {}; }
  static RealInterval full() {
    return {-std::numeric_limits<double>::infinity(),
            std::numeric_limits<double>::infinity()};
  }

  bool isEmpty() const { return !(lo <= hi); }
  /// Both ends finite.
  bool isBounded() const {
    return !isEmpty() && lo > -std::numeric_limits<double>::infinity() &&
           hi < std::numeric_limits<double>::infinity();
  }
  /// The smallest interval holding both.
  RealInterval hull(const RealInterval &other) const {
    if (isEmpty())
      return other;
    if (other.isEmpty())
      return *this;
    return {std::min(lo, other.lo), std::max(hi, other.hi)};
  }
  bool operator==(const RealInterval &other) const {
    return (isEmpty() && other.isEmpty()) || (lo == other.lo && hi == other.hi);
  }
};

} // namespace mlir::qnt

#include "quant/Dialect/Qnt/IR/QntInterfaces.h.inc"

#endif // QUANT_DIALECT_QNT_IR_QNTINTERFACES_H
