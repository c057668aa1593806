//===- quant-tensor-file-fuzzer.cpp - libFuzzer target, tensor files -*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to the .npy and TensorProto .pb readers
// (runtime/quant_tensor_file.cpp) that quant-run, --emit=exe executables and
// calibration use. Each input must either fail with a one-line error naming
// the file or give a tensor whose byte size is its shape's; a tensor that
// parses must survive a .npy round trip unchanged. A crash, a sanitizer
// report, a hang or a broken property is a bug. Built with
// -DQUANT_BUILD_FUZZERS=ON; utils/fuzz.sh tensor-file runs it.
//
//===----------------------------------------------------------------------===//

#include "quant_tensor_file.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace quant_io;

namespace {
[[noreturn]] void broken(const char *what, const std::string &detail) {
  std::fprintf(stderr, "property broken: %s (%s)\n", what, detail.c_str());
  std::abort();
}

/// The checks every successful parse must pass.
void checkTensor(const HostTensor &t, const char *reader) {
  uint64_t count = 1;
  for (int64_t d : t.shape) {
    if (d < 0)
      broken("negative dim accepted", reader);
    if (d != 0 && count > UINT64_MAX / static_cast<uint64_t>(d))
      broken("element count overflowed", reader);
    count *= static_cast<uint64_t>(d);
  }
  if (count * getElementSize(t.kind) != t.data.size())
    broken("data size is not the shape's", reader);
  if (static_cast<uint64_t>(t.getNumElements()) != count)
    broken("getNumElements disagrees with the shape", reader);

  // .npy round trip: what quant writes, quant reads back identically.
  std::string bytes = serializeNpy(t), error;
  HostTensor back;
  if (!parseNpy(bytes, "roundtrip.npy", back, error))
    broken("serialized .npy does not parse", error);
  if (back.kind != t.kind || back.shape != t.shape || back.data != t.data)
    broken(".npy round trip changed the tensor", reader);
}

void checkError(const std::string &error, std::string_view name) {
  if (error.rfind(std::string(name) + ": ", 0) != 0 ||
      error.find('\n') != std::string::npos)
    broken("error is not one line naming the file", error);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  std::string error;
  HostTensor npy;
  if (parseNpy(bytes, "fuzz.npy", npy, error))
    checkTensor(npy, "parseNpy");
  else
    checkError(error, "fuzz.npy");

  error.clear();
  HostTensor pb;
  if (parseTensorProto(bytes, "fuzz.pb", pb, error))
    checkTensor(pb, "parseTensorProto");
  else
    checkError(error, "fuzz.pb");
  return 0;
}
