//===- OnnxOpsControl.cpp - Comparisons, Not, Where, If ---------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Logic on values known at import time (shape logic) is evaluated here; at
// run time comparisons of float tensors become qnt.compare, Where a
// qnt.select, and an If on a run-time condition both branches inlined with a
// qnt.select per output.
//
//===----------------------------------------------------------------------===//

#include "OnnxDecompose.h"
#include "OnnxOpsCommon.h"

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

bool evaluate(ComparePredicate predicate, double x, double y) {
  switch (predicate) {
  case ComparePredicate::eq:
    return x == y;
  case ComparePredicate::gt:
    return x > y;
  case ComparePredicate::ge:
    return x >= y;
  case ComparePredicate::lt:
    return x < y;
  case ComparePredicate::le:
    return x <= y;
  }
  llvm_unreachable("unknown compare predicate");
}

/// Integers of magnitude below 2^24 are exact in f32, and f32 rounding is
/// monotonic with 2^24 representable: an int32/int64 value compares with
/// such a constant as its f32 rounding does (a value beyond 2^24 rounds to
/// at least 2^24 in magnitude, on the same side of the constant).
constexpr int64_t kExactInF32 = int64_t(1) << 24;

bool smallIntegerConstant(const ConstTensor *c) {
  if (!c || c->isFloat())
    return false;
  for (int64_t i = 0; i < c->numElements(); ++i)
    if (c->getInt(i) <= -kExactInF32 || c->getInt(i) >= kExactInF32)
      return false;
  return true;
}

/// Operand `i` of a run-time comparison. An int32/int64 run-time value
/// compared with a small integer constant (silero's `sr == 16000`) is cast
/// to f32, and the constant materialized as f32 (exact: kExactInF32), so
/// that the comparison takes part in float range analysis. Other integer
/// operands stay integers and compare as signed integers.
FailureOr<Value> getComparedValue(Importer &im, const onnx::NodeProto &node,
                                  int i) {
  const ConstTensor *self = im.getConst(node, i);
  const ConstTensor *other = im.getConst(node, 1 - i);
  auto &b = im.getBuilder();
  if (self && smallIntegerConstant(self)) {
    FailureOr<Value> peer = im.getValue(node, 1 - i);
    if (failed(peer))
      return failure();
    Type peerElement = cast<ShapedType>(peer->getType()).getElementType();
    if (peerElement.isInteger(32) || peerElement.isInteger(64)) {
      ConstTensor asFloat = makeConst(
          onnx::TensorProto::FLOAT, self->shape,
          [&](int64_t k) { return self->getDouble(k); }, nullptr);
      return im.materialize(asFloat, im.getLoc(node), "compared");
    }
  }
  FailureOr<Value> v = im.getValue(node, i);
  if (failed(v))
    return failure();
  Type element = cast<ShapedType>(v->getType()).getElementType();
  if (!self && smallIntegerConstant(other) &&
      (element.isInteger(32) || element.isInteger(64)))
    return CastOp::create(b, im.getLoc(node),
                          RankedTensorType::get(shapeOf(*v), b.getF32Type()),
                          *v)
        .getResult();
  return *v;
}

/// Equal, Greater, GreaterOrEqual, Less, LessOrEqual.
template <ComparePredicate Predicate>
LogicalResult convertCompare(Importer &im, const onnx::NodeProto &node) {
  if (allConst(im, node)) {
    const ConstTensor *a = im.getConst(node, 0), *c = im.getConst(node, 1);
    auto shape = broadcastShapes(a->shape, c->shape);
    if (!shape)
      return im.nodeError(node) << "operands do not broadcast";
    im.setConst(
        node, 0,
        makeConst(onnx::TensorProto::BOOL, *shape, nullptr,
                  [&](int64_t i) -> int64_t {
                    return evaluate(
                        Predicate,
                        a->getDouble(broadcastIndex(i, *shape, a->shape)),
                        c->getDouble(broadcastIndex(i, *shape, c->shape)));
                  }));
    return success();
  }
  FailureOr<Value> a = getComparedValue(im, node, 0);
  FailureOr<Value> c = getComparedValue(im, node, 1);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  // Equal does not depend on the sign of integers; the orderings do. On
  // uint8 (i8 bits) they compare the zero-extended values.
  bool signMatters = Predicate != ComparePredicate::eq;
  if (succeeded(a) && succeeded(c) && signMatters &&
      (im.isUint8Input(node, 0) || im.isUint8Input(node, 1)) &&
      cast<ShapedType>(a->getType()).getElementType().isInteger(8) &&
      cast<ShapedType>(c->getType()).getElementType().isInteger(8)) {
    Decomposer d(im, node, im.getBuilder().getI32Type());
    a = d.zeroExtend8(*a);
    c = d.zeroExtend8(*c);
    signMatters = false; // The i32 values are the unsigned ones.
  }
  if (failed(a) || failed(c) || failed(type) ||
      failed(requireNumeric(im, node, cast<RankedTensorType>(a->getType()),
                            signMatters)) ||
      failed(requireNumeric(im, node, cast<RankedTensorType>(c->getType()),
                            signMatters)))
    return failure();
  Type aElement = cast<ShapedType>(a->getType()).getElementType();
  Type cElement = cast<ShapedType>(c->getType()).getElementType();
  if (aElement != cElement)
    return im.nodeError(node)
           << "compares " << aElement << " with " << cElement;
  auto &b = im.getBuilder();
  im.setValue(
      node, 0,
      CompareOp::create(b, im.getLoc(node), *type, *a, *c,
                        ComparePredicateAttr::get(b.getContext(), Predicate)));
  return success();
}

LogicalResult convertNot(Importer &im, const onnx::NodeProto &node) {
  if (!allConst(im, node))
    return im.notSupported(node) << "Not of values only known at run time";
  const ConstTensor *a = im.getConst(node, 0);
  im.setConst(
      node, 0,
      makeConst(onnx::TensorProto::BOOL, a->shape, nullptr,
                [&](int64_t i) -> int64_t { return a->getInt(i) == 0; }));
  return success();
}

LogicalResult foldWhere(Importer &im, const onnx::NodeProto &node) {
  const ConstTensor *c = im.getConst(node, 0), *t = im.getConst(node, 1),
                    *f = im.getConst(node, 2);
  auto partial = broadcastShapes(t->shape, f->shape);
  auto shape = partial ? broadcastShapes(c->shape, *partial) : std::nullopt;
  if (!shape)
    return im.nodeError(node) << "operands do not broadcast";
  auto pick = [&](int64_t i) {
    return c->getInt(broadcastIndex(i, *shape, c->shape)) != 0 ? t : f;
  };
  im.setConst(node, 0,
              makeConst(
                  t->dtype, *shape,
                  [&](int64_t i) {
                    const ConstTensor *s = pick(i);
                    return s->getDouble(broadcastIndex(i, *shape, s->shape));
                  },
                  [&](int64_t i) {
                    const ConstTensor *s = pick(i);
                    return s->getInt(broadcastIndex(i, *shape, s->shape));
                  }));
  return success();
}

LogicalResult convertWhere(Importer &im, const onnx::NodeProto &node) {
  if (allConst(im, node))
    return foldWhere(im, node);
  FailureOr<Value> c = im.getValue(node, 0);
  FailureOr<Value> t = im.getValue(node, 1);
  FailureOr<Value> f = im.getValue(node, 2);
  FailureOr<RankedTensorType> type = im.getResultType(node);
  if (failed(c) || failed(t) || failed(f) || failed(type) ||
      failed(requireNumeric(im, node, *type, /*signMatters=*/false)))
    return failure();
  im.setValue(
      node, 0,
      SelectOp::create(im.getBuilder(), im.getLoc(node), *type, *c, *t, *f));
  return success();
}

/// If: with a condition known at import time, the taken branch is inlined.
/// Otherwise both branches (side-effect free, as ONNX graphs are) are
/// inlined and each output is a qnt.select on the condition.
LogicalResult convertIf(Importer &im, const onnx::NodeProto &node) {
  const auto *thenAttr = findAttr(node, "then_branch");
  const auto *elseAttr = findAttr(node, "else_branch");
  if (!thenAttr || !elseAttr || !thenAttr->has_g() || !elseAttr->has_g())
    return im.nodeError(node) << "needs then_branch and else_branch graphs";
  const onnx::GraphProto &thenGraph = thenAttr->g(), &elseGraph = elseAttr->g();
  if (thenGraph.output_size() != node.output_size() ||
      elseGraph.output_size() != node.output_size())
    return im.nodeError(node) << "branches must produce one value per output";
  auto inlineBranch = [&](const onnx::GraphProto &graph) -> LogicalResult {
    for (const auto &inner : graph.node())
      if (failed(im.convertNode(inner)))
        return failure();
    return success();
  };
  if (const ConstTensor *cond = im.getConst(node, 0)) {
    if (cond->numElements() != 1)
      return im.nodeError(node) << "the condition must have one element";
    const onnx::GraphProto &taken = cond->getInt(0) ? thenGraph : elseGraph;
    if (failed(inlineBranch(taken)))
      return failure();
    for (int i = 0; i < node.output_size(); ++i)
      if (failed(im.alias(node, i, taken.output(i).name())))
        return failure();
    return success();
  }
  FailureOr<Value> cond = im.getValue(node, 0);
  if (failed(cond) || failed(inlineBranch(thenGraph)) ||
      failed(inlineBranch(elseGraph)))
    return failure();
  for (int i = 0; i < node.output_size(); ++i) {
    FailureOr<Value> t = im.getValueByName(node, thenGraph.output(i).name());
    FailureOr<Value> f = im.getValueByName(node, elseGraph.output(i).name());
    FailureOr<RankedTensorType> type = im.getResultType(node, i);
    if (failed(t) || failed(f) || failed(type) ||
        failed(requireFloat(im, node, *type)))
      return failure();
    im.setValue(node, i,
                SelectOp::create(im.getBuilder(), im.getLoc(node), *type, *cond,
                                 *t, *f));
  }
  return success();
}

} // namespace

void mlir::qnt::detail::populateControlConverters(OnnxOpRegistry &r) {
  constexpr auto known = ImportTimeEval::WhenInputsKnown;
  r.onOp("Equal", 7, convertCompare<ComparePredicate::eq>, known);
  r.onOp("Greater", 7, convertCompare<ComparePredicate::gt>, known);
  r.onOp("GreaterOrEqual", 12, convertCompare<ComparePredicate::ge>, known);
  r.onOp("Less", 7, convertCompare<ComparePredicate::lt>, known);
  r.onOp("LessOrEqual", 12, convertCompare<ComparePredicate::le>, known);
  r.onOp("Not", 1, convertNot, known);
  r.onOp("Where", 9, convertWhere, known);
  r.onOp("If", 1, convertIf);
}
