//===- MapParallelLoops.cpp - scf.parallel to 1-D gpu.launch --------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Target/Nvptx/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace mlir::quant_compiler {
#define GEN_PASS_DEF_QUANTGPUMAPPARALLELLOOPS
#include "quant/Target/Nvptx/Passes.h.inc"
} // namespace mlir::quant_compiler

using namespace mlir;
using namespace mlir::quant_compiler;

namespace {

struct QuantGpuMapParallelLoopsPass
    : quant_compiler::impl::QuantGpuMapParallelLoopsBase<
          QuantGpuMapParallelLoopsPass> {
  using Base::Base;
  void runOnOperation() override;
};

/// The trip count of dimension `d` of `loop`: (max(ub - lb, 0) + step - 1)
/// / step.
Value tripCount(OpBuilder &b, Location loc, scf::ParallelOp loop, unsigned d) {
  Value lb = loop.getLowerBound()[d], ub = loop.getUpperBound()[d],
        step = loop.getStep()[d];
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value span = arith::MaxSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, ub, lb), zero);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value rounded = arith::AddIOp::create(
      b, loc, span, arith::SubIOp::create(b, loc, step, one));
  return arith::DivUIOp::create(b, loc, rounded, step);
}

LogicalResult mapLoop(scf::ParallelOp loop, int64_t blockSize) {
  if (loop.getNumResults() != 0)
    return loop.emitError("quant-gpu-map-parallel-loops: reductions "
                          "(scf.parallel with results) are not mapped");
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  unsigned rank = loop.getNumLoops();
  SmallVector<Value> counts;
  Value total = arith::ConstantIndexOp::create(b, loc, 1);
  for (unsigned d = 0; d < rank; ++d) {
    counts.push_back(tripCount(b, loc, loop, d));
    total = arith::MulIOp::create(b, loc, total, counts.back());
  }
  Value threads = arith::ConstantIndexOp::create(b, loc, blockSize);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  // At least one block: a launch of none is an error in CUDA, and an empty
  // iteration space is legal (its threads find nothing to do).
  Value blocks = arith::MaxUIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, total, threads), one);
  auto launch = gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one,
                                      one);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value linear = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                            launch.getBlockSize().x),
      launch.getThreadIds().x);
  Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                       linear, total);
  auto guard = scf::IfOp::create(b, loc, inside, /*withElse=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(guard.thenBlock());
  // Row-major delinearization: the last dimension varies fastest.
  IRMapping mapping;
  Value rest = linear;
  SmallVector<Value> ivs(rank);
  for (int d = rank - 1; d >= 0; --d) {
    Value idx = d == 0 ? rest
                       : arith::RemUIOp::create(b, loc, rest, counts[d])
                             .getResult();
    if (d > 0)
      rest = arith::DivUIOp::create(b, loc, rest, counts[d]);
    ivs[d] = arith::AddIOp::create(
        b, loc, loop.getLowerBound()[d],
        arith::MulIOp::create(b, loc, idx, loop.getStep()[d]));
    mapping.map(loop.getInductionVars()[d], ivs[d]);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
  return success();
}

void QuantGpuMapParallelLoopsPass::runOnOperation() {
  if (blockSize < 1 || blockSize > 1024) {
    getOperation().emitError("quant-gpu-map-parallel-loops: block-size must "
                             "be in 1..1024, not ")
        << static_cast<int64_t>(blockSize);
    return signalPassFailure();
  }
  SmallVector<scf::ParallelOp> outermost;
  getOperation().walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
    outermost.push_back(loop);
    return WalkResult::skip();
  });
  for (scf::ParallelOp loop : outermost)
    if (failed(mapLoop(loop, blockSize)))
      return signalPassFailure();
}

} // namespace
