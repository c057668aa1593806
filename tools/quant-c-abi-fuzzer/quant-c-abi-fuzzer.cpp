//===- quant-c-abi-fuzzer.cpp - libFuzzer target for quant_model_run -----===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Calls quant_model_run (runtime/quant_runtime.c, compiled into this fuzzer
// with ASan and UBSan) with sizes, pointers and data taken from the fuzzer's
// bytes, in two modes:
//
//  * a real model, compiled by quant-compile (int8, with the int8 kernels)
//    and linked in as FUZZ_MODEL_info: NULL tables and buffers, byte sizes
//    off by a little or a lot, and arbitrary input bytes (NaN, Inf, huge
//    values through quantize);
//  * a hand-made model whose description (counts, dtypes, ranks, dims,
//    num_bytes) comes from the bytes, with an entry that walks every byte
//    its memref descriptors describe.
//
// Every buffer is allocated with exactly the byte size the call claims (a
// claim too large to allocate gets the tensor's real size: the claim is then
// the lie), so a call the runtime lets through with a wrong size touches
// memory outside a buffer and ASan stops the run. The status must be
// QUANT_OK exactly when every argument is right. Built by utils/fuzz.sh.
//
//===----------------------------------------------------------------------===//

#include "quant_runtime.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" const quant_model_info *FUZZ_MODEL_info(void);

namespace {
[[noreturn]] void broken(const char *what, int status) {
  std::fprintf(stderr, "property broken: %s (status %d: %s)\n", what, status,
               quant_status_string(status));
  std::abort();
}

constexpr size_t kMaxAlloc = size_t(1) << 22;

/// One tensor argument: a buffer of exactly `claimed` bytes (or of the
/// tensor's size when the claim is too large), or NULL.
struct Argument {
  std::vector<unsigned char> storage;
  void *pointer = nullptr;
  size_t claimed = 0;
  bool right = true; // pointer and size are what the description needs
};

Argument makeArgument(FuzzedDataProvider &fdp, uint64_t needed, bool fill) {
  Argument a;
  a.claimed = needed;
  switch (fdp.ConsumeIntegralInRange<int>(0, 11)) {
  case 0:
    a.claimed = needed + fdp.ConsumeIntegralInRange<size_t>(1, 64);
    break;
  case 1:
    if (needed > 0)
      a.claimed = needed - fdp.ConsumeIntegralInRange<size_t>(1, needed);
    break;
  case 2:
    a.claimed = fdp.ConsumeIntegral<size_t>();
    break;
  case 3:
    a.claimed = SIZE_MAX;
    break;
  default:
    break;
  }
  bool null = fdp.ConsumeIntegralInRange<int>(0, 15) == 0;
  a.right = a.claimed == needed && (!null || needed == 0);
  if (!null) {
    size_t alloc = a.claimed <= kMaxAlloc ? a.claimed
                   : needed <= kMaxAlloc  ? needed
                                          : 1;
    a.storage.resize(alloc ? alloc : 1);
    if (fill) {
      std::vector<unsigned char> bytes = fdp.ConsumeBytes<unsigned char>(alloc);
      if (!bytes.empty())
        std::memcpy(a.storage.data(), bytes.data(), bytes.size());
    }
    a.pointer = a.storage.data();
  }
  return a;
}

/// Runs `model` with arguments drawn from `fdp`; `valid` says whether the
/// model's own description is consistent (then only the arguments decide).
void runModel(FuzzedDataProvider &fdp, const quant_model_info *model,
              bool valid) {
  std::vector<Argument> ins, outs;
  for (uint32_t i = 0; i < model->num_inputs; ++i)
    ins.push_back(makeArgument(fdp, model->inputs[i].num_bytes, true));
  for (uint32_t i = 0; i < model->num_outputs; ++i)
    outs.push_back(makeArgument(fdp, model->outputs[i].num_bytes, false));
  std::vector<const void *> inPtrs;
  std::vector<size_t> inBytes, outBytes;
  std::vector<void *> outPtrs;
  bool right = valid;
  for (Argument &a : ins) {
    inPtrs.push_back(a.pointer);
    inBytes.push_back(a.claimed);
    right &= a.right;
  }
  for (Argument &a : outs) {
    outPtrs.push_back(a.pointer);
    outBytes.push_back(a.claimed);
    right &= a.right;
  }
  // NULL tables (a table of zero entries may be NULL).
  bool nullTables = fdp.ConsumeIntegralInRange<int>(0, 31) == 0;
  if (nullTables && model->num_inputs + model->num_outputs > 0)
    right = false;
  if (fdp.ConsumeBool())
    quant_set_num_threads(fdp.ConsumeIntegralInRange<int>(-1, 2));
  int status = quant_model_run(
      model, nullTables ? nullptr : inPtrs.data(),
      nullTables ? nullptr : inBytes.data(),
      nullTables ? nullptr : outPtrs.data(),
      nullTables ? nullptr : outBytes.data());
  if (right && status != QUANT_OK)
    broken("a right call failed", status);
  if (!right && status == QUANT_OK)
    broken("a wrong call was accepted", status);
  if (fdp.ConsumeIntegralInRange<int>(0, 7) == 0)
    quant_release_scratch();
}

// The hand-made model: its entry reads every input byte and writes every
// output byte that its descriptors address.
const quant_model_info *current;
bool entered;

size_t describedBytes(const int64_t *desc, const quant_tensor_info &info) {
  size_t bytes = info.dtype == QUANT_DTYPE_INT64 ? 8
                 : info.dtype == QUANT_DTYPE_INT8 ||
                         info.dtype == QUANT_DTYPE_UINT8 ||
                         info.dtype == QUANT_DTYPE_BOOL
                     ? 1
                     : 4;
  for (int32_t d = 0; d < info.rank; ++d)
    bytes *= static_cast<size_t>(desc[3 + d]);
  return bytes;
}

void walkingEntry(void **descriptors) {
  entered = true;
  unsigned sum = 0;
  uint32_t nIn = current->num_inputs;
  for (uint32_t i = 0; i < nIn + current->num_outputs; ++i) {
    const quant_tensor_info &info =
        i < nIn ? current->inputs[i] : current->outputs[i - nIn];
    auto *desc = static_cast<const int64_t *>(descriptors[i]);
    auto *data = reinterpret_cast<unsigned char *const *>(desc)[1];
    size_t bytes = describedBytes(desc, info);
    for (size_t k = 0; k < bytes; ++k) {
      if (i < nIn)
        sum += data[k];
      else
        data[k] = static_cast<unsigned char>(sum + k);
    }
  }
}

struct HandMade {
  std::vector<std::vector<int64_t>> shapes;
  std::vector<quant_tensor_info> inputs, outputs;
  quant_model_info info{};
  bool valid = true;
};

quant_tensor_info makeTensor(FuzzedDataProvider &fdp, HandMade &m,
                             std::vector<int64_t> &shape) {
  static const int32_t kDtypes[] = {QUANT_DTYPE_FLOAT32,
                                    QUANT_DTYPE_INT8,
                                    QUANT_DTYPE_INT32,
                                    QUANT_DTYPE_INT64,
                                    QUANT_DTYPE_BOOL,
                                    QUANT_DTYPE_UINT8,
                                    0,
                                    -1};
  quant_tensor_info t{};
  t.name = "t";
  t.dtype = kDtypes[fdp.ConsumeIntegralInRange<int>(0, 7)];
  t.rank = fdp.ConsumeIntegralInRange<int>(0, 9) == 0
               ? fdp.ConsumeIntegral<int32_t>()
               : fdp.ConsumeIntegralInRange<int32_t>(0, 4);
  size_t stored = t.rank > 0 && t.rank <= 64 ? size_t(t.rank) : 0;
  // Small dims usually; sometimes any int64 (negative, 2^62, ...).
  for (size_t d = 0; d < stored; ++d)
    shape.push_back(fdp.ConsumeIntegralInRange<int>(0, 7) == 0
                        ? fdp.ConsumeIntegral<int64_t>()
                        : fdp.ConsumeIntegralInRange<int64_t>(0, 16));
  t.shape = shape.empty() ? nullptr : shape.data();
  if (t.rank > 0 && !t.shape)
    t.shape = nullptr; // rank > 64 or < 0 with no dims: NULL shape
  // num_bytes: the product as the compiler forms it (checked), or a lie.
  uint64_t size =
      t.dtype == QUANT_DTYPE_INT64 ? 8
      : t.dtype == QUANT_DTYPE_INT8 || t.dtype == QUANT_DTYPE_UINT8 ||
              t.dtype == QUANT_DTYPE_BOOL
          ? 1
      : t.dtype == QUANT_DTYPE_FLOAT32 || t.dtype == QUANT_DTYPE_INT32 ? 4
                                                                       : 0;
  bool ok = size != 0 && t.rank >= 0 && t.rank <= 64;
  uint64_t bytes = size, wrapped = size;
  for (size_t d = 0; ok && d < stored; ++d) {
    wrapped *= static_cast<uint64_t>(shape[d]);
    ok = shape[d] >= 0 &&
         !__builtin_mul_overflow(bytes, static_cast<uint64_t>(shape[d]), &bytes);
  }
  ok = ok && bytes <= uint64_t(INT64_MAX);
  switch (fdp.ConsumeIntegralInRange<int>(0, 5)) {
  case 0:
    t.num_bytes = wrapped; // what an unchecked product gives
    break;
  case 1:
    t.num_bytes = fdp.ConsumeIntegral<uint64_t>();
    break;
  default:
    t.num_bytes = bytes;
    break;
  }
  if (!ok || t.num_bytes != bytes)
    m.valid = false;
  // Tensors the fuzzer could not allocate are not run (valid or not, the
  // runtime might accept them, and then the entry needs their memory).
  return t;
}

bool runHandMade(FuzzedDataProvider &fdp) {
  HandMade m;
  uint32_t nIn = fdp.ConsumeIntegralInRange<uint32_t>(0, 3);
  uint32_t nOut = fdp.ConsumeIntegralInRange<uint32_t>(0, 3);
  m.shapes.resize(nIn + nOut);
  for (uint32_t i = 0; i < nIn; ++i)
    m.inputs.push_back(makeTensor(fdp, m, m.shapes[i]));
  for (uint32_t i = 0; i < nOut; ++i)
    m.outputs.push_back(makeTensor(fdp, m, m.shapes[nIn + i]));
  for (const auto *list : {&m.inputs, &m.outputs})
    for (const quant_tensor_info &t : *list)
      if (m.valid && t.num_bytes > kMaxAlloc)
        return false; // a real, too-large model: not this fuzzer's case
  m.info.abi_version = fdp.ConsumeIntegralInRange<int>(0, 31) == 0
                           ? fdp.ConsumeIntegral<uint32_t>()
                           : QUANT_ABI_VERSION;
  m.info.num_inputs = nIn;
  m.info.num_outputs = nOut;
  m.info.name = "handmade";
  m.info.inputs = m.inputs.empty() ? nullptr : m.inputs.data();
  m.info.outputs = m.outputs.empty() ? nullptr : m.outputs.data();
  m.info.entry = fdp.ConsumeIntegralInRange<int>(0, 31) == 0 ? nullptr
                                                             : walkingEntry;
  bool valid = m.valid && m.info.abi_version == QUANT_ABI_VERSION &&
               m.info.entry;
  current = &m.info;
  entered = false;
  runModel(fdp, &m.info, valid);
  return true;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  if (fdp.ConsumeBool()) {
    runModel(fdp, FUZZ_MODEL_info(), /*valid=*/true);
    return 0;
  }
  runHandMade(fdp);
  return 0;
}
