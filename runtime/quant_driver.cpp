//===- quant_driver.cpp - The command line of quant-run and executables ---===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// Reads .npy and ONNX TensorProto .pb inputs, runs a model through the C ABI,
// writes .npy outputs and times runs. Only the C++ standard library is used,
// so executables built by quant-compile stay free of LLVM.
//
//===----------------------------------------------------------------------===//

#include "quant_driver.h"

#include "quant_tensor_file.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

namespace {

using quant_io::ElementKind;
using quant_io::HostTensor;

/// The host element kind of a model tensor's quant_dtype.
ElementKind kindOf(int32_t dtype) {
  switch (dtype) {
  case QUANT_DTYPE_UINT8:
    return ElementKind::U8;
  case QUANT_DTYPE_INT8:
    return ElementKind::I8;
  case QUANT_DTYPE_INT32:
    return ElementKind::I32;
  case QUANT_DTYPE_INT64:
    return ElementKind::I64;
  case QUANT_DTYPE_BOOL:
    return ElementKind::Bool;
  default:
    return ElementKind::F32;
  }
}

using quant_io::formatShape;

/// Reads an input file: ONNX TensorProto for *.pb, .npy otherwise.
bool readTensorFile(const std::string &path, HostTensor &t,
                    std::string &error) {
  std::string bytes;
  if (!quant_io::readFileBytes(path, bytes, error))
    return false;
  bool isPb = path.size() > 3 && path.compare(path.size() - 3, 3, ".pb") == 0;
  return isPb ? quant_io::parseTensorProto(bytes, path, t, error)
              : quant_io::parseNpy(bytes, path, t, error);
}

//===--------------------------------------------------------------------===//
// The command line
//===--------------------------------------------------------------------===//

void printUsage(const char *program) {
  std::fprintf(
      stderr,
      "usage: %s [--input NAME=FILE]... [--output-dir DIR] [--bench N] "
      "[--threads T]\n"
      "  --input NAME=FILE  input NAME from a .npy or ONNX TensorProto .pb "
      "file;\n"
      "                     FILE alone when the model has one input\n"
      "  --output-dir DIR   write each output to DIR/NAME.npy, creating DIR "
      "(otherwise\n"
      "                     print a summary)\n"
      "  --bench N          run N more times after warm-up and print "
      "median/min/max\n"
      "  --threads T        threads to compute with (default 1)\n"
      "  --print-signature  print the model's inputs and outputs and exit\n",
      program);
}

std::string safeFileName(const std::string &name) {
  std::string out;
  for (char c : name)
    out += (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
            c == '.')
               ? c
               : '_';
  if (out.empty() || out[0] == '.')
    out = "_" + out;
  return out;
}

void printSignature(const quant_model_info *model) {
  auto print = [](const char *what, const quant_tensor_info &info) {
    std::vector<int64_t> shape(info.shape, info.shape + info.rank);
    std::printf("%s %s: %s %s\n", what, info.name,
                quant_io::getTypeName(kindOf(info.dtype)),
                formatShape(shape).c_str());
  };
  for (uint32_t i = 0; i < model->num_inputs; ++i)
    print("input", model->inputs[i]);
  for (uint32_t i = 0; i < model->num_outputs; ++i)
    print("output", model->outputs[i]);
}

void printSummary(const quant_tensor_info &info, const HostTensor &t) {
  std::printf("%s: %s %s", info.name, quant_io::getTypeName(t.kind),
              formatShape(t.shape).c_str());
  if (t.kind == ElementKind::F32) {
    size_t n = t.data.size() / 4;
    const float *f = reinterpret_cast<const float *>(t.data.data());
    double sum = 0;
    float mn = n ? f[0] : 0, mx = n ? f[0] : 0;
    size_t argmax = 0;
    for (size_t i = 0; i < n; ++i) {
      sum += f[i];
      mn = std::min(mn, f[i]);
      if (f[i] > mx) {
        mx = f[i];
        argmax = i;
      }
    }
    std::printf(" min %g max %g mean %g argmax %zu\n  [", mn, mx,
                n ? sum / n : 0.0, argmax);
    for (size_t i = 0; i < std::min<size_t>(n, 8); ++i)
      std::printf("%s%g", i ? ", " : "", f[i]);
    std::printf("%s]\n", n > 8 ? ", ..." : "");
  } else {
    std::printf("\n");
  }
}

/// The command line of a compiled model's executable.
struct DriverArgs {
  std::vector<std::pair<std::string, std::string>> inputs; // name, file
  std::string outputDir;
  long bench = 0, threads = 1;
};

/// Parses `argv`: true to go on; false to exit with `exitCode` (0 after
/// --help or --print-signature, 1 after printing an error).
bool parseArgs(const char *program, const quant_model_info *model, int argc,
               char **argv, DriverArgs &args, int &exitCode) {
  exitCode = 1;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    auto takeValue = [&](const std::string &flag, std::string &value) {
      if (arg == flag) {
        if (i + 1 >= argc)
          return false;
        value = argv[++i];
        return true;
      }
      if (arg.rfind(flag + "=", 0) == 0) {
        value = arg.substr(flag.size() + 1);
        return true;
      }
      return false;
    };
    std::string value;
    auto parseCount = [&](const char *flag, long &out, long min) {
      char *end = nullptr;
      long v = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end || v < min || v > 1000000) {
        std::fprintf(stderr,
                     "%s: error: %s expects an integer >= %ld, got '%s'\n",
                     program, flag, min, value.c_str());
        return false;
      }
      out = v;
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      printUsage(program);
      exitCode = 0;
      return false;
    }
    if (arg == "--print-signature") {
      printSignature(model);
      exitCode = 0;
      return false;
    }
    if (takeValue("--input", value)) {
      size_t eq = value.find('=');
      if (eq == std::string::npos)
        args.inputs.push_back({"", value});
      else
        args.inputs.push_back({value.substr(0, eq), value.substr(eq + 1)});
    } else if (takeValue("--output-dir", value)) {
      args.outputDir = value;
    } else if (takeValue("--bench", value)) {
      if (!parseCount("--bench", args.bench, 1))
        return false;
    } else if (takeValue("--threads", value)) {
      if (!parseCount("--threads", args.threads, 1))
        return false;
    } else {
      std::fprintf(stderr, "%s: error: unknown argument '%s' (see --help)\n",
                   program, arg.c_str());
      return false;
    }
  }
  return true;
}

/// The index of the model input `name` names (any name for a one-input
/// model); -1 after printing why there is none.
int findInput(const char *program, const quant_model_info *model,
              const std::string &name, const std::string &path) {
  if (name.empty() && model->num_inputs == 1)
    return 0;
  if (name.empty()) {
    std::fprintf(stderr,
                 "%s: error: --input %s has no name, but the model has %u "
                 "inputs; give --input NAME=FILE (see --print-signature)\n",
                 program, path.c_str(), model->num_inputs);
    return -1;
  }
  for (uint32_t i = 0; i < model->num_inputs; ++i)
    if (name == model->inputs[i].name)
      return static_cast<int>(i);
  std::fprintf(stderr,
               "%s: error: the model has no input named '%s' (see "
               "--print-signature)\n",
               program, name.c_str());
  return -1;
}

/// Reads every input file and checks its type and shape; false after
/// printing the first problem.
bool readInputs(const char *program, const quant_model_info *model,
                const DriverArgs &args, std::vector<HostTensor> &inputs) {
  inputs.assign(model->num_inputs, HostTensor());
  std::vector<bool> seen(model->num_inputs, false);
  for (const auto &[name, path] : args.inputs) {
    int index = findInput(program, model, name, path);
    if (index < 0)
      return false;
    if (seen[index]) {
      std::fprintf(stderr, "%s: error: input '%s' is given twice\n", program,
                   model->inputs[index].name);
      return false;
    }
    std::string error;
    HostTensor &t = inputs[index];
    if (!readTensorFile(path, t, error)) {
      std::fprintf(stderr, "%s: error: %s\n", program, error.c_str());
      return false;
    }
    const quant_tensor_info &info = model->inputs[index];
    std::vector<int64_t> want(info.shape, info.shape + info.rank);
    // uint8 and int8 data feed either kind of 8-bit input: the model reads
    // the same bytes (an int8 input given uint8 data is how models
    // compiled before uint8 was in the ABI were fed).
    ElementKind wantKind = kindOf(info.dtype);
    auto is8Bit = [](ElementKind k) {
      return k == ElementKind::I8 || k == ElementKind::U8;
    };
    bool kindMatches =
        t.kind == wantKind || (is8Bit(wantKind) && is8Bit(t.kind));
    if (!kindMatches || t.shape != want) {
      std::fprintf(stderr,
                   "%s: error: %s: input '%s' is %s %s but the model expects "
                   "%s %s\n",
                   program, path.c_str(), info.name,
                   quant_io::getTypeName(t.kind), formatShape(t.shape).c_str(),
                   quant_io::getTypeName(wantKind), formatShape(want).c_str());
      return false;
    }
    seen[index] = true;
  }
  for (uint32_t i = 0; i < model->num_inputs; ++i)
    if (!seen[i]) {
      std::fprintf(stderr, "%s: error: missing --input %s=FILE\n", program,
                   model->inputs[i].name);
      return false;
    }
  return true;
}

/// Runs `runOnce` --bench times after a warm-up and prints the median.
template <typename Run>
void benchmark(long runs, long threads, Run runOnce) {
  long warmup = std::max<long>(2, runs / 10);
  for (long i = 0; i < warmup; ++i)
    runOnce();
  std::vector<double> ms;
  for (long i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    runOnce();
    auto stop = std::chrono::steady_clock::now();
    ms.push_back(
        std::chrono::duration<double, std::milli>(stop - start).count());
  }
  std::sort(ms.begin(), ms.end());
  double median = ms.size() % 2
                      ? ms[ms.size() / 2]
                      : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  std::printf("median %.3f ms (min %.3f, max %.3f; %ld runs, %ld "
              "thread%s)\n",
              median, ms.front(), ms.back(), runs, threads,
              threads == 1 ? "" : "s");
}

/// Writes each output to DIR/NAME.npy, or prints a summary of it; false
/// after printing a problem.
bool writeOutputs(const char *program, const quant_model_info *model,
                  const DriverArgs &args,
                  const std::vector<HostTensor> &outputs) {
  const std::string &dir = args.outputDir;
  if (!dir.empty() && mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "%s: error: %s: cannot create directory: %s\n",
                 program, dir.c_str(), std::strerror(errno));
    return false;
  }
  for (uint32_t i = 0; i < model->num_outputs; ++i) {
    const quant_tensor_info &info = model->outputs[i];
    if (dir.empty()) {
      if (args.bench == 0)
        printSummary(info, outputs[i]);
      continue;
    }
    std::string path = dir + "/" + safeFileName(info.name) + ".npy";
    std::string error;
    if (!quant_io::writeFileBytes(path, quant_io::serializeNpy(outputs[i]),
                                  error)) {
      std::fprintf(stderr, "%s: error: %s\n", program, error.c_str());
      return false;
    }
  }
  return true;
}

} // namespace

extern "C" int quant_driver_main(const char *program,
                                 const quant_model_info *model, int argc,
                                 char **argv) {
  if (!model || model->abi_version != QUANT_ABI_VERSION) {
    std::fprintf(stderr, "%s: error: the model uses another ABI version\n",
                 program);
    return 1;
  }
  DriverArgs args;
  int exitCode = 1;
  if (!parseArgs(program, model, argc, argv, args, exitCode))
    return exitCode;
  std::vector<HostTensor> inputs;
  if (!readInputs(program, model, args, inputs))
    return 1;

  std::vector<HostTensor> outputs(model->num_outputs);
  std::vector<const void *> inPtrs;
  std::vector<size_t> inBytes, outBytes;
  std::vector<void *> outPtrs;
  for (auto &t : inputs) {
    inPtrs.push_back(t.data.data());
    inBytes.push_back(t.data.size());
  }
  for (uint32_t i = 0; i < model->num_outputs; ++i) {
    const quant_tensor_info &info = model->outputs[i];
    outputs[i].kind = kindOf(info.dtype);
    outputs[i].shape.assign(info.shape, info.shape + info.rank);
    outputs[i].data.resize(info.num_bytes);
    outPtrs.push_back(outputs[i].data.data());
    outBytes.push_back(info.num_bytes);
  }

  quant_set_num_threads(static_cast<int>(args.threads));
  auto runOnce = [&]() {
    return quant_model_run(model, inPtrs.data(), inBytes.data(),
                           outPtrs.data(), outBytes.data());
  };
  int status = runOnce();
  if (status != QUANT_OK) {
    std::fprintf(stderr, "%s: error: run failed: %s\n", program,
                 quant_status_string(status));
    return 1;
  }
  if (args.bench > 0)
    benchmark(args.bench, args.threads, runOnce);
  return writeOutputs(program, model, args, outputs) ? 0 : 1;
}
