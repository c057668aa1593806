//===- OnnxOpsRecurrent.cpp - LSTM, GRU and RNN unrolled --------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt has no recurrent op: with the sequence length static, an LSTM, GRU or
// RNN node is unrolled over time into the ops of its ONNX equations. Per
// direction, the input projection of every step is one gemm
// (X W^T + Wb + Rb on [seq * batch, input]); each step is one gemm with the
// recurrence weights (H R^T + that step's projection) and the gates'
// element-wise math. Forward, reverse and bidirectional, both layouts,
// initial states, peepholes, clip, input_forget and linear_before_reset are
// handled; `sequence_lens` (a constant or a run-time int tensor) masks each
// step with qnt.select, as ONNX Runtime does: a finished sequence keeps its
// state, its Y rows are 0, and an empty one has zero final states.
//
// Constant weights stay constants of the gemms, so qnt-quantize sees the
// recurrence as ordinary gemms with constant weights.
//
//===----------------------------------------------------------------------===//

#include "OnnxDecompose.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

namespace {

enum class Cell { Rnn, Gru, Lstm };

/// Gates per cell (the blocks of W and R): RNN i; GRU z, r, h; LSTM i, o,
/// f, c.
int64_t gateCount(Cell cell) {
  return cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 3 : 4;
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

/// One of the cell's activation functions (f, g, h) with its parameters.
struct Activation {
  std::string name; // lower case
  float alpha = 0, beta = 0;
};

/// The activations of each direction in order: RNN f; GRU f, g; LSTM f, g,
/// h. `activation_alpha`/`_beta` are consumed in order by the functions
/// that take them (as ONNX Runtime reads them); a function whose value is
/// not given gets its ONNX operator's default.
FailureOr<SmallVector<Activation>> parseActivations(Importer &im,
                                                    const onnx::NodeProto &node,
                                                    Cell cell,
                                                    int64_t numDirections) {
  static const char *const defaults[3][3] = {
      {"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}};
  int64_t perDirection = cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 2 : 3;
  SmallVector<std::string> names;
  if (const auto *attr = findAttr(node, "activations")) {
    names.assign(attr->strings().begin(), attr->strings().end());
  } else {
    for (int64_t d = 0; d < numDirections; ++d)
      for (int64_t i = 0; i < perDirection; ++i)
        names.push_back(defaults[perDirection - 1][i]);
  }
  if (static_cast<int64_t>(names.size()) != perDirection * numDirections)
    return im.nodeError(node) << "expects " << perDirection * numDirections
                              << " activations, got " << names.size();
  SmallVector<float> alphas =
      attrFloats(node, "activation_alpha").value_or(SmallVector<float>{});
  SmallVector<float> betas =
      attrFloats(node, "activation_beta").value_or(SmallVector<float>{});
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Activation> result;
  for (const std::string &given : names) {
    Activation act;
    act.name = llvm::StringRef(given).lower();
    // Defaults of the ONNX operators of the same name.
    std::optional<float> alpha, beta;
    if (act.name == "leakyrelu")
      alpha = 0.01f;
    else if (act.name == "hardsigmoid")
      alpha = 0.2f, beta = 0.5f;
    else if (act.name == "affine" || act.name == "scaledtanh")
      alpha = 1.0f, beta = act.name == "affine" ? 0.0f : 1.0f;
    else if (act.name != "sigmoid" && act.name != "tanh" && act.name != "relu")
      return im.notSupported(node) << "activation '" << given << "'";
    if (alpha && nextAlpha < alphas.size())
      alpha = alphas[nextAlpha++];
    if (beta && nextBeta < betas.size())
      beta = betas[nextBeta++];
    act.alpha = alpha.value_or(0.0f);
    act.beta = beta.value_or(0.0f);
    result.push_back(std::move(act));
  }
  return result;
}

Value activate(Decomposer &d, const Activation &act, Value x) {
  OpBuilder &b = d.getBuilder();
  if (act.name == "sigmoid")
    return d.unary<SigmoidOp>(x);
  if (act.name == "tanh")
    return d.unary<TanhOp>(x);
  if (act.name == "relu")
    return d.unary<ReluOp>(x);
  if (act.name == "leakyrelu")
    return LeakyReluOp::create(b, d.getLoc(), x.getType(), x,
                               b.getF32FloatAttr(act.alpha));
  if (act.name == "hardsigmoid")
    return HardSigmoidOp::create(b, d.getLoc(), x.getType(), x,
                                 b.getF32FloatAttr(act.alpha),
                                 b.getF32FloatAttr(act.beta));
  if (act.name == "affine")
    return d.add(d.mul(x, d.splat(act.alpha)), d.splat(act.beta));
  // ScaledTanh: alpha * tanh(beta * x).
  return d.mul(d.unary<TanhOp>(d.mul(x, d.splat(act.beta))),
               d.splat(act.alpha));
}

//===----------------------------------------------------------------------===//
// Operands
//===----------------------------------------------------------------------===//

/// The node's attributes and operands, time-major and direction-major
/// whatever the layout.
struct RnnOperands {
  Cell cell;
  int64_t seq = 0, batch = 0, inputSize = 0, hidden = 0, directions = 1;
  bool reverseOnly = false, batchFirst = false;
  std::optional<float> clip;
  bool inputForget = false, linearBeforeReset = false;
  SmallVector<Activation> activations;
  Value x;                  // [seq, batch, input]
  Value w, r;               // [dirs, gates * hidden, input | hidden]
  Value bias;               // [dirs, 2 * gates * hidden] or null
  Value initialH, initialC; // [dirs, batch, hidden] or null
  Value peepholes;          // [dirs, 3 * hidden] or null
};

/// Fails unless `value` has `shape`; `what` names the input.
LogicalResult expectShape(Importer &im, const onnx::NodeProto &node,
                          Value value, ArrayRef<int64_t> shape,
                          StringRef what) {
  if (!value || shapeOf(value) == shape)
    return success();
  return im.nodeError(node)
         << what << " has shape " << formatShape(shapeOf(value))
         << ", expected " << formatShape(shape);
}

LogicalResult readAttributes(Importer &im, const onnx::NodeProto &node,
                             RnnOperands &ops) {
  std::string direction = attrString(node, "direction", "forward");
  if (direction == "bidirectional")
    ops.directions = 2;
  else if (direction == "reverse")
    ops.reverseOnly = true;
  else if (direction != "forward")
    return im.nodeError(node) << "unknown direction '" << direction << "'";
  ops.batchFirst = attrInt(node, "layout", 0) != 0;
  if (findAttr(node, "clip")) {
    float clip = attrFloat(node, "clip", 0);
    if (!(clip > 0))
      return im.nodeError(node) << "clip must be positive";
    ops.clip = clip;
  }
  ops.inputForget = attrInt(node, "input_forget", 0) != 0;
  ops.linearBeforeReset = attrInt(node, "linear_before_reset", 0) != 0;
  FailureOr<SmallVector<Activation>> acts =
      parseActivations(im, node, ops.cell, ops.directions);
  if (failed(acts))
    return failure();
  ops.activations = std::move(*acts);
  return success();
}

FailureOr<RnnOperands> getOperands(Importer &im, const onnx::NodeProto &node,
                                   Cell cell, Decomposer &d) {
  RnnOperands ops;
  ops.cell = cell;
  if (failed(readAttributes(im, node, ops)))
    return failure();
  FailureOr<Value> x = im.getValue(node, 0), w = im.getValue(node, 1),
                   r = im.getValue(node, 2);
  if (failed(x) || failed(w) || failed(r))
    return failure();
  if (failed(requireFloat(im, node, cast<RankedTensorType>(x->getType()))))
    return failure();
  if (shapeOf(*x).size() != 3 || shapeOf(*r).size() != 3)
    return im.nodeError(node) << "expects X, W and R of rank 3";
  ops.x = ops.batchFirst ? d.transpose(*x, {1, 0, 2}) : *x;
  ops.seq = shapeOf(ops.x)[0];
  ops.batch = shapeOf(ops.x)[1];
  ops.inputSize = shapeOf(ops.x)[2];
  ops.hidden = attrInt(node, "hidden_size", shapeOf(*r)[2]);
  ops.w = *w;
  ops.r = *r;
  int64_t gh = gateCount(cell) * ops.hidden;
  auto optional = [&](int i) { return getOptionalValue(im, node, i); };
  FailureOr<Value> bias = optional(3), h0 = optional(5);
  FailureOr<Value> c0 =
      cell == Cell::Lstm ? optional(6) : FailureOr<Value>(Value());
  FailureOr<Value> p =
      cell == Cell::Lstm ? optional(7) : FailureOr<Value>(Value());
  if (failed(bias) || failed(h0) || failed(c0) || failed(p))
    return failure();
  ops.bias = *bias;
  ops.peepholes = *p;
  int64_t dirs = ops.directions;
  auto directionMajor = [&](Value v) {
    return v && ops.batchFirst ? d.transpose(v, {1, 0, 2}) : v;
  };
  ops.initialH = directionMajor(*h0);
  ops.initialC = directionMajor(*c0);
  if (failed(expectShape(im, node, ops.w, {dirs, gh, ops.inputSize}, "W")) ||
      failed(expectShape(im, node, ops.r, {dirs, gh, ops.hidden}, "R")) ||
      failed(expectShape(im, node, ops.bias, {dirs, 2 * gh}, "B")) ||
      failed(expectShape(im, node, ops.initialH, {dirs, ops.batch, ops.hidden},
                         "initial_h")) ||
      failed(expectShape(im, node, ops.initialC, {dirs, ops.batch, ops.hidden},
                         "initial_c")) ||
      failed(expectShape(im, node, ops.peepholes, {dirs, 3 * ops.hidden}, "P")))
    return failure();
  return ops;
}

//===----------------------------------------------------------------------===//
// sequence_lens
//===----------------------------------------------------------------------===//

/// Which batch entries are inside their sequence at a step.
class SequenceMask {
public:
  static FailureOr<SequenceMask> get(Importer &im, const onnx::NodeProto &node,
                                     Decomposer &d, int64_t seq,
                                     int64_t batch) {
    SequenceMask mask;
    mask.batch = batch;
    if (!im.hasInput(node, 4))
      return mask;
    if (const ConstTensor *c = im.getConst(node, 4)) {
      if (c->numElements() != batch)
        return im.nodeError(node) << "sequence_lens has " << c->numElements()
                                  << " entries for a batch of " << batch;
      for (int64_t i = 0; i < batch; ++i) {
        int64_t len = c->getInt(i);
        if (len < 0 || len > seq)
          return im.nodeError(node) << "sequence_lens entry " << len
                                    << " is not in [0, " << seq << "]";
        mask.lengths.push_back(len);
      }
      return mask;
    }
    FailureOr<Value> lens = im.getValue(node, 4);
    if (failed(lens))
      return failure();
    if (shapeOf(*lens) != ArrayRef<int64_t>{batch})
      return im.nodeError(node) << "sequence_lens must have shape " << batch;
    // Lengths are at most the sequence length: exact in f32.
    mask.runtimeLengths =
        d.reshape(d.castTo(*lens, d.getElementType()), {batch, 1});
    return mask;
  }

  /// [batch, 1] i1, or null when every entry is inside at step t.
  Value activeAt(Decomposer &d, int64_t t) const { return lengthAbove(d, t); }
  /// [batch, 1] i1, or null when no sequence is empty.
  Value nonEmpty(Decomposer &d) const { return lengthAbove(d, 0); }

private:
  Value lengthAbove(Decomposer &d, int64_t t) const {
    if (runtimeLengths)
      return d.compare(runtimeLengths, d.splat(static_cast<float>(t)),
                       ComparePredicate::gt);
    if (lengths.empty() ||
        llvm::all_of(lengths, [&](int64_t len) { return len > t; }))
      return Value();
    SmallVector<bool> active;
    for (int64_t len : lengths)
      active.push_back(len > t);
    return d.boolConstant(active, {batch, 1});
  }

  int64_t batch = 0;
  SmallVector<int64_t> lengths;
  Value runtimeLengths;
};

//===----------------------------------------------------------------------===//
// Cells
//===----------------------------------------------------------------------===//

/// One direction's weights, sliced once.
struct DirectionWeights {
  Value xProjection; // [seq, batch, gates * hidden]
  Value r;           // [gates * hidden, hidden]
  Value rZR, rH;     // GRU: R's update/reset rows [2 * hidden, hidden] and
                     // hidden rows [hidden, hidden]
  Value rBiasH;      // GRU with linear_before_reset: Rbh [hidden]
  Value pi, po, pf;  // LSTM peepholes [hidden] or null
  ArrayRef<Activation> acts;
};

struct State {
  Value h, c;
};

Value clipped(Decomposer &d, const RnnOperands &ops, Value x) {
  return ops.clip ? d.clamp(x, -*ops.clip, *ops.clip) : x;
}

DirectionWeights directionWeights(Decomposer &d, const RnnOperands &ops,
                                  int64_t dir) {
  int64_t h = ops.hidden, gh = gateCount(ops.cell) * h;
  DirectionWeights dw;
  dw.acts = ArrayRef<Activation>(ops.activations)
                .slice(dir * (ops.activations.size() / ops.directions),
                       ops.activations.size() / ops.directions);
  dw.r = d.row(ops.r, dir);
  if (ops.cell == Cell::Gru) {
    dw.rZR = d.slice(dw.r, 0, 0, 2 * h);
    dw.rH = d.slice(dw.r, 0, 2 * h, 3 * h);
  }
  Value xBias;
  if (ops.bias) {
    Value bias = d.row(ops.bias, dir);
    Value wb = d.slice(bias, 0, 0, gh), rb = d.slice(bias, 0, gh, 2 * gh);
    if (ops.cell == Cell::Gru && ops.linearBeforeReset) {
      // Rbh is added inside the reset gate's product.
      dw.rBiasH = d.slice(rb, 0, 2 * h, 3 * h);
      xBias =
          d.concat({d.add(d.slice(wb, 0, 0, 2 * h), d.slice(rb, 0, 0, 2 * h)),
                    d.slice(wb, 0, 2 * h, 3 * h)},
                   0);
    } else {
      xBias = d.add(wb, rb);
    }
  }
  Value flat = d.reshape(ops.x, {ops.seq * ops.batch, ops.inputSize});
  dw.xProjection = d.reshape(d.gemm(flat, d.row(ops.w, dir), xBias, true),
                             {ops.seq, ops.batch, gh});
  if (ops.peepholes) {
    Value p = d.row(ops.peepholes, dir);
    dw.pi = d.slice(p, 0, 0, h);
    dw.po = d.slice(p, 0, h, 2 * h);
    dw.pf = d.slice(p, 0, 2 * h, 3 * h);
  }
  return dw;
}

/// it = f(Xt Wi + Ht-1 Ri + Pi . Ct-1 + b), ft likewise (or 1 - it with
/// input_forget), ct = g(...), Ct = ft . Ct-1 + it . ct,
/// ot = f(... + Po . Ct), Ht = ot . h(Ct).
State lstmStep(Decomposer &d, const RnnOperands &ops,
               const DirectionWeights &dw, Value xt, State s) {
  int64_t h = ops.hidden;
  Value gates = d.gemm(s.h, dw.r, xt, /*transB=*/true);
  auto gate = [&](int64_t k) { return d.slice(gates, 1, k * h, (k + 1) * h); };
  auto peep = [&](Value pre, Value p, Value c) {
    return p ? d.add(pre, d.mul(c, p)) : pre;
  };
  const Activation &f = dw.acts[0], &g = dw.acts[1], &hAct = dw.acts[2];
  Value i = activate(d, f, clipped(d, ops, peep(gate(0), dw.pi, s.c)));
  Value fg = ops.inputForget
                 ? d.sub(d.splat(1.0f), i)
                 : activate(d, f, clipped(d, ops, peep(gate(2), dw.pf, s.c)));
  Value cc = activate(d, g, clipped(d, ops, gate(3)));
  Value c = d.add(d.mul(fg, s.c), d.mul(i, cc));
  Value o = activate(d, f, clipped(d, ops, peep(gate(1), dw.po, c)));
  return {d.mul(o, activate(d, hAct, clipped(d, ops, c))), c};
}

/// zt = f(Xt Wz + Ht-1 Rz + b), rt likewise, ht = g(Xt Wh + (rt . Ht-1) Rh
/// + b) (or rt . (Ht-1 Rh + Rbh) with linear_before_reset),
/// Ht = (1 - zt) . ht + zt . Ht-1.
State gruStep(Decomposer &d, const RnnOperands &ops, const DirectionWeights &dw,
              Value xt, State s) {
  int64_t h = ops.hidden;
  const Activation &f = dw.acts[0], &g = dw.acts[1];
  Value zr = d.gemm(s.h, dw.rZR, d.slice(xt, 1, 0, 2 * h), /*transB=*/true);
  Value z = activate(d, f, clipped(d, ops, d.slice(zr, 1, 0, h)));
  Value r = activate(d, f, clipped(d, ops, d.slice(zr, 1, h, 2 * h)));
  Value xh = d.slice(xt, 1, 2 * h, 3 * h);
  Value rh = dw.rH;
  Value pre = ops.linearBeforeReset
                  ? d.add(xh, d.mul(r, d.gemm(s.h, rh, dw.rBiasH, true)))
                  : d.gemm(d.mul(r, s.h), rh, xh, /*transB=*/true);
  Value candidate = activate(d, g, clipped(d, ops, pre));
  Value next = d.add(d.mul(d.sub(d.splat(1.0f), z), candidate), d.mul(z, s.h));
  return {next, Value()};
}

/// Ht = f(Xt Wi + Ht-1 Ri + b).
State rnnStep(Decomposer &d, const RnnOperands &ops, const DirectionWeights &dw,
              Value xt, State s) {
  Value pre = d.gemm(s.h, dw.r, xt, /*transB=*/true);
  return {activate(d, dw.acts[0], clipped(d, ops, pre)), Value()};
}

/// One direction over the whole sequence: Y rows by time (if `wantY`) and
/// the final state.
State runDirection(Decomposer &d, const RnnOperands &ops,
                   const SequenceMask &mask, int64_t dir, bool reverse,
                   bool wantY, SmallVector<Value> &ySteps) {
  DirectionWeights dw = directionWeights(d, ops, dir);
  SmallVector<int64_t> stateShape{ops.batch, ops.hidden};
  State s;
  Value zeros;
  auto initial = [&](Value given) {
    if (given)
      return d.row(given, dir);
    if (!zeros)
      zeros = d.splat(0.0f, stateShape);
    return zeros;
  };
  s.h = initial(ops.initialH);
  if (ops.cell == Cell::Lstm)
    s.c = initial(ops.initialC);
  auto step = ops.cell == Cell::Lstm  ? lstmStep
              : ops.cell == Cell::Gru ? gruStep
                                      : rnnStep;
  ySteps.assign(ops.seq, Value());
  for (int64_t k = 0; k < ops.seq; ++k) {
    int64_t t = reverse ? ops.seq - 1 - k : k;
    State next = step(d, ops, dw, d.row(dw.xProjection, t), s);
    Value y = next.h;
    if (Value active = mask.activeAt(d, t)) {
      // A finished sequence keeps its state and outputs zeros.
      next.h = d.select(active, next.h, s.h);
      if (next.c)
        next.c = d.select(active, next.c, s.c);
      if (wantY)
        y = d.select(active, y, d.splat(0.0f));
    }
    if (wantY)
      ySteps[t] = d.reshape(y, {1, 1, ops.batch, ops.hidden});
    s = next;
  }
  if (Value nonEmpty = mask.nonEmpty(d)) {
    s.h = d.select(nonEmpty, s.h, d.splat(0.0f));
    if (s.c)
      s.c = d.select(nonEmpty, s.c, d.splat(0.0f));
  }
  return s;
}

/// Binds output `i` to `value` when the node uses it, checking the type
/// shape inference gave it.
LogicalResult bindOutput(Importer &im, const onnx::NodeProto &node, int i,
                         Value value) {
  FailureOr<RankedTensorType> type = im.getResultType(node, i);
  if (failed(type))
    return failure();
  if (value.getType() != *type)
    return im.nodeError(node) << "output " << i << " is " << value.getType()
                              << " but shape inference gave " << *type;
  im.setValue(node, i, value);
  return success();
}

bool wantsOutput(const onnx::NodeProto &node, int i) {
  return i < node.output_size() && !node.output(i).empty();
}

template <Cell C>
LogicalResult convertRecurrent(Importer &im, const onnx::NodeProto &node) {
  FailureOr<Value> x = im.getValue(node, 0);
  if (failed(x))
    return failure();
  Decomposer d(im, node, cast<ShapedType>(x->getType()).getElementType());
  FailureOr<RnnOperands> ops = getOperands(im, node, C, d);
  if (failed(ops))
    return failure();
  FailureOr<SequenceMask> mask =
      SequenceMask::get(im, node, d, ops->seq, ops->batch);
  if (failed(mask))
    return failure();
  bool wantY = wantsOutput(node, 0);
  SmallVector<Value> ys, hs, cs;
  for (int64_t dir = 0; dir < ops->directions; ++dir) {
    SmallVector<Value> steps;
    bool reverse = ops->reverseOnly || dir == 1;
    State s = runDirection(d, *ops, *mask, dir, reverse, wantY, steps);
    if (wantY)
      ys.push_back(d.concat(steps, 0));
    if (wantsOutput(node, 1))
      hs.push_back(d.reshape(s.h, {1, ops->batch, ops->hidden}));
    if (s.c && wantsOutput(node, 2))
      cs.push_back(d.reshape(s.c, {1, ops->batch, ops->hidden}));
  }
  // Y: [seq, dirs, batch, hidden]; Y_h, Y_c: [dirs, batch, hidden]
  // (batch first with layout 1).
  if (wantY) {
    Value y = d.concat(ys, 1);
    if (failed(bindOutput(im, node, 0,
                          ops->batchFirst ? d.transpose(y, {2, 0, 1, 3}) : y)))
      return failure();
  }
  for (auto [i, states] : {std::pair{1, &hs}, std::pair{2, &cs}}) {
    if (!wantsOutput(node, i))
      continue;
    Value v = d.concat(*states, 0);
    if (failed(bindOutput(im, node, i,
                          ops->batchFirst ? d.transpose(v, {1, 0, 2}) : v)))
      return failure();
  }
  return success();
}

} // namespace

void mlir::qnt::detail::populateRecurrentConverters(OnnxOpRegistry &r) {
  // RNN/GRU/LSTM-7 and -14 differ in `layout` (14), which the converters
  // read with its default 0: one entry each.
  r.onOp("RNN", 7, convertRecurrent<Cell::Rnn>);
  r.onOp("GRU", 7, convertRecurrent<Cell::Gru>);
  r.onOp("LSTM", 7, convertRecurrent<Cell::Lstm>);
}
