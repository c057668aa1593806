//===- QntLayers.h - Linear layers and their weight layouts -----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// What LinearLayerOpInterface says about a conv, gemm or matmul: which
// operand is the weight, which is the bias, and which weight axes hold the
// output and input channels. WeightLayout turns that into the element ->
// channel maps that every weight-rewriting pass needs (cross-layer
// equalization, SmoothQuant, bias correction, quantization, int4 grouping),
// so no pass re-derives a layer's layout from its op kind.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTLAYERS_H
#define QUANT_DIALECT_QNT_IR_QNTLAYERS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <optional>

namespace mlir::qnt {

/// A layer `y = x * W (+ b)` that is linear in operand 0 through a weight
/// operand: every weight element joins one input channel to one output
/// channel. `groups` splits both channel sets into that many blocks (a
/// grouped or depthwise conv); within a group, weight axis `inAxis` indexes
/// the group's input channels.
struct LinearLayer {
  unsigned weightIndex = 1;
  /// The per-output-channel bias operand, when the op has one.
  std::optional<unsigned> biasIndex;
  /// The weight axis of the output channels.
  int64_t outAxis = 0;
  /// The weight axis of the input channels (within a group), the reduction
  /// axis int4 groups run along.
  int64_t inAxis = 1;
  int64_t groups = 1;
  /// The axis of the result (and of operand 0) that holds the channels.
  int64_t resultChannelAxis = 1;
  /// Whether the int8/int4 lowerings and kernels take this layer: a 2-D
  /// conv with one group or depthwise, a gemm with alpha = beta = 1, a 2-D
  /// matmul.
  bool quantizable = false;
  /// A 2-D depthwise conv: one input and one output channel per group
  /// (weight [C, 1, KH, KW]). It has an int8 form only: no int4 weights,
  /// and the weight algorithms that need each layer's input moments
  /// (AdaRound, GPTQ, AWQ) leave it to nearest rounding.
  bool depthwise = false;
};

/// The linear layer `op` is, if it is one (LinearLayerOpInterface).
std::optional<LinearLayer> getLinearLayer(Operation *op);

/// The layer `op` is when quantization may rewrite it (`quantizable`).
std::optional<LinearLayer> getQuantizableLayer(Operation *op);

/// How the elements of a layer's weight (row-major, `shape`) map to its
/// output and input channels.
class WeightLayout {
public:
  WeightLayout(ArrayRef<int64_t> shape, const LinearLayer &layer);

  int64_t getNumOutputs() const { return outputs; }
  /// Input channels over all groups.
  int64_t getNumInputs() const { return perGroupInputs * groups; }
  int64_t getNumElements() const { return elements; }
  /// Elements between consecutive output channels on the output axis: the
  /// `inner` of QuantMath's per-channel weight functions.
  int64_t getOutputStride() const { return outStride; }

  /// The output channel element `k` contributes to.
  int64_t outputOf(int64_t k) const { return k / outStride % outputs; }
  /// The input channel (over all groups) element `k` reads.
  int64_t inputOf(int64_t k) const {
    int64_t group = outputOf(k) / (outputs / groups);
    return group * perGroupInputs + k / inStride % perGroupInputs;
  }
  /// Calls fn(k) for each element of output channel `o`, in order.
  void forEachOfOutput(int64_t o, function_ref<void(int64_t)> fn) const;
  /// Calls fn(k) for each element that reads input channel `i`, in order.
  void forEachOfInput(int64_t i, function_ref<void(int64_t)> fn) const;

private:
  int64_t elements = 0, outputs = 0, perGroupInputs = 0, groups = 1;
  /// Elements between consecutive indices of the output / input axis.
  int64_t outStride = 1, inStride = 1;
};

} // namespace mlir::qnt

#endif // QUANT_DIALECT_QNT_IR_QNTLAYERS_H
