//===- Int8Tables.cpp - Element-wise chains between int8 values as tables -===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// qnt-int8-tables: `quant.qcast(f(quant.dcast(x)))`, where x is a per-tensor
// int8 tensor and f a chain of float element-wise ops whose only
// non-constant input is that dcast, takes one of 256 values per element:
// it becomes a lookup into a 256-entry table that f itself computes on the
// 256 int8 values; when f's constants vary along one axis of x (a batch
// norm exported as a per-channel Mul and Add), into one such table per
// index of that axis (see the pass description in Passes.td). An empty f,
// qcast(dcast(x)) between two grids, is a requantization table.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "quant/Conversion/Passes.h"
#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntQuantTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "qnt-int8-tables"

namespace mlir::qnt {
#define GEN_PASS_DEF_QNTINT8TABLES
#include "quant/Conversion/Passes.h.inc"
} // namespace mlir::qnt

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::lowering;

namespace {

/// The ops of f in `qcast(f(dcast(x)))`, in program order, and the dcast;
/// `axis` is the dim of x that f's per-channel constants vary along, if
/// any (one table per index of it).
struct TableChain {
  quant::DequantizeCastOp source;
  SmallVector<Operation *> ops;
  std::optional<int64_t> axis;
};

/// A constant with one element (it broadcasts against anything).
bool isScalarConstant(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() && type.getNumElements() == 1 &&
         type.getElementType().isF32() && getConstantF32Values(v).has_value();
}

/// The dim of `shape` (rank >= 2) that the f32 constant `v` varies along
/// when it broadcasts against `shape` (numpy's rules: right-aligned, rank
/// at most shape's): the one dim of `v` that is not 1, which must equal
/// that dim of `shape`. nullopt for anything else (scalars included).
std::optional<int64_t> perChannelAxis(Value v, ArrayRef<int64_t> shape) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
      shape.size() < 2 || type.getRank() > static_cast<int64_t>(shape.size()))
    return std::nullopt;
  int64_t offset = shape.size() - type.getRank();
  std::optional<int64_t> axis;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (type.getDimSize(d) == 1)
      continue;
    if (axis || type.getDimSize(d) != shape[offset + d])
      return std::nullopt;
    axis = offset + d;
  }
  if (!axis || !getConstantF32Values(v))
    return std::nullopt;
  return axis;
}

/// The chain behind `qcast`, or nullopt: every op an element-wise qnt op
/// with an f32 result of x's shape, every operand the one dcast of a
/// per-tensor int8 x, a scalar constant, a constant that varies along one
/// dim of x (the same dim for all of them) or a result of the chain; at
/// most `kMaxOps` ops.
std::optional<TableChain> matchChain(quant::QuantizeCastOp qcast) {
  constexpr size_t kMaxOps = 32;
  auto inType = dyn_cast<RankedTensorType>(qcast.getInput().getType());
  if (!inType || !inType.getElementType().isF32() ||
      !getPerTensorI8Type(qcast.getType()))
    return std::nullopt;
  TableChain chain;
  llvm::SetVector<Operation *> seen;
  SmallVector<Value> worklist{qcast.getInput()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (isScalarConstant(v))
      continue;
    if (std::optional<int64_t> axis = perChannelAxis(v, inType.getShape())) {
      if (chain.axis && *chain.axis != *axis)
        return std::nullopt; // constants along two dims
      chain.axis = axis;
      continue;
    }
    if (auto dcast = v.getDefiningOp<quant::DequantizeCastOp>()) {
      if (chain.source && chain.source != dcast)
        return std::nullopt; // two inputs
      if (!getPerTensorI8Type(dcast.getInput().getType()) ||
          dcast.getType() != inType)
        return std::nullopt;
      chain.source = dcast;
      continue;
    }
    Operation *op = v.getDefiningOp();
    if (!op || !isa<ElementwiseOpInterface>(op) || op->getNumResults() != 1 ||
        op->getResult(0).getType() != inType)
      return std::nullopt;
    if (!seen.insert(op))
      continue;
    if (seen.size() > kMaxOps)
      return std::nullopt;
    llvm::append_range(worklist, op->getOperands());
  }
  // No ops at all is a requantization, qcast(dcast(x)) to another grid
  // (what qnt-quantize gives a concat operand on its own grid): a table
  // too. (To the same grid it folded away before.)
  if (!chain.source ||
      (seen.empty() && chain.source.getInput().getType() == qcast.getType()))
    return std::nullopt;
  // A table costs 256 evaluations of the chain per call (per channel):
  // not worth it on fewer elements (a squeeze-excitation gate on
  // [1, C, 1, 1]).
  int64_t tables = chain.axis ? inType.getDimSize(*chain.axis) : 1;
  if (inType.getNumElements() < 256 * tables)
    return std::nullopt;
  // One block, so that sorting by position gives program order.
  Block *block = qcast->getBlock();
  if (chain.source->getBlock() != block ||
      llvm::any_of(seen,
                   [&](Operation *op) { return op->getBlock() != block; }))
    return std::nullopt;
  chain.ops.assign(seen.begin(), seen.end());
  llvm::sort(chain.ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return chain;
}

/// Replaces `qcast` by a lookup into the table of `chain`: the 256 int8
/// values of x's grid, as [1, ..., 1, 256] (x's rank, so that scalar
/// constants broadcast as before), dequantized, through a clone of the
/// chain, quantized to qcast's grid; then out = table[x + 128]. With a
/// channel axis a, the entries are x's rank with C = x.shape[a] at a and
/// 256 at the last dim (the one before it when a is last), every channel
/// the 256 values, so per-channel constants broadcast as before; then
/// out = table[c][x + 128] with c the element's index along a.
void replaceByTable(quant::QuantizeCastOp qcast, TableChain chain) {
  OpBuilder b(qcast);
  Location loc = qcast.getLoc();
  MLIRContext *ctx = b.getContext();
  Value x = chain.source.getInput();
  auto xType = cast<RankedTensorType>(x.getType());
  auto inQ = getPerTensorI8Type(xType);
  int64_t rank = xType.getRank();
  SmallVector<int64_t> entriesShape(std::max<int64_t>(rank, 1), 1);
  int64_t channels = 1, entryDim = entriesShape.size() - 1;
  if (chain.axis) {
    channels = xType.getDimSize(*chain.axis);
    entriesShape[*chain.axis] = channels;
    if (*chain.axis == entryDim)
      --entryDim;
  }
  entriesShape[entryDim] = 256;
  // Every entry's code is its index along entryDim, minus 128.
  int64_t entryStride = 1;
  for (int64_t d = entryDim + 1; d < static_cast<int64_t>(entriesShape.size());
       ++d)
    entryStride *= entriesShape[d];
  SmallVector<int8_t> codes;
  for (int64_t i = 0; i < 256 * channels; ++i)
    codes.push_back(static_cast<int8_t>((i / entryStride) % 256 - 128));
  auto i8Entries = RankedTensorType::get(entriesShape, b.getI8Type());
  Value storage = ConstantOp::create(
      b, loc, DenseElementsAttr::get(i8Entries, ArrayRef<int8_t>(codes)));
  Value entries = quant::StorageCastOp::create(
      b, loc, RankedTensorType::get(entriesShape, inQ), storage);
  auto f32Entries = RankedTensorType::get(entriesShape, b.getF32Type());
  IRMapping map;
  map.map(chain.source.getResult(),
          quant::DequantizeCastOp::create(b, loc, f32Entries, entries));
  for (Operation *op : chain.ops) {
    Operation *clone = b.clone(*op, map);
    clone->getResult(0).setType(f32Entries);
    // Calibration state (qnt.range, qnt.channel_range) describes the
    // original tensor, not the 256 entries.
    clone->setDiscardableAttrs(DictionaryAttr::get(ctx));
  }
  auto outQ = getPerTensorI8Type(qcast.getType());
  Value table = quant::QuantizeCastOp::create(
      b, loc, RankedTensorType::get(entriesShape, outQ),
      map.lookup(qcast.getInput()));
  table = quant::StorageCastOp::create(b, loc, i8Entries, table);
  // As [256], or its two dims that are not 1 in order: [C][256], or
  // [256][C] when the channels are x's last dim.
  bool channelFirst = chain.axis && *chain.axis < entryDim;
  SmallVector<int64_t> flatShape{256};
  if (chain.axis)
    flatShape.insert(channelFirst ? flatShape.begin() : flatShape.end(),
                     channels);
  if (entriesShape.size() != flatShape.size()) {
    int64_t firstEnd =
        chain.axis ? std::min(*chain.axis, entryDim) : entriesShape.size();
    SmallVector<ReassociationIndices> groups(flatShape.size());
    for (int64_t d = 0; d < static_cast<int64_t>(entriesShape.size()); ++d)
      groups[d <= firstEnd ? 0 : groups.size() - 1].push_back(d);
    table = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get(flatShape, b.getI8Type()), table, groups);
  }
  auto xStorage = getStorageTensorType(xType);
  Value xs = quant::StorageCastOp::create(b, loc, xStorage, x);
  std::optional<int64_t> axis = chain.axis;
  Value looked = buildIndexedRead(
      b, loc, xStorage, table,
      [&](OpBuilder &nb, Location nl, ArrayRef<Value> args) {
        Value v = arith::ExtSIOp::create(nb, nl, nb.getI32Type(), args[rank]);
        v = arith::AddIOp::create(
            nb, nl, v,
            arith::ConstantOp::create(nb, nl, nb.getI32IntegerAttr(128)));
        Value entry = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), v);
        if (!axis)
          return SmallVector<Value>{entry};
        if (channelFirst)
          return SmallVector<Value>{args[*axis], entry};
        return SmallVector<Value>{entry, args[*axis]};
      },
      ValueRange{xs}, {AffineMap::getMultiDimIdentityMap(rank, ctx)});
  Value result = quant::StorageCastOp::create(b, loc, qcast.getType(), looked);
  qcast.getResult().replaceAllUsesWith(result);
  qcast.erase();
}

struct QntInt8TablesPass : qnt::impl::QntInt8TablesBase<QntInt8TablesPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<quant::QuantizeCastOp> qcasts;
    getOperation()->walk(
        [&](quant::QuantizeCastOp op) { qcasts.push_back(op); });
    for (quant::QuantizeCastOp qcast : qcasts) {
      std::optional<TableChain> chain = matchChain(qcast);
      if (!chain)
        continue;
      LLVM_DEBUG(llvm::dbgs()
                 << DEBUG_TYPE << ": " << chain->ops.size() << " op(s) at "
                 << qcast.getLoc() << " become a table\n");
      replaceByTable(qcast, *chain);
      ++numTables;
      // The float chain if nothing else reads it, last op first; the
      // dcast may still feed another chain.
      for (Operation *op : llvm::reverse(chain->ops))
        if (op->use_empty())
          op->erase();
      if (chain->source->use_empty())
        chain->source->erase();
    }
  }
};

} // namespace
