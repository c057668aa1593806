//===- quant_tensor_file.cpp - .npy and TensorProto .pb tensors -----------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// .npy (numpy.lib.format): magic "\x93NUMPY", major and minor version bytes,
// a little-endian header length (2 bytes in version 1, 4 in 2 and 3), then a
// Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw data.
//
// TensorProto (onnx.proto): dims = 1, data_type = 2, float_data = 4,
// int32_data = 5, int64_data = 7, raw_data = 9, external_data = 13,
// data_location = 14, double_data = 10; repeated numeric fields may be
// packed or not. Other fields are skipped.
//
//===----------------------------------------------------------------------===//

#include "quant_tensor_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

#include <sys/stat.h>

namespace quant_io {

namespace {
struct KindInfo {
  ElementKind kind;
  const char *descr;
  const char *name;
  size_t size;
};

constexpr KindInfo kKinds[] = {
    {ElementKind::F32, "<f4", "float32", 4}, {ElementKind::F64, "<f8", "float64", 8},
    {ElementKind::F16, "<f2", "float16", 2}, {ElementKind::I64, "<i8", "int64", 8},
    {ElementKind::I32, "<i4", "int32", 4},   {ElementKind::I16, "<i2", "int16", 2},
    {ElementKind::I8, "|i1", "int8", 1},     {ElementKind::U8, "|u1", "uint8", 1},
    {ElementKind::Bool, "|b1", "bool", 1},
};

const KindInfo &info(ElementKind kind) {
  for (const KindInfo &k : kKinds)
    if (k.kind == kind)
      return k;
  return kKinds[0]; // unreachable: every kind has an entry
}

/// Text from a file, fit for a one-line message: printable ASCII as is,
/// other bytes as \xNN, at most 40 bytes shown.
std::string quoteFileText(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < text.size() && i < 40; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (text.size() > 40)
    out += "...";
  return out;
}

bool fail(std::string_view name, const std::string &message,
          std::string &error) {
  error = std::string(name) + ": " + message;
  return false;
}
} // namespace

size_t getElementSize(ElementKind kind) { return info(kind).size; }

std::string formatShape(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}
const char *getNpyDescr(ElementKind kind) { return info(kind).descr; }
const char *getTypeName(ElementKind kind) { return info(kind).name; }

std::optional<ElementKind> parseNpyDescr(std::string_view descr) {
  // One-byte types may be written with any byte-order mark.
  if (descr.size() == 3 && descr.substr(1) == "b1")
    return ElementKind::Bool;
  if (descr.size() == 3 && descr.substr(1) == "i1")
    return ElementKind::I8;
  if (descr.size() == 3 && descr.substr(1) == "u1")
    return ElementKind::U8;
  // Multi-byte types must be little-endian ('<', or '=' on this host).
  if (descr.empty() || (descr[0] != '<' && descr[0] != '='))
    return std::nullopt;
  descr.remove_prefix(1);
  for (const KindInfo &k : kKinds)
    if (std::string_view(k.descr).substr(1) == descr)
      return k.kind;
  return std::nullopt;
}

int64_t HostTensor::getNumElements() const {
  // A zero dim anywhere makes the product 0; the readers checked that the
  // other products fit, but dims before the zero may not (2^60 x 8 x 0).
  for (int64_t d : shape)
    if (d == 0)
      return 0;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

namespace {
/// Parses the header's Python dict literal: string, bool and int-tuple
/// values, keys in any order, trailing commas allowed.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text(text) {}

  bool parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape,
             std::string &error) {
    bool seenDescr = false, seenFortran = false, seenShape = false;
    if (!consume('{'))
      return failWith("expected '{'", error);
    while (!consume('}')) {
      std::string key;
      if (!parseString(key) || !consume(':'))
        return failWith("expected 'key': value", error);
      if (key == "descr") {
        if (!parseString(descr))
          return failWith("descr is not a string", error);
        seenDescr = true;
      } else if (key == "fortran_order") {
        if (consumeWord("True"))
          fortran = true;
        else if (consumeWord("False"))
          fortran = false;
        else
          return failWith("fortran_order is not True or False", error);
        seenFortran = true;
      } else if (key == "shape") {
        std::string why;
        if (!parseShape(shape, why))
          return failWith(why, error);
        seenShape = true;
      } else {
        return failWith("unknown key '" + quoteFileText(key) + "'", error);
      }
      if (!consume(',') && !peek('}'))
        return failWith("expected ',' or '}'", error);
    }
    if (!seenDescr || !seenFortran || !seenShape)
      return failWith("descr, fortran_order and shape are all required",
                      error);
    return true;
  }

private:
  void skipSpace() {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text[0])))
      text.remove_prefix(1);
  }
  bool peek(char c) {
    skipSpace();
    return !text.empty() && text.front() == c;
  }
  bool consume(char c) {
    if (!peek(c))
      return false;
    text.remove_prefix(1);
    return true;
  }
  bool consumeWord(std::string_view word) {
    skipSpace();
    if (text.substr(0, word.size()) != word)
      return false;
    text.remove_prefix(word.size());
    return true;
  }
  bool parseString(std::string &out) {
    skipSpace();
    if (text.empty() || (text.front() != '\'' && text.front() != '"'))
      return false;
    char quote = text.front();
    size_t end = text.find(quote, 1);
    if (end == std::string_view::npos)
      return false;
    out = std::string(text.substr(1, end - 1));
    text.remove_prefix(end + 1);
    return true;
  }
  bool parseShape(std::vector<int64_t> &shape, std::string &why) {
    why = "shape is not a tuple of non-negative integers";
    if (!consume('('))
      return false;
    while (!consume(')')) {
      skipSpace();
      size_t digits = 0;
      while (digits < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[digits])))
        ++digits;
      if (digits == 0)
        return false;
      int64_t d = 0;
      for (size_t i = 0; i < digits; ++i) {
        if (__builtin_mul_overflow(d, 10, &d) ||
            __builtin_add_overflow(d, text[i] - '0', &d)) {
          why = "shape dimension " + quoteFileText(text.substr(0, digits)) +
                " exceeds 2^63 - 1";
          return false;
        }
      }
      shape.push_back(d);
      text.remove_prefix(digits);
      if (!consume(',') && !peek(')'))
        return false;
    }
    return true;
  }
  static bool failWith(const std::string &why, std::string &error) {
    error = why;
    return false;
  }

  std::string_view text;
};

/// The byte size of `shape` with `elementSize`-byte elements, or nullopt
/// when it exceeds 2^63 - 1 (the cap quant puts on every tensor).
std::optional<uint64_t> checkedByteSize(const std::vector<int64_t> &shape,
                                        size_t elementSize) {
  uint64_t bytes = elementSize;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes))
      return std::nullopt;
  if (bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  return bytes;
}

std::string tooLarge(const std::vector<int64_t> &shape, ElementKind kind) {
  return "shape " + formatShape(shape) + " of " + getTypeName(kind) +
         " holds more than 2^63 - 1 bytes";
}
} // namespace

bool parseNpy(std::string_view bytes, std::string_view name, HostTensor &out,
              std::string &error) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY")
    return fail(name, "not a .npy file (no \\x93NUMPY magic)", error);
  unsigned major = static_cast<unsigned char>(bytes[6]);
  unsigned minor = static_cast<unsigned char>(bytes[7]);
  size_t headerStart, headerLength;
  if (major == 1) {
    headerStart = 10;
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   static_cast<unsigned char>(bytes[9]) << 8;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail(name, "truncated .npy header", error);
    headerStart = 12;
    headerLength = 0;
    for (int i = 3; i >= 0; --i)
      headerLength =
          headerLength << 8 | static_cast<unsigned char>(bytes[8 + i]);
  } else {
    return fail(name,
                "unsupported .npy version " + std::to_string(major) + "." +
                    std::to_string(minor),
                error);
  }
  if (headerStart + headerLength > bytes.size())
    return fail(name, "truncated .npy header", error);
  std::string_view header = bytes.substr(headerStart, headerLength);

  std::string descr, why;
  bool fortran = false;
  HostTensor tensor;
  if (!HeaderParser(header).parse(descr, fortran, tensor.shape, why))
    return fail(name, "malformed .npy header: " + why, error);
  std::optional<ElementKind> kind = parseNpyDescr(descr);
  if (!kind) {
    if (descr.size() > 1 && descr[0] == '>')
      return fail(name,
                  "data type '" + quoteFileText(descr) +
                      "' is big-endian; save a little-endian array",
                  error);
    return fail(name, "unsupported data type '" + quoteFileText(descr) + "'", error);
  }
  if (fortran)
    return fail(name,
                "Fortran-order arrays are not supported; save "
                "np.ascontiguousarray(a)",
                error);
  tensor.kind = *kind;

  // Size check before allocation: dims, their product and the bytes present.
  std::optional<uint64_t> size = checkedByteSize(tensor.shape, getElementSize(*kind));
  if (!size)
    return fail(name, tooLarge(tensor.shape, *kind), error);
  uint64_t need = *size;
  uint64_t have = bytes.size() - headerStart - headerLength;
  if (need != have)
    return fail(name,
                "shape needs " + std::to_string(need) +
                    " bytes of data but the file has " + std::to_string(have),
                error);
  tensor.data.assign(bytes.end() - have, bytes.end());
  out = std::move(tensor);
  return true;
}

std::string serializeNpy(const HostTensor &tensor) {
  std::string dict = "{'descr': '";
  dict += getNpyDescr(tensor.kind);
  dict += "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    if (i)
      dict += ", ";
    dict += std::to_string(tensor.shape[i]);
  }
  if (tensor.shape.size() == 1) // numpy writes (3,) but (2, 3).
    dict += ",";
  dict += "), }";
  // Version 1.0 has a 2-byte header length; a longer header (thousands of
  // dims) needs version 2.0's 4 bytes, as numpy does.
  bool v2 = dict.size() + 64 > 0xffff;
  size_t prefix = v2 ? 12 : 10;
  // Pad with spaces so that the data starts 64-byte aligned, newline last.
  size_t unpadded = prefix + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i)
    out.push_back(static_cast<char>((dict.size() >> (8 * i)) & 0xff));
  out += dict;
  out.append(tensor.data.begin(), tensor.data.end());
  return out;
}

//===----------------------------------------------------------------------===//
// TensorProto
//===----------------------------------------------------------------------===//

namespace {
/// A cursor over protobuf wire-format bytes.
struct WireReader {
  const unsigned char *p, *end;

  bool varint(uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      unsigned char b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  }
  bool bytes(uint64_t n, std::string_view &out) {
    if (n > static_cast<uint64_t>(end - p))
      return false;
    out = std::string_view(reinterpret_cast<const char *>(p), n);
    p += n;
    return true;
  }
  bool fixed(size_t n, uint64_t &v) {
    if (static_cast<size_t>(end - p) < n)
      return false;
    v = 0;
    std::memcpy(&v, p, n); // little-endian host
    p += n;
    return true;
  }
};

/// ONNX TensorProto.DataType codes quant reads, and their host kinds.
std::optional<ElementKind> kindOfOnnxType(uint64_t dtype) {
  switch (dtype) {
  case 1:
    return ElementKind::F32;
  case 2:
    return ElementKind::U8;
  case 3:
    return ElementKind::I8;
  case 5:
    return ElementKind::I16;
  case 6:
    return ElementKind::I32;
  case 7:
    return ElementKind::I64;
  case 9:
    return ElementKind::Bool;
  case 10:
    return ElementKind::F16;
  case 11:
    return ElementKind::F64;
  default:
    return std::nullopt;
  }
}

/// Appends the values of a repeated numeric field, packed (wire type 2) or
/// one per entry (its scalar wire type): varints as int64, fixed32 as the
/// float bits, fixed64 as the double bits.
bool readRepeated(WireReader &r, uint32_t wire, uint32_t scalarWire,
                  std::vector<uint64_t> &values) {
  auto one = [&](WireReader &in) {
    uint64_t v;
    bool ok = scalarWire == 0   ? in.varint(v)
              : scalarWire == 5 ? in.fixed(4, v)
                                : in.fixed(8, v);
    if (ok)
      values.push_back(v);
    return ok;
  };
  if (wire == scalarWire)
    return one(r);
  if (wire != 2)
    return false;
  uint64_t n;
  std::string_view packed;
  if (!r.varint(n) || !r.bytes(n, packed))
    return false;
  WireReader in{reinterpret_cast<const unsigned char *>(packed.data()),
                reinterpret_cast<const unsigned char *>(packed.data()) +
                    packed.size()};
  while (in.p < in.end)
    if (!one(in))
      return false;
  return true;
}

bool skipField(WireReader &r, uint32_t wire) {
  uint64_t v;
  std::string_view ignored;
  switch (wire) {
  case 0:
    return r.varint(v);
  case 1:
    return r.fixed(8, v);
  case 2:
    return r.varint(v) && r.bytes(v, ignored);
  case 5:
    return r.fixed(4, v);
  default:
    return false; // groups (3, 4) are not used by onnx.proto
  }
}
} // namespace

bool parseTensorProto(std::string_view bytes, std::string_view name,
                      HostTensor &out, std::string &error) {
  auto invalid = [&]() {
    return fail(name, "not a valid ONNX TensorProto", error);
  };
  if (bytes.empty())
    return invalid();
  WireReader r{reinterpret_cast<const unsigned char *>(bytes.data()),
               reinterpret_cast<const unsigned char *>(bytes.data()) +
                   bytes.size()};
  std::vector<uint64_t> dims, floats, int32s, int64s, doubles;
  uint64_t dataType = 0, location = 0;
  std::string_view raw;
  bool hasRaw = false, hasExternal = false;
  while (r.p < r.end) {
    uint64_t key;
    if (!r.varint(key))
      return invalid();
    uint32_t field = static_cast<uint32_t>(key >> 3);
    uint32_t wire = static_cast<uint32_t>(key & 7);
    bool ok;
    switch (field) {
    case 1:
      ok = readRepeated(r, wire, 0, dims);
      break;
    case 2:
      ok = wire == 0 && r.varint(dataType);
      break;
    case 4:
      ok = readRepeated(r, wire, 5, floats);
      break;
    case 5:
      ok = readRepeated(r, wire, 0, int32s);
      break;
    case 7:
      ok = readRepeated(r, wire, 0, int64s);
      break;
    case 10:
      ok = readRepeated(r, wire, 1, doubles);
      break;
    case 9: {
      uint64_t n;
      ok = wire == 2 && r.varint(n) && r.bytes(n, raw);
      hasRaw = true;
      break;
    }
    case 13:
      hasExternal = true;
      ok = skipField(r, wire);
      break;
    case 14:
      ok = wire == 0 && r.varint(location);
      break;
    default:
      ok = skipField(r, wire);
      break;
    }
    if (!ok)
      return invalid();
  }

  std::optional<ElementKind> kind = kindOfOnnxType(dataType);
  if (!kind)
    return fail(name, "unsupported data type " + std::to_string(dataType),
                error);
  if (location == 1 || hasExternal)
    return fail(name, "external data is not supported in tensor files",
                error);
  HostTensor tensor;
  tensor.kind = *kind;
  for (uint64_t d : dims) {
    int64_t dim = static_cast<int64_t>(d);
    if (dim < 0)
      return fail(name, "negative dim " + std::to_string(dim), error);
    tensor.shape.push_back(dim);
  }
  size_t width = getElementSize(*kind);
  std::optional<uint64_t> size = checkedByteSize(tensor.shape, width);
  if (!size)
    return fail(name, tooLarge(tensor.shape, *kind), error);
  std::optional<uint64_t> count = *size / width;
  if (hasRaw) {
    if (raw.size() != *size)
      return fail(name,
                  "dims need " + std::to_string(*size) +
                      " bytes but the tensor holds " +
                      std::to_string(raw.size()),
                  error);
    tensor.data.assign(raw.begin(), raw.end());
    out = std::move(tensor);
    return true;
  }
  // Typed fields: float_data (f32), double_data, int64_data, and int32_data
  // for every narrower integer type (and f16 bit patterns). Each value's
  // low `width` little-endian bytes are the element.
  const std::vector<uint64_t> &values = *kind == ElementKind::F32   ? floats
                                        : *kind == ElementKind::F64 ? doubles
                                        : *kind == ElementKind::I64 ? int64s
                                                                    : int32s;
  if (values.size() != *count)
    return fail(name,
                "dims need " + std::to_string(*count) +
                    " elements but the tensor holds " +
                    std::to_string(values.size()),
                error);
  tensor.data.resize(*count * width);
  for (size_t i = 0; i < values.size(); ++i)
    std::memcpy(tensor.data.data() + i * width, &values[i], width);
  out = std::move(tensor);
  return true;
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

bool readFileBytes(const std::string &path, std::string &bytes,
                   std::string &error) {
  auto cannotRead = [&](int code) {
    return fail(path, std::string("cannot read: ") + std::strerror(code),
                error);
  };
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return cannotRead(errno);
  // A folder opens for reading on Linux; reading it fails with EISDIR.
  struct stat status;
  if (fstat(fileno(file), &status) == 0 && S_ISDIR(status.st_mode)) {
    std::fclose(file);
    return cannotRead(EISDIR);
  }
  std::string contents;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    contents.append(buffer, n);
  int code = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (code)
    return cannotRead(code);
  bytes = std::move(contents);
  return true;
}

bool writeFileBytes(const std::string &path, std::string_view bytes,
                    std::string &error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return fail(path, std::string("cannot write: ") + std::strerror(errno),
                error);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out)
    return fail(path, "cannot write: I/O error", error);
  return true;
}

} // namespace quant_io
