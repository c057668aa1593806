//===- Npy.cpp - Read and write numpy .npy tensors --------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Format (numpy.lib.format): magic "\x93NUMPY", major and minor version
// bytes, a little-endian header length (2 bytes in version 1, 4 in 2 and 3),
// then a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "quant/Support/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <limits>

using namespace llvm;

namespace mlir::qnt {

namespace {
struct KindInfo {
  ElementKind kind;
  StringLiteral descr;
  size_t size;
};
} // namespace

static constexpr KindInfo kKinds[] = {
    {ElementKind::F32, "<f4", 4},  {ElementKind::F64, "<f8", 8},
    {ElementKind::F16, "<f2", 2},  {ElementKind::I64, "<i8", 8},
    {ElementKind::I32, "<i4", 4},  {ElementKind::I16, "<i2", 2},
    {ElementKind::I8, "|i1", 1},   {ElementKind::U8, "|u1", 1},
    {ElementKind::Bool, "|b1", 1},
};

static const KindInfo &info(ElementKind kind) {
  for (const KindInfo &k : kKinds)
    if (k.kind == kind)
      return k;
  llvm_unreachable("every ElementKind has an entry");
}

size_t getElementSize(ElementKind kind) { return info(kind).size; }
StringRef getNpyDescr(ElementKind kind) { return info(kind).descr; }

std::optional<ElementKind> parseNpyDescr(StringRef descr) {
  // One-byte types may be written with any byte-order mark.
  if (descr.size() == 3 && descr.drop_front() == "b1")
    return ElementKind::Bool;
  if (descr.size() == 3 && descr.drop_front() == "i1")
    return ElementKind::I8;
  if (descr.size() == 3 && descr.drop_front() == "u1")
    return ElementKind::U8;
  // Multi-byte types must be little-endian ('<', or '=' on this host).
  if (descr.starts_with("="))
    descr = descr.drop_front();
  else if (descr.starts_with("<"))
    descr = descr.drop_front();
  else
    return std::nullopt;
  for (const KindInfo &k : kKinds)
    if (k.descr.drop_front() == descr)
      return k.kind;
  return std::nullopt;
}

int64_t HostTensor::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {
/// Parses the header's Python dict literal: string, bool and int-tuple
/// values, keys in any order, trailing commas allowed.
class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : text(text) {}

  bool parse(std::string &descr, bool &fortran, SmallVector<int64_t> &shape,
             std::string &error) {
    bool seenDescr = false, seenFortran = false, seenShape = false;
    if (!consume('{'))
      return fail("expected '{'", error);
    while (!consume('}')) {
      std::string key;
      if (!parseString(key) || !consume(':'))
        return fail("expected 'key': value", error);
      if (key == "descr") {
        if (!parseString(descr))
          return fail("descr is not a string", error);
        seenDescr = true;
      } else if (key == "fortran_order") {
        if (consumeWord("True"))
          fortran = true;
        else if (consumeWord("False"))
          fortran = false;
        else
          return fail("fortran_order is not True or False", error);
        seenFortran = true;
      } else if (key == "shape") {
        if (!parseShape(shape))
          return fail("shape is not a tuple of non-negative integers", error);
        seenShape = true;
      } else {
        return fail("unknown key '" + key + "'", error);
      }
      if (!consume(',') && !peek('}'))
        return fail("expected ',' or '}'", error);
    }
    if (!seenDescr || !seenFortran || !seenShape)
      return fail("descr, fortran_order and shape are all required", error);
    return true;
  }

private:
  void skipSpace() { text = text.ltrim(); }
  bool peek(char c) {
    skipSpace();
    return !text.empty() && text.front() == c;
  }
  bool consume(char c) {
    if (!peek(c))
      return false;
    text = text.drop_front();
    return true;
  }
  bool consumeWord(StringRef word) {
    skipSpace();
    if (!text.starts_with(word))
      return false;
    text = text.drop_front(word.size());
    return true;
  }
  bool parseString(std::string &out) {
    skipSpace();
    if (text.empty() || (text.front() != '\'' && text.front() != '"'))
      return false;
    char quote = text.front();
    size_t end = text.find(quote, 1);
    if (end == StringRef::npos)
      return false;
    out = text.substr(1, end - 1).str();
    text = text.drop_front(end + 1);
    return true;
  }
  bool parseShape(SmallVector<int64_t> &shape) {
    if (!consume('('))
      return false;
    while (!consume(')')) {
      skipSpace();
      size_t digits = 0;
      while (digits < text.size() && isDigit(text[digits]))
        ++digits;
      int64_t d = 0;
      if (digits == 0 || digits > 18 ||
          text.substr(0, digits).getAsInteger(10, d))
        return false;
      shape.push_back(d);
      text = text.drop_front(digits);
      if (!consume(',') && !peek(')'))
        return false;
    }
    return true;
  }
  static bool fail(const std::string &why, std::string &error) {
    error = why;
    return false;
  }

  StringRef text;
};
} // namespace

static Error makeError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           name + ": " + message.str());
}

Expected<HostTensor> parseNpy(StringRef bytes, StringRef name) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return makeError(name, "not a .npy file (no \\x93NUMPY magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  unsigned minor = static_cast<unsigned char>(bytes[7]);
  size_t headerStart, headerLength;
  if (major == 1) {
    headerStart = 10;
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   static_cast<unsigned char>(bytes[9]) << 8;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return makeError(name, "truncated .npy header");
    headerStart = 12;
    headerLength = 0;
    for (int i = 3; i >= 0; --i)
      headerLength =
          headerLength << 8 | static_cast<unsigned char>(bytes[8 + i]);
  } else {
    return makeError(name, "unsupported .npy version " + Twine(major) + "." +
                               Twine(minor));
  }
  if (headerStart + headerLength > bytes.size())
    return makeError(name, "truncated .npy header");
  StringRef header = bytes.substr(headerStart, headerLength);

  std::string descr, error;
  bool fortran = false;
  HostTensor tensor;
  if (!HeaderParser(header).parse(descr, fortran, tensor.shape, error))
    return makeError(name, "malformed .npy header: " + error);
  std::optional<ElementKind> kind = parseNpyDescr(descr);
  if (!kind) {
    if (descr.size() > 1 && descr[0] == '>')
      return makeError(name, "data type '" + descr +
                                 "' is big-endian; save a little-endian array");
    return makeError(name, "unsupported data type '" + descr + "'");
  }
  if (fortran)
    return makeError(name, "Fortran-order arrays are not supported; save "
                           "np.ascontiguousarray(a)");
  tensor.kind = *kind;

  // Size check before allocation: dims, their product and the bytes present.
  uint64_t count = 1;
  for (int64_t d : tensor.shape) {
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / 16 / d)
      return makeError(name, "shape is too large");
    count *= static_cast<uint64_t>(d);
  }
  uint64_t need = count * getElementSize(*kind);
  uint64_t have = bytes.size() - headerStart - headerLength;
  if (need != have)
    return makeError(name, "shape needs " + Twine(need) +
                               " bytes of data but the file has " +
                               Twine(have));
  tensor.data.assign(bytes.end() - have, bytes.end());
  return tensor;
}

Expected<HostTensor> readNpy(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string serializeNpy(const HostTensor &tensor) {
  std::string dict;
  raw_string_ostream os(dict);
  os << "{'descr': '" << getNpyDescr(tensor.kind)
     << "', 'fortran_order': False, 'shape': (";
  for (int64_t d : tensor.shape)
    os << d << ", ";
  if (tensor.shape.size() > 1) // numpy writes (3,) but (2, 3).
    dict.resize(dict.size() - 2);
  else if (tensor.shape.size() == 1)
    dict.pop_back();
  os << "), }";
  // Pad with spaces so that the data starts 64-byte aligned, newline last.
  size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(1);
  out.push_back(0);
  out.push_back(static_cast<char>(dict.size() & 0xff));
  out.push_back(static_cast<char>(dict.size() >> 8));
  out += dict;
  out.append(tensor.data.begin(), tensor.data.end());
  return out;
}

Error writeNpy(StringRef path, const HostTensor &tensor) {
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return makeError(path, "cannot write: " + ec.message());
  os << serializeNpy(tensor);
  os.close();
  if (os.has_error())
    return makeError(path, "cannot write: " + os.error().message());
  return Error::success();
}

} // namespace mlir::qnt
