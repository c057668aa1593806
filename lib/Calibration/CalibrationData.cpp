//===- CalibrationData.cpp - A folder of calibration samples --------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Calibration/CalibrationData.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qnt;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "a scalar";
  std::string text;
  for (auto [i, d] : llvm::enumerate(shape))
    text += (i ? "x" : "") + std::to_string(d);
  return text;
}

/// The .npy names directly in `dir`, sorted; an error if `dir` cannot be
/// read. Every *.npy entry counts, so one that is not a readable file (a
/// folder, a dangling link) is an error when it is read, not a sample
/// silently left out.
static llvm::Expected<std::vector<std::string>> listNpy(llvm::StringRef dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef path = it->path();
    if (path.ends_with(".npy"))
      names.push_back(llvm::sys::path::filename(path).str());
  }
  if (ec)
    return makeError(dir +
                     ": cannot read the calibration folder: " + ec.message());
  llvm::sort(names);
  return names;
}

llvm::Expected<CalibrationData>
CalibrationData::open(llvm::StringRef dir,
                      llvm::ArrayRef<CalibrationInput> inputs,
                      unsigned maxSamples) {
  CalibrationData data;
  data.dir = dir.str();
  data.inputs.assign(inputs.begin(), inputs.end());
  if (!llvm::sys::fs::is_directory(dir))
    return makeError(dir + ": " +
                     (llvm::sys::fs::exists(dir)
                          ? "not a folder; calibration data is a folder of "
                            ".npy files"
                          : "no such calibration folder"));
  if (inputs.empty())
    return makeError(dir + ": the model has no inputs to calibrate with");

  // One input: DIR/*.npy, or DIR/<name>/*.npy if that is where they are.
  std::vector<std::string> names;
  if (inputs.size() == 1) {
    auto direct = listNpy(dir);
    if (!direct)
      return direct.takeError();
    names = std::move(*direct);
    llvm::SmallString<128> sub(dir);
    llvm::sys::path::append(sub, inputs[0].name);
    if (names.empty() && llvm::sys::fs::is_directory(sub))
      data.perInputFolders = true;
  } else {
    data.perInputFolders = true;
  }
  if (data.perInputFolders) {
    for (auto [i, input] : llvm::enumerate(inputs)) {
      llvm::SmallString<128> sub(dir);
      llvm::sys::path::append(sub, input.name);
      if (!llvm::sys::fs::is_directory(sub))
        return makeError(sub + ": missing; a model with several inputs "
                               "takes DIR/<input name>/*.npy for each input");
      auto listed = listNpy(sub);
      if (!listed)
        return listed.takeError();
      if (i == 0) {
        names = std::move(*listed);
        continue;
      }
      // The same samples in every folder.
      for (const std::string &name : names)
        if (!llvm::is_contained(*listed, name))
          return makeError(sub + "/" + name +
                           ": missing; every input folder "
                           "needs the same sample files");
      for (const std::string &name : *listed)
        if (!llvm::is_contained(names, name))
          return makeError(sub + "/" + name +
                           ": has no counterpart in the folder of input '" +
                           inputs[0].name + "'");
    }
  }
  if (names.empty())
    return makeError(dir + ": no .npy calibration samples (expected " +
                     (inputs.size() == 1 ? "DIR/*.npy" : "DIR/<input>/*.npy") +
                     ")");
  if (maxSamples && names.size() > maxSamples)
    names.resize(maxSamples);
  data.names = std::move(names);
  return data;
}

std::string CalibrationData::pathOf(size_t input, size_t sample) const {
  llvm::SmallString<128> path(dir);
  if (perInputFolders)
    llvm::sys::path::append(path, inputs[input].name);
  llvm::sys::path::append(path, names[sample]);
  return path.str().str();
}

llvm::Expected<std::vector<HostTensor>>
CalibrationData::load(size_t sample) const {
  std::vector<HostTensor> tensors;
  for (auto [i, input] : llvm::enumerate(inputs)) {
    std::string path = pathOf(i, sample);
    llvm::Expected<HostTensor> tensor = readNpy(path);
    if (!tensor)
      return tensor.takeError();
    if (tensor->kind != input.kind)
      return makeError(path + ": dtype " + quant_io::getTypeName(tensor->kind) +
                       ", but input '" + input.name + "' takes " +
                       quant_io::getTypeName(input.kind));
    if (llvm::ArrayRef<int64_t>(tensor->shape) !=
        llvm::ArrayRef<int64_t>(input.shape))
      return makeError(path + ": shape " + formatShape(tensor->shape) +
                       ", but input '" + input.name + "' is " +
                       formatShape(input.shape));
    if (tensor->kind == ElementKind::F32) {
      auto values = tensor->getValues<float>();
      for (size_t j = 0; j < values.size(); ++j)
        if (!std::isfinite(values[j]))
          return makeError(path + ": element " + llvm::Twine(j) + " is " +
                           (std::isnan(values[j]) ? "NaN" : "infinite") +
                           "; calibration samples must be finite");
    }
    tensors.push_back(std::move(*tensor));
  }
  return tensors;
}
