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
#include "llvm/Support/Debug.h"

#include <cmath>

#define DEBUG_TYPE "qnt-propagate-ranges"

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

/// The interval a lattice value stands for: empty before the analysis
/// reached it, full when no range can be given.
static RealInterval toInterval(const RangeValue &value) {
  if (value.isUninitialized())
    return RealInterval::empty();
  if (!value.isKnown())
    return RealInterval::full();
  return RealInterval::get(value.getLo(), value.getHi());
}

/// The range of `op`'s single result (RangeTransferOpInterface). A result
/// that shares its operands' range, or a constant's, is exactly the
/// inferred interval; any other is the calibrated range narrowed to it.
static RangeValue transfer(Operation *op,
                           ArrayRef<const RangeLattice *> operands) {
  RangeValue observed = observedRange(op->getResult(0));
  auto transfer = dyn_cast<RangeTransferOpInterface>(op);
  if (!transfer)
    return observed;
  SmallVector<RealInterval> in;
  for (const RangeLattice *operand : operands)
    in.push_back(toInterval(operand->getValue()));
  RealInterval bound = transfer.inferResultRange(in);
  if (bound.isEmpty())
    return RangeValue(); // wait for the operands
  if (!transfer.getRangeSharingOperands().empty() ||
      op->hasTrait<OpTrait::ConstantLike>() || !observed.isKnown())
    return RangeValue::get(bound.lo, bound.hi); // unknown when unbounded
  if (bound.lo > observed.getHi() || bound.hi < observed.getLo())
    return observed;
  return RangeValue::get(std::max(observed.getLo(), bound.lo),
                         std::min(observed.getHi(), bound.hi));
}

//===----------------------------------------------------------------------===//
// The analysis
//===----------------------------------------------------------------------===//

class RangeAnalysis
    : public dataflow::SparseForwardDataFlowAnalysis<RangeLattice> {
public:
  RangeAnalysis(DataFlowSolver &solver, const DenseMap<Value, RangeValue> &pins)
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

void QntPropagateRangesPass::pin(Value value, const RangeValue &range) {
  RangeValue &slot = pins[value];
  RangeValue widened = RangeValue::join(slot, range);
  if (widened == slot)
    return;
  slot = widened;
  if (auto producer = value.getDefiningOp<RangeTransferOpInterface>())
    for (Value operand : producer.getRangeSharingOperands())
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
      // Values that must share one scale: an op's range-sharing operands
      // (a concat's inputs), optionally a residual add's two sides.
      SmallVector<Value> group;
      if (auto transfer = dyn_cast<RangeTransferOpInterface>(op)) {
        group = transfer.getRangeSharingOperands();
        if (group.size() < 2 || (isa<ConcatOp>(op) && !unifyConcatInputs))
          group.clear();
      } else if (auto add = dyn_cast<AddOp>(op); add && unifyResidualAdds) {
        Value lhs = add.getLhs(), rhs = add.getRhs();
        if (lhs.getType() == rhs.getType() && isFloatTensor(lhs) &&
            !lhs.getDefiningOp<ConstantOp>() &&
            !rhs.getDefiningOp<ConstantOp>())
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
        LLVM_DEBUG(llvm::dbgs() << DEBUG_TYPE << ": round " << round
                                << ": widened " << v.getLoc() << " to ";
                   hull.print(llvm::dbgs()); llvm::dbgs() << "\n");
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
