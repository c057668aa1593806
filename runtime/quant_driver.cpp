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

#include <algorithm>
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

namespace {

struct Tensor {
  int32_t dtype = 0;
  std::vector<int64_t> shape;
  std::vector<char> data;
};

size_t elementSize(int32_t dtype) {
  switch (dtype) {
  case QUANT_DTYPE_FLOAT32:
  case QUANT_DTYPE_INT32:
    return 4;
  case QUANT_DTYPE_INT64:
    return 8;
  case QUANT_DTYPE_INT8:
  case QUANT_DTYPE_BOOL:
    return 1;
  default:
    return 0;
  }
}

const char *dtypeName(int32_t dtype) {
  switch (dtype) {
  case QUANT_DTYPE_FLOAT32:
    return "float32";
  case QUANT_DTYPE_INT32:
    return "int32";
  case QUANT_DTYPE_INT64:
    return "int64";
  case QUANT_DTYPE_INT8:
    return "int8";
  case QUANT_DTYPE_BOOL:
    return "bool";
  default:
    return "unknown";
  }
}

std::string formatShape(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

bool readFile(const std::string &path, std::string &bytes, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open file";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  bytes = ss.str();
  return true;
}

//===--------------------------------------------------------------------===//
// .npy
//===--------------------------------------------------------------------===//

bool parseNpy(const std::string &path, const std::string &bytes, Tensor &t,
              std::string &error) {
  auto fail = [&](const std::string &why) {
    error = path + ": not a readable .npy file: " + why;
    return false;
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    return fail("bad magic");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, start;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) |
                (static_cast<unsigned char>(bytes[9]) << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i]))
                   << (8 * i);
    start = 12;
  } else {
    return fail("unsupported version " + std::to_string(major));
  }
  if (start + headerLen > bytes.size())
    return fail("truncated header");
  std::string header = bytes.substr(start, headerLen);
  auto value = [&](const std::string &key) -> std::string {
    size_t k = header.find("'" + key + "'");
    if (k == std::string::npos)
      return "";
    size_t colon = header.find(':', k);
    if (colon == std::string::npos)
      return "";
    size_t v = header.find_first_not_of(" ", colon + 1);
    if (v == std::string::npos)
      return "";
    if (header[v] == '\'') {
      size_t end = header.find('\'', v + 1);
      return end == std::string::npos ? "" : header.substr(v + 1, end - v - 1);
    }
    if (header[v] == '(') {
      size_t end = header.find(')', v);
      return end == std::string::npos ? "" : header.substr(v, end - v + 1);
    }
    size_t end = header.find_first_of(",}", v);
    return header.substr(v, end - v);
  };
  std::string descr = value("descr");
  static const std::map<std::string, int32_t> kinds = {
      {"<f4", QUANT_DTYPE_FLOAT32}, {"<i8", QUANT_DTYPE_INT64},
      {"<i4", QUANT_DTYPE_INT32},   {"|i1", QUANT_DTYPE_INT8},
      {"|u1", QUANT_DTYPE_INT8},    {"|b1", QUANT_DTYPE_BOOL}};
  auto kind = kinds.find(descr);
  if (kind == kinds.end())
    return fail("unsupported dtype '" + descr + "'");
  if (value("fortran_order").rfind("True", 0) == 0)
    return fail("Fortran-ordered arrays are not supported");
  std::string shape = value("shape");
  if (shape.empty() || shape.front() != '(')
    return fail("missing shape");
  t.dtype = kind->second;
  t.shape.clear();
  uint64_t count = 1;
  for (size_t i = 1; i < shape.size();) {
    if (!isdigit(static_cast<unsigned char>(shape[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    int64_t dim = 0;
    while (j < shape.size() && isdigit(static_cast<unsigned char>(shape[j]))) {
      dim = dim * 10 + (shape[j] - '0');
      if (dim > (int64_t(1) << 40))
        return fail("absurd dimension");
      ++j;
    }
    t.shape.push_back(dim);
    count *= static_cast<uint64_t>(dim);
    if (count > (uint64_t(1) << 40))
      return fail("absurd size");
    i = j;
  }
  size_t dataStart = start + headerLen;
  uint64_t needed = count * elementSize(t.dtype);
  if (bytes.size() - dataStart != needed)
    return fail("holds " + std::to_string(bytes.size() - dataStart) +
                " data bytes, shape needs " + std::to_string(needed));
  t.data.assign(bytes.begin() + dataStart, bytes.end());
  return true;
}

std::string serializeNpy(const Tensor &t) {
  std::string descr = t.dtype == QUANT_DTYPE_FLOAT32  ? "<f4"
                      : t.dtype == QUANT_DTYPE_INT64  ? "<i8"
                      : t.dtype == QUANT_DTYPE_INT32  ? "<i4"
                      : t.dtype == QUANT_DTYPE_BOOL   ? "|b1"
                                                      : "|i1";
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i)
    shape += std::to_string(t.shape[i]) + (t.shape.size() == 1 ? "," : (i + 1 < t.shape.size() ? ", " : ""));
  shape += ")";
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(t.data.begin(), t.data.end());
  return out;
}

//===--------------------------------------------------------------------===//
// ONNX TensorProto (.pb), decoded from the protobuf wire format
//===--------------------------------------------------------------------===//

struct Reader {
  const unsigned char *p, *end;
  bool ok = true;
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) {
        ok = false;
        return 0;
      }
      unsigned char b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80))
        return v;
    }
    ok = false;
    return 0;
  }
  bool bytes(uint64_t n, const unsigned char *&out) {
    if (n > static_cast<uint64_t>(end - p)) {
      ok = false;
      return false;
    }
    out = p;
    p += n;
    return true;
  }
};

bool parsePb(const std::string &path, const std::string &bytes, Tensor &t,
             std::string &error) {
  auto fail = [&](const std::string &why) {
    error = path + ": not a readable TensorProto: " + why;
    return false;
  };
  Reader r{reinterpret_cast<const unsigned char *>(bytes.data()),
           reinterpret_cast<const unsigned char *>(bytes.data()) + bytes.size()};
  int32_t dataType = 0;
  std::vector<int64_t> dims;
  std::vector<char> raw;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  bool hasRaw = false;
  while (r.ok && r.p < r.end) {
    uint64_t key = r.varint();
    uint32_t field = static_cast<uint32_t>(key >> 3), wire = key & 7;
    if (wire == 0) {
      uint64_t v = r.varint();
      if (field == 1)
        dims.push_back(static_cast<int64_t>(v));
      else if (field == 2)
        dataType = static_cast<int32_t>(v);
      else if (field == 5 || field == 7)
        ints.push_back(static_cast<int64_t>(v));
      else if (field == 14 && v != 0)
        return fail("external data is not supported");
    } else if (wire == 2) {
      uint64_t n = r.varint();
      const unsigned char *b;
      if (!r.bytes(n, b))
        break;
      Reader inner{b, b + n};
      if (field == 1) {
        while (inner.ok && inner.p < inner.end)
          dims.push_back(static_cast<int64_t>(inner.varint()));
      } else if (field == 4) {
        if (n % 4)
          return fail("float_data is not a multiple of 4 bytes");
        size_t old = floats.size();
        floats.resize(old + n / 4);
        std::memcpy(floats.data() + old, b, n);
      } else if (field == 5 || field == 7) {
        while (inner.ok && inner.p < inner.end)
          ints.push_back(static_cast<int64_t>(inner.varint()));
      } else if (field == 9) {
        raw.assign(b, b + n);
        hasRaw = true;
      } else if (field == 13) {
        return fail("external data is not supported");
      }
      if (!inner.ok)
        return fail("truncated packed field");
    } else if (wire == 5) {
      const unsigned char *b;
      if (!r.bytes(4, b))
        break;
      if (field == 4) {
        float f;
        std::memcpy(&f, b, 4);
        floats.push_back(f);
      }
    } else if (wire == 1) {
      const unsigned char *b;
      r.bytes(8, b);
    } else {
      return fail("unexpected wire type " + std::to_string(wire));
    }
  }
  if (!r.ok)
    return fail("truncated message");
  int32_t dtype = dataType == 2 ? QUANT_DTYPE_INT8 : dataType;
  size_t size = elementSize(dtype);
  if (!size)
    return fail("unsupported data_type " + std::to_string(dataType));
  uint64_t count = 1;
  for (int64_t d : dims) {
    if (d < 0 || d > (int64_t(1) << 40))
      return fail("bad dimension");
    count *= static_cast<uint64_t>(d);
    if (count > (uint64_t(1) << 40))
      return fail("absurd size");
  }
  t.dtype = dtype;
  t.shape = dims;
  t.data.resize(count * size);
  if (hasRaw) {
    if (raw.size() != t.data.size())
      return fail("raw_data holds " + std::to_string(raw.size()) +
                  " bytes, shape needs " + std::to_string(t.data.size()));
    t.data = raw;
  } else if (dtype == QUANT_DTYPE_FLOAT32) {
    if (floats.size() != count)
      return fail("float_data has the wrong length");
    std::memcpy(t.data.data(), floats.data(), t.data.size());
  } else {
    if (ints.size() != count)
      return fail("integer data has the wrong length");
    for (uint64_t i = 0; i < count; ++i) {
      int64_t v = ints[i];
      std::memcpy(t.data.data() + i * size, &v, size); // little-endian
    }
  }
  return true;
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
      "  --output-dir DIR   write each output to DIR/NAME.npy (otherwise "
      "print a summary)\n"
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
    std::printf("%s %s: %s %s\n", what, info.name, dtypeName(info.dtype),
                formatShape(shape).c_str());
  };
  for (uint32_t i = 0; i < model->num_inputs; ++i)
    print("input", model->inputs[i]);
  for (uint32_t i = 0; i < model->num_outputs; ++i)
    print("output", model->outputs[i]);
}

void printSummary(const quant_tensor_info &info, const Tensor &t) {
  std::printf("%s: %s %s", info.name, dtypeName(info.dtype),
              formatShape(t.shape).c_str());
  if (info.dtype == QUANT_DTYPE_FLOAT32) {
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

} // namespace

extern "C" int quant_driver_main(const char *program,
                                 const quant_model_info *model, int argc,
                                 char **argv) {
  if (!model || model->abi_version != QUANT_ABI_VERSION) {
    std::fprintf(stderr, "%s: error: the model uses another ABI version\n",
                 program);
    return 1;
  }
  std::vector<std::pair<std::string, std::string>> inputArgs;
  std::string outputDir;
  long bench = 0, threads = 1;
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
        std::fprintf(stderr, "%s: error: %s expects an integer >= %ld, got '%s'\n",
                     program, flag, min, value.c_str());
        return false;
      }
      out = v;
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      printUsage(program);
      return 0;
    }
    if (arg == "--print-signature") {
      printSignature(model);
      return 0;
    }
    if (takeValue("--input", value)) {
      size_t eq = value.find('=');
      if (eq == std::string::npos)
        inputArgs.push_back({"", value});
      else
        inputArgs.push_back({value.substr(0, eq), value.substr(eq + 1)});
    } else if (takeValue("--output-dir", value)) {
      outputDir = value;
    } else if (takeValue("--bench", value)) {
      if (!parseCount("--bench", bench, 1))
        return 1;
    } else if (takeValue("--threads", value)) {
      if (!parseCount("--threads", threads, 1))
        return 1;
    } else {
      std::fprintf(stderr, "%s: error: unknown argument '%s' (see --help)\n",
                   program, arg.c_str());
      return 1;
    }
  }

  // Inputs: match names, read, check type and shape.
  std::vector<Tensor> inputs(model->num_inputs);
  std::vector<bool> seen(model->num_inputs, false);
  for (auto &[name, path] : inputArgs) {
    int index = -1;
    if (name.empty() && model->num_inputs == 1)
      index = 0;
    for (uint32_t i = 0; i < model->num_inputs && index < 0; ++i)
      if (name == model->inputs[i].name)
        index = static_cast<int>(i);
    if (index < 0) {
      std::fprintf(stderr,
                   "%s: error: the model has no input named '%s' (see "
                   "--print-signature)\n",
                   program, name.c_str());
      return 1;
    }
    std::string bytes, error;
    Tensor &t = inputs[index];
    bool isPb = path.size() > 3 && path.compare(path.size() - 3, 3, ".pb") == 0;
    if (!readFile(path, bytes, error) ||
        !(isPb ? parsePb(path, bytes, t, error)
               : parseNpy(path, bytes, t, error))) {
      std::fprintf(stderr, "%s: error: %s\n", program, error.c_str());
      return 1;
    }
    const quant_tensor_info &info = model->inputs[index];
    std::vector<int64_t> want(info.shape, info.shape + info.rank);
    if (t.dtype != info.dtype || t.shape != want) {
      std::fprintf(stderr,
                   "%s: error: %s: input '%s' is %s %s but the model expects "
                   "%s %s\n",
                   program, path.c_str(), info.name, dtypeName(t.dtype),
                   formatShape(t.shape).c_str(), dtypeName(info.dtype),
                   formatShape(want).c_str());
      return 1;
    }
    seen[index] = true;
  }
  for (uint32_t i = 0; i < model->num_inputs; ++i)
    if (!seen[i]) {
      std::fprintf(stderr, "%s: error: missing --input %s=FILE\n", program,
                   model->inputs[i].name);
      return 1;
    }

  std::vector<Tensor> outputs(model->num_outputs);
  std::vector<const void *> inPtrs;
  std::vector<size_t> inBytes, outBytes;
  std::vector<void *> outPtrs;
  for (auto &t : inputs) {
    inPtrs.push_back(t.data.data());
    inBytes.push_back(t.data.size());
  }
  for (uint32_t i = 0; i < model->num_outputs; ++i) {
    const quant_tensor_info &info = model->outputs[i];
    outputs[i].dtype = info.dtype;
    outputs[i].shape.assign(info.shape, info.shape + info.rank);
    outputs[i].data.resize(info.num_bytes);
    outPtrs.push_back(outputs[i].data.data());
    outBytes.push_back(info.num_bytes);
  }

  quant_set_num_threads(static_cast<int>(threads));
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
  if (bench > 0) {
    long warmup = std::max<long>(2, bench / 10);
    for (long i = 0; i < warmup; ++i)
      runOnce();
    std::vector<double> ms;
    for (long i = 0; i < bench; ++i) {
      auto start = std::chrono::steady_clock::now();
      runOnce();
      auto stop = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(stop - start)
                       .count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2 ? ms[ms.size() / 2]
                                  : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    std::printf("median %.3f ms (min %.3f, max %.3f; %ld runs, %ld "
                "thread%s)\n",
                median, ms.front(), ms.back(), bench, threads,
                threads == 1 ? "" : "s");
  }
  for (uint32_t i = 0; i < model->num_outputs; ++i) {
    const quant_tensor_info &info = model->outputs[i];
    if (outputDir.empty()) {
      if (bench == 0)
        printSummary(info, outputs[i]);
      continue;
    }
    std::string path = outputDir + "/" + safeFileName(info.name) + ".npy";
    std::ofstream out(path, std::ios::binary);
    std::string bytes = serializeNpy(outputs[i]);
    out.write(bytes.data(), bytes.size());
    if (!out) {
      std::fprintf(stderr, "%s: error: %s: cannot write file\n", program,
                   path.c_str());
      return 1;
    }
  }
  return 0;
}
