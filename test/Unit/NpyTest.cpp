//===- NpyTest.cpp - Unit tests for .npy reading and writing ----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The headers below are byte for byte what numpy 1.24 (Debian 12) writes, so
// quant's reader and writer are checked against the real format.
//
//===----------------------------------------------------------------------===//

#include "quant/Support/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"

#include <cstring>

using namespace mlir::qnt;

namespace {

/// Header dict as numpy writes it, padded to 118 bytes + '\n' (data at 128).
std::string numpyHeader(const std::string &dict) {
  std::string padded = dict;
  padded.append(117 - dict.size(), ' ');
  padded.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(1);
  out.push_back(0);
  out.push_back(static_cast<char>(padded.size()));
  out.push_back(0);
  return out + padded;
}

template <typename T>
std::string bytesOf(std::initializer_list<T> values) {
  std::string out(values.size() * sizeof(T), '\0');
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

std::string errorOf(llvm::Expected<HostTensor> result) {
  if (result)
    return "no error";
  return llvm::toString(result.takeError());
}

// np.save(np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
TEST(Npy, ReadsFloat32Matrix) {
  std::string file =
      numpyHeader(
          "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }") +
      bytesOf<float>({0, 0.25f, 0.5f, 0.75f, 1, 1.25f});
  llvm::Expected<HostTensor> t = parseNpy(file, "a.npy");
  ASSERT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
  EXPECT_EQ(t->kind, ElementKind::F32);
  EXPECT_EQ(t->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t->getValues<float>()[5], 1.25f);
  // Writing it back gives numpy's exact bytes.
  EXPECT_EQ(serializeNpy(*t), file);
}

// np.save(np.array(-7, dtype=np.int64)): a scalar has shape ().
TEST(Npy, ReadsScalar) {
  std::string file =
      numpyHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (), }") +
      bytesOf<int64_t>({-7});
  llvm::Expected<HostTensor> t = parseNpy(file, "s.npy");
  ASSERT_TRUE(static_cast<bool>(t));
  EXPECT_TRUE(t->shape.empty());
  EXPECT_EQ(t->getValues<int64_t>()[0], -7);
  EXPECT_EQ(serializeNpy(*t), file);
}

// One-byte types use '|' and a 1-tuple is written "(4,)".
TEST(Npy, ReadsBytesAndBools) {
  std::string u8 =
      numpyHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }") +
      std::string("\x00\x01\xfe\xff", 4);
  llvm::Expected<HostTensor> t = parseNpy(u8, "u.npy");
  ASSERT_TRUE(static_cast<bool>(t));
  EXPECT_EQ(t->kind, ElementKind::U8);
  EXPECT_EQ(static_cast<unsigned char>(t->data[2]), 254);
  EXPECT_EQ(serializeNpy(*t), u8);

  std::string b =
      numpyHeader("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }") +
      std::string("\x01\x00\x01", 3);
  llvm::Expected<HostTensor> bt = parseNpy(b, "b.npy");
  ASSERT_TRUE(static_cast<bool>(bt));
  EXPECT_EQ(bt->kind, ElementKind::Bool);
}

// Version 2.0 has a 4-byte header length; key order and quotes may vary.
TEST(Npy, ReadsVersion2AndAnyKeyOrder) {
  std::string dict =
      "{\"shape\": (1,), \"fortran_order\": False, \"descr\": \"<i4\"}\n";
  std::string file = "\x93NUMPY";
  file.push_back(2);
  file.push_back(0);
  file.push_back(static_cast<char>(dict.size()));
  file.append(3, '\0');
  file += dict + bytesOf<int32_t>({42});
  llvm::Expected<HostTensor> t = parseNpy(file, "v2.npy");
  ASSERT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
  EXPECT_EQ(t->getValues<int32_t>()[0], 42);
}

TEST(Npy, RejectsWhatItCannotRead) {
  std::string f32 =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(errorOf(parseNpy("PK\x03\x04 not numpy", "x.npy")),
            "x.npy: not a .npy file (no \\x93NUMPY magic)");
  EXPECT_EQ(
      errorOf(parseNpy(numpyHeader(f32) + bytesOf<float>({1, 2}), "x.npy")),
      "x.npy: shape needs 24 bytes of data but the file has 8");
  EXPECT_EQ(
      errorOf(parseNpy(numpyHeader("{'descr': '>f4', 'fortran_order': False, "
                                   "'shape': (2,), }"),
                       "x.npy")),
      "x.npy: data type '>f4' is big-endian; save a little-endian array");
  EXPECT_EQ(
      errorOf(parseNpy(numpyHeader("{'descr': '<f4', 'fortran_order': True, "
                                   "'shape': (2, 3), }"),
                       "x.npy")),
      "x.npy: Fortran-order arrays are not supported; save "
      "np.ascontiguousarray(a)");
  EXPECT_EQ(
      errorOf(parseNpy(numpyHeader("{'descr': '<c8', 'fortran_order': False, "
                                   "'shape': (1,), }"),
                       "x.npy")),
      "x.npy: unsupported data type '<c8'");
  EXPECT_EQ(errorOf(parseNpy(numpyHeader("{'descr': '<f4', 'shape': (1,), }"),
                             "x.npy")),
            "x.npy: malformed .npy header: descr, fortran_order and shape are "
            "all required");
  EXPECT_EQ(
      errorOf(parseNpy(numpyHeader("{'descr': '<f4', 'fortran_order': False, "
                                   "'shape': (-1,), }"),
                       "x.npy")),
      "x.npy: malformed .npy header: shape is not a tuple of "
      "non-negative integers");
  // Absurd dims are refused before any allocation.
  EXPECT_EQ(
      errorOf(parseNpy(numpyHeader("{'descr': '<f4', 'fortran_order': False, "
                                   "'shape': (999999999999, 999999999999), }"),
                       "x.npy")),
      "x.npy: shape 999999999999x999999999999 of float32 holds more than "
      "2^63 - 1 bytes");
  // The cap is 2^63 - 1 bytes exactly: 2^61 float32s are 2^63 bytes.
  EXPECT_EQ(
      errorOf(parseNpy(numpyHeader("{'descr': '<f4', 'fortran_order': False, "
                                   "'shape': (2305843009213693952,), }"),
                       "x.npy")),
      "x.npy: shape 2305843009213693952 of float32 holds more than 2^63 - 1 "
      "bytes");
  // Under the cap, the size is checked against the bytes present.
  EXPECT_EQ(
      errorOf(parseNpy(numpyHeader("{'descr': '|u1', 'fortran_order': False, "
                                   "'shape': (9223372036854775807,), }"),
                       "x.npy")),
      "x.npy: shape needs 9223372036854775807 bytes of data but the file has 0");
  EXPECT_EQ(
      errorOf(parseNpy(numpyHeader("{'descr': '<f4', 'fortran_order': False, "
                                   "'shape': (9223372036854775808,), }"),
                       "x.npy")),
      "x.npy: malformed .npy header: shape dimension 9223372036854775808 "
      "exceeds 2^63 - 1");
  // Bytes from the file are escaped in messages: one line, no control bytes.
  EXPECT_EQ(errorOf(parseNpy(numpyHeader("{'descr': '<\n\x1b[2J', "
                                         "'fortran_order': False, "
                                         "'shape': (1,), }"),
                             "x.npy")),
            "x.npy: unsupported data type '<\\x0a\\x1b[2J'");
  std::string truncated = numpyHeader(f32).substr(0, 40);
  EXPECT_EQ(errorOf(parseNpy(truncated, "x.npy")),
            "x.npy: truncated .npy header");
  std::string v9 = "\x93NUMPY\x09";
  v9 += std::string("\x00\x00\x00", 3);
  EXPECT_EQ(errorOf(parseNpy(v9, "x.npy")),
            "x.npy: unsupported .npy version 9.0");
}

TEST(Npy, FileRoundTrip) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("quant-npy", "npy", path));
  HostTensor t;
  t.kind = ElementKind::I8;
  t.shape = {2, 2};
  t.data = {-1, 2, -3, 4};
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, t)));
  llvm::Expected<HostTensor> back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_EQ(back->data, t.data);
  EXPECT_EQ(back->shape, t.shape);
  llvm::sys::fs::remove(path);
  EXPECT_EQ(errorOf(readNpy(path)),
            (path + ": cannot read: No such file or directory").str());
}

} // namespace

// Found by the tensor-file fuzzer: dims before a zero may overflow int64.
TEST(NpyTest, NumElementsWithAZeroDimDoesNotOverflow) {
  quant_io::HostTensor t;
  t.shape = {int64_t(1) << 60, 8, 0};
  EXPECT_EQ(t.getNumElements(), 0);
  t.shape = {3, 5};
  EXPECT_EQ(t.getNumElements(), 15);
}

// Found by the tensor-file fuzzer: thousands of dims make a header over
// 64 KiB, which needs .npy version 2.0's 4-byte length to read back.
TEST(NpyTest, LongHeadersUseVersion2) {
  quant_io::HostTensor t;
  t.shape.assign(30000, 1);
  t.shape.push_back(0);
  std::string bytes = quant_io::serializeNpy(t);
  EXPECT_EQ(bytes[6], 2);
  quant_io::HostTensor back;
  std::string error;
  ASSERT_TRUE(quant_io::parseNpy(bytes, "long.npy", back, error)) << error;
  EXPECT_EQ(back.shape, t.shape);
  // Short headers stay version 1.0, as numpy writes them.
  t.shape = {2};
  t.data.assign(8, 0);
  EXPECT_EQ(quant_io::serializeNpy(t)[6], 1);
}
