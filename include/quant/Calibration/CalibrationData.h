//===- CalibrationData.h - A folder of calibration samples ------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Calibration data is a folder of .npy files, one sample per file:
//
//   DIR/*.npy                  a model with one input
//   DIR/<input name>/*.npy     one folder per input, the same file names in
//                              each (a sample is the files of one name)
//
// Samples are taken in file-name order (byte order: name them 0000.npy,
// 0001.npy, ...) and read one at a time, so memory does not depend on how
// many there are. Each file is checked against its input: dtype, shape,
// finite values. Every error is "<file>: <reason>".
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CALIBRATION_CALIBRATIONDATA_H
#define QUANT_CALIBRATION_CALIBRATIONDATA_H

#include "quant/Support/Npy.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::qnt {

/// A model input the samples feed.
struct CalibrationInput {
  std::string name;
  ElementKind kind;
  llvm::SmallVector<int64_t> shape;
};

class CalibrationData {
public:
  /// Lists the samples of `dir` for `inputs`; at most `maxSamples` (0: all).
  static llvm::Expected<CalibrationData>
  open(llvm::StringRef dir, llvm::ArrayRef<CalibrationInput> inputs,
       unsigned maxSamples);

  size_t size() const { return names.size(); }
  /// The file name of sample `i` (without the folder).
  llvm::StringRef getSampleName(size_t i) const { return names[i]; }
  /// Reads and checks sample `i`: one tensor per input, in input order.
  llvm::Expected<std::vector<HostTensor>> load(size_t i) const;

private:
  std::string pathOf(size_t input, size_t sample) const;

  std::string dir;
  std::vector<CalibrationInput> inputs;
  /// Whether samples live in DIR/<input name>/ (always for several inputs).
  bool perInputFolders = false;
  std::vector<std::string> names;
};

} // namespace mlir::qnt

#endif // QUANT_CALIBRATION_CALIBRATIONDATA_H
