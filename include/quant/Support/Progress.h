//===- Progress.h - Progress lines for long compiler steps ------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The one way a pass or tool reports progress of a long step (JIT runs of
// calibration, sensitivity measurement): on stderr, only when stderr is a
// terminal, so logs, lit tests and pipes never see it. Debug output is
// LLVM_DEBUG (-debug-only=<pass flag>), not this.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_SUPPORT_PROGRESS_H
#define QUANT_SUPPORT_PROGRESS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <chrono>
#include <cstddef>
#include <string>

namespace mlir::quant_compiler {

/// Counts `total` steps of `unit` ("samples", "runs") for `who` (a pass or
/// tool name): "who: done/total unit[, rate]" updated in place at most ten
/// times a second and always at the last step; the line ends when the
/// Progress does.
class Progress {
public:
  Progress(llvm::StringRef who, size_t total, llvm::StringRef unit);
  ~Progress();
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  /// Whether anything is printed (stderr is a terminal).
  bool isShown() const { return shown; }
  /// A line of its own: "who: message".
  void note(const llvm::Twine &message);
  /// One more step done; `withRate` adds "N.NN <unit>/s".
  void step(bool withRate = false);

private:
  std::string who, unit;
  size_t total, done = 0;
  bool shown, lineOpen = false;
  std::chrono::steady_clock::time_point start, last;
};

} // namespace mlir::quant_compiler

#endif // QUANT_SUPPORT_PROGRESS_H
