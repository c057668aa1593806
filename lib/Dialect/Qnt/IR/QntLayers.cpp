//===- QntLayers.cpp - Linear layers and their weight layouts -------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntLayers.h"

#include "quant/Dialect/Qnt/IR/QntInterfaces.h"

#include <cassert>

using namespace mlir;
using namespace mlir::qnt;

std::optional<LinearLayer> mlir::qnt::getLinearLayer(Operation *op) {
  if (auto layer = dyn_cast<LinearLayerOpInterface>(op))
    return layer.getLinearLayer();
  return std::nullopt;
}

std::optional<LinearLayer> mlir::qnt::getQuantizableLayer(Operation *op) {
  std::optional<LinearLayer> layer = getLinearLayer(op);
  if (layer && layer->quantizable)
    return layer;
  return std::nullopt;
}

WeightLayout::WeightLayout(ArrayRef<int64_t> shape, const LinearLayer &layer)
    : groups(layer.groups) {
  elements = 1;
  for (int64_t d : shape)
    elements *= d;
  outputs = shape[layer.outAxis];
  perGroupInputs = shape[layer.inAxis];
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d > layer.outAxis;
       --d)
    outStride *= shape[d];
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d > layer.inAxis;
       --d)
    inStride *= shape[d];
  assert(groups > 0 && outputs % groups == 0 && "groups divide the outputs");
}

/// Calls fn(k), in increasing k, for every element of a tensor of `elements`
/// whose index on the axis of `size` and `stride` is `index`.
static void forEachOnAxis(int64_t elements, int64_t size, int64_t stride,
                          int64_t index, function_ref<void(int64_t)> fn) {
  if (elements == 0)
    return;
  int64_t outer = elements / (size * stride);
  for (int64_t u = 0; u < outer; ++u) {
    int64_t base = (u * size + index) * stride;
    for (int64_t t = 0; t < stride; ++t)
      fn(base + t);
  }
}

void WeightLayout::forEachOfOutput(int64_t o,
                                   function_ref<void(int64_t)> fn) const {
  forEachOnAxis(elements, outputs, outStride, o, fn);
}

void WeightLayout::forEachOfInput(int64_t i,
                                  function_ref<void(int64_t)> fn) const {
  int64_t group = i / perGroupInputs;
  int64_t perGroupOutputs = outputs / groups;
  forEachOnAxis(elements, perGroupInputs, inStride, i % perGroupInputs,
                [&](int64_t k) {
                  if (groups == 1 || outputOf(k) / perGroupOutputs == group)
                    fn(k);
                });
}
