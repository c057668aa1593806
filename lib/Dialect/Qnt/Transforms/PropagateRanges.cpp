//===- PropagateRanges.cpp - Derive and unify value ranges ----------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-propagate-ranges: a sparse forward dataflow analysis whose lattice is
// a value's range (uninitialized < [lo, hi] < unknown, joined by hull),
// seeded by the ranges calibration observed, plus an outer loop that widens
// values which must share a scale (concat inputs, optionally residual adds)
// and reruns the analysis until nothing changes.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/Transforms/Passes.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/Analysis/DataFlow/ConstantPropagationAnalysis.h"
#include "mlir/Analysis/DataFlow/DeadCodeAnalysis.h"
#include "mlir/Analysis/DataFlow/SparseAnalysis.h"
#include "mlir/Analysis/DataFlowFramework.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTPROPAGATERANGES
#include "quant/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;

namespace {

//===----------------------------------------------------------------------===//
// The lattice
//===----------------------------------------------------------------------===//

/// What the analysis knows about a value's range.
class RangeValue {
public:
  /// Nothing yet (the bottom of the lattice).
  RangeValue() = default;
  static RangeValue get(double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi)
      return getUnknown();
    RangeValue v;
    v.kind = Kind::Known;
    v.lo = lo;
    v.hi = hi;
    return v;
  }
  /// No finite range can be given (the top).
  static RangeValue getUnknown() {
    RangeValue v;
    v.kind = Kind::Unknown;
    return v;
  }

  bool isKnown() const { return kind == Kind::Known; }
  bool isUninitialized() const { return kind == Kind::Uninitialized; }
  double getLo() const { return lo; }
  double getHi() const { return hi; }

  /// The hull.
  static RangeValue join(const RangeValue &a, const RangeValue &b) {
    if (a.isUninitialized())
      return b;
    if (b.isUninitialized())
      return a;
    if (!a.isKnown() || !b.isKnown())
      return getUnknown();
    return get(std::min(a.lo, b.lo), std::max(a.hi, b.hi));
  }

  /// `this` narrowed to `bound` when both are known and overlap.
  RangeValue intersect(const RangeValue &bound) const {
    if (!isKnown())
      return bound.isKnown() ? bound : *this;
    if (!bound.isKnown() || bound.lo > hi || bound.hi < lo)
      return *this;
    return get(std::max(lo, bound.lo), std::min(hi, bound.hi));
  }

  bool operator==(const RangeValue &other) const {
    return kind == other.kind &&
           (kind != Kind::Known || (lo == other.lo && hi == other.hi));
  }

  void print(raw_ostream &os) const {
    if (isKnown())
      os << "[" << lo << ", " << hi << "]";
    else
      os << (isUninitialized() ? "<uninitialized>" : "<unknown>");
  }

private:
  enum class Kind { Uninitialized, Known, Unknown };
  Kind kind = Kind::Uninitialized;
  double lo = 0, hi = 0;
};

class RangeLattice : public dataflow::Lattice<RangeValue> {
public:
  using Lattice::Lattice;
};

//===----------------------------------------------------------------------===//
// Transfer functions
//===----------------------------------------------------------------------===//

/// The calibrated range an op or argument carries, if any.
static RangeValue observedRange(Value value) {
  RangeAttr attr = getValueRange(value);
  return attr ? RangeValue::get(attr.getMinValue(), attr.getMaxValue())
              : RangeValue::getUnknown();
}

static bool isFloatTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// Ops whose every output value is one of the input's values or a convex
/// combination of them: the output shares the input's range (and scale).
/// Returns the range of the output given the input ranges, or nullopt for
/// other ops.
static std::optional<RangeValue>
preservedRange(Operation *op, ArrayRef<const RangeLattice *> operands) {
  auto input = [&](unsigned i) { return operands[i]->getValue(); };
  return llvm::TypeSwitch<Operation *, std::optional<RangeValue>>(op)
      .Case<ReshapeOp, TransposeOp, SliceOp, GatherOp, MaxPoolOp,
            GlobalAveragePoolOp, ReduceMeanOp, ReduceMaxOp>(
          [&](auto) { return input(0); })
      .Case([&](AveragePoolOp pool) -> std::optional<RangeValue> {
        bool padded = llvm::any_of(pool.getPads(),
                                   [](int64_t p) { return p != 0; });
        if (pool.getCountIncludePad() && padded)
          return RangeValue::join(input(0), RangeValue::get(0, 0));
        return input(0);
      })
      .Case([&](ResizeOp resize) -> std::optional<RangeValue> {
        // Cubic interpolation overshoots; the others interpolate convexly.
        if (resize.getMode() == ResizeMode::cubic)
          return std::nullopt;
        return input(0);
      })
      .Case([&](PadOp pad) -> std::optional<RangeValue> {
        if (pad.getMode() != PadMode::constant)
          return input(0);
        double v = pad.getValue().convertToDouble();
        return RangeValue::join(input(0), RangeValue::get(v, v));
      })
      .Case([&](ConcatOp) {
        RangeValue hull;
        for (const RangeLattice *operand : operands)
          hull = RangeValue::join(hull, operand->getValue());
        return hull;
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// A monotonically non-decreasing element-wise op: its function, applied to
/// the ends of the input range, and the range of all its outputs.
struct Monotone {
  std::function<double(double)> apply;
  double lo, hi;
};

static std::optional<Monotone> monotoneOp(Operation *op) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  return llvm::TypeSwitch<Operation *, std::optional<Monotone>>(op)
      .Case([&](ReluOp) {
        return Monotone{[](double x) { return std::max(x, 0.0); }, 0, inf};
      })
      .Case([&](LeakyReluOp op) -> std::optional<Monotone> {
        double alpha = op.getAlpha().convertToDouble();
        if (alpha < 0)
          return std::nullopt;
        return Monotone{[alpha](double x) { return x >= 0 ? x : alpha * x; },
                        alpha > 0 ? -inf : 0.0, inf};
      })
      .Case([&](ClampOp op) {
        double lo = op.getMin() ? op.getMin()->convertToDouble() : -inf;
        double hi = op.getMax() ? op.getMax()->convertToDouble() : inf;
        return Monotone{[lo, hi](double x) { return std::clamp(x, lo, hi); },
                        lo, hi};
      })
      .Case([&](SigmoidOp) {
        return Monotone{[](double x) { return 1 / (1 + std::exp(-x)); }, 0, 1};
      })
      .Case([&](TanhOp) {
        return Monotone{[](double x) { return std::tanh(x); }, -1, 1};
      })
      .Case([&](HardSigmoidOp op) -> std::optional<Monotone> {
        double alpha = op.getAlpha().convertToDouble();
        double beta = op.getBeta().convertToDouble();
        if (alpha < 0)
          return std::nullopt;
        return Monotone{[alpha, beta](double x) {
                          return std::clamp(alpha * x + beta, 0.0, 1.0);
                        },
                        0, 1};
      })
      .Case([&](ExpOp) {
        return Monotone{[](double x) { return std::exp(x); }, 0, inf};
      })
      .Case([&](ErfOp) {
        return Monotone{[](double x) { return std::erf(x); }, -1, 1};
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// The range of `op`'s single result.
static RangeValue transfer(Operation *op,
                           ArrayRef<const RangeLattice *> operands) {
  Value result = op->getResult(0);
  if (isa<ConstantOp>(op)) {
    std::optional<SmallVector<float>> values = getConstantF32Values(result);
    if (!values || values->empty())
      return RangeValue::getUnknown();
    auto [lo, hi] = std::minmax_element(values->begin(), values->end());
    return RangeValue::get(*lo, *hi);
  }
  if (std::optional<RangeValue> preserved = preservedRange(op, operands))
    return *preserved;
  RangeValue observed = observedRange(result);
  if (std::optional<Monotone> f = monotoneOp(op)) {
    const RangeValue &in = operands[0]->getValue();
    RangeValue bound = RangeValue::get(f->lo, f->hi); // Unknown if infinite.
    if (in.isKnown())
      bound = RangeValue::get(f->apply(in.getLo()), f->apply(in.getHi()));
    else if (!bound.isKnown() && observed.isKnown())
      // A half-bounded function (relu) still clips the observed range.
      return RangeValue::get(std::max(observed.getLo(), f->lo),
                             std::min(observed.getHi(), f->hi));
    return observed.isKnown() ? observed.intersect(bound) : bound;
  }
  if (isa<SoftmaxOp>(op))
    return observed.intersect(RangeValue::get(0, 1));
  return observed;
}

//===----------------------------------------------------------------------===//
// The analysis
//===----------------------------------------------------------------------===//

class RangeAnalysis
    : public dataflow::SparseForwardDataFlowAnalysis<RangeLattice> {
public:
  RangeAnalysis(DataFlowSolver &solver,
                const DenseMap<Value, RangeValue> &pins)
      : SparseForwardDataFlowAnalysis(solver), pins(pins) {}

  LogicalResult visitOperation(Operation *op,
                               ArrayRef<const RangeLattice *> operands,
                               ArrayRef<RangeLattice *> results) override {
    if (results.size() != 1 || !isFloatTensor(op->getResult(0))) {
      setAllToEntryStates(results);
      return success();
    }
    RangeValue value = withPin(op->getResult(0), transfer(op, operands));
    propagateIfChanged(results[0], results[0]->join(value));
    return success();
  }

  void setToEntryState(RangeLattice *lattice) override {
    Value value = lattice->getAnchor();
    RangeValue entry = isFloatTensor(value)
                           ? withPin(value, observedRange(value))
                           : RangeValue::getUnknown();
    propagateIfChanged(lattice, lattice->join(entry));
  }

private:
  RangeValue withPin(Value value, RangeValue range) const {
    auto it = pins.find(value);
    return it == pins.end() ? range : RangeValue::join(range, it->second);
  }

  const DenseMap<Value, RangeValue> &pins;
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct QntPropagateRangesPass
    : public qnt::impl::QntPropagateRangesBase<QntPropagateRangesPass> {
  using QntPropagateRangesBase::QntPropagateRangesBase;

  void runOnOperation() override;

private:
  /// Widens `value`'s pin to `range` and pushes it back through the
  /// range-preserving ops that produced it.
  void pin(Value value, const RangeValue &range);

  DenseMap<Value, RangeValue> pins;
};

/// The data operands a range-preserving producer shares its range with.
static SmallVector<Value> sharingOperands(Operation *op) {
  if (isa<ConcatOp>(op))
    return SmallVector<Value>(op->getOperands());
  if (isa<ReshapeOp, TransposeOp, SliceOp, GatherOp, MaxPoolOp, AveragePoolOp,
          GlobalAveragePoolOp, ReduceMeanOp, ReduceMaxOp, PadOp>(op))
    return {op->getOperand(0)};
  if (auto resize = dyn_cast<ResizeOp>(op))
    if (resize.getMode() != ResizeMode::cubic)
      return {op->getOperand(0)};
  return {};
}

void QntPropagateRangesPass::pin(Value value, const RangeValue &range) {
  RangeValue &slot = pins[value];
  RangeValue widened = RangeValue::join(slot, range);
  if (widened == slot)
    return;
  slot = widened;
  if (Operation *producer = value.getDefiningOp())
    for (Value operand : sharingOperands(producer))
      pin(operand, range);
}

void QntPropagateRangesPass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  MLIRContext *context = &getContext();

  // Solve, unify, and solve again until no group needs widening. Every
  // round only widens pins, so this ends; the bound is a safeguard.
  std::unique_ptr<DataFlowSolver> solver;
  for (int round = 0; round < 32; ++round) {
    solver = std::make_unique<DataFlowSolver>();
    solver->load<dataflow::DeadCodeAnalysis>();
    solver->load<dataflow::SparseConstantPropagation>();
    solver->load<RangeAnalysis>(pins);
    if (failed(solver->initializeAndRun(func)))
      return signalPassFailure();
    auto rangeOf = [&](Value v) {
      const RangeLattice *lattice = solver->lookupState<RangeLattice>(v);
      return lattice ? lattice->getValue() : RangeValue();
    };

    bool changed = false;
    func.walk([&](Operation *op) {
      SmallVector<Value> group;
      if (isa<ConcatOp>(op)) {
        group.assign(op->operand_begin(), op->operand_end());
      } else if (auto add = dyn_cast<AddOp>(op); add && unifyResidualAdds) {
        Value lhs = add.getLhs(), rhs = add.getRhs();
        if (lhs.getType() == rhs.getType() && isFloatTensor(lhs) &&
            !lhs.getDefiningOp<ConstantOp>() && !rhs.getDefiningOp<ConstantOp>())
          group = {lhs, rhs};
      }
      if (group.empty())
        return;
      RangeValue hull;
      for (Value v : group)
        hull = RangeValue::join(hull, rangeOf(v));
      if (!hull.isKnown())
        return;
      for (Value v : group) {
        if (rangeOf(v) == hull)
          continue;
        pin(v, hull);
        ++numUnified;
        changed = true;
      }
    });
    if (!changed)
      break;
  }

  // Write what the analysis knows.
  auto write = [&](Value value, RangeAttr existing,
                   llvm::function_ref<void(RangeAttr)> set) {
    const RangeLattice *lattice = solver->lookupState<RangeLattice>(value);
    if (!lattice || !lattice->getValue().isKnown())
      return;
    const RangeValue &range = lattice->getValue();
    auto attr = RangeAttr::get(context, range.getLo(), range.getHi());
    if (attr == existing)
      return;
    set(attr);
    ++numDerived;
  };
  StringRef name = QntDialect::getRangeAttrName();
  for (BlockArgument arg : func.getArguments())
    if (isFloatTensor(arg))
      write(arg, func.getArgAttrOfType<RangeAttr>(arg.getArgNumber(), name),
            [&](RangeAttr attr) {
              func.setArgAttr(arg.getArgNumber(), name, attr);
            });
  func.walk([&](Operation *op) {
    if (op->getNumResults() != 1 || !isFloatTensor(op->getResult(0)) ||
        op->getDialect() != op->getContext()->getLoadedDialect<QntDialect>())
      return;
    // Weights are quantized from their values; a constant gets a range
    // only when it must share one with other values (a concat input).
    if (isa<ConstantOp>(op) && !pins.count(op->getResult(0)))
      return;
    write(op->getResult(0), op->getAttrOfType<RangeAttr>(name),
          [&](RangeAttr attr) { op->setAttr(name, attr); });
  });
}

} // namespace
