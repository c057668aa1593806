//===- Progress.cpp - Progress lines for long compiler steps --------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Support/Progress.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::quant_compiler;

Progress::Progress(llvm::StringRef who, size_t total, llvm::StringRef unit)
    : who(who.str()), unit(unit.str()), total(total),
      shown(llvm::sys::Process::StandardErrIsDisplayed()),
      start(std::chrono::steady_clock::now()), last(start) {}

Progress::~Progress() {
  if (lineOpen)
    llvm::errs() << "\n";
}

void Progress::note(const llvm::Twine &message) {
  if (!shown)
    return;
  if (lineOpen)
    llvm::errs() << "\n";
  lineOpen = false;
  llvm::errs() << who << ": " << message << "\n";
}

void Progress::step(bool withRate) {
  ++done;
  if (!shown)
    return;
  auto now = std::chrono::steady_clock::now();
  constexpr std::chrono::milliseconds kInterval(100);
  if (done != total && now - last < kInterval)
    return;
  last = now;
  llvm::errs() << "\r" << who << ": " << done << "/" << total << " " << unit;
  if (withRate) {
    double seconds = std::chrono::duration<double>(now - start).count();
    llvm::errs() << llvm::format(
        ", %.2f %s/s", seconds > 0 ? done / seconds : 0.0, unit.c_str());
  }
  llvm::errs().flush();
  lineOpen = true;
}
