//===- TensorProtoFileTest.cpp - Unit tests for .pb tensor fil --*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Support/TensorProtoFile.h"

#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"

#include "onnx/onnx_pb.h"

#include <cmath>

using namespace mlir::qnt;

namespace {

std::string errorOf(llvm::Expected<HostTensor> result) {
  if (result)
    return "no error";
  return llvm::toString(result.takeError());
}

// Typed-field storage (float_data) becomes packed little-endian floats.
TEST(TensorProtoFile, FloatData) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(2);
  t.add_dims(2);
  for (float f : {1.0f, -2.5f, 3.0f, 0.125f})
    t.add_float_data(f);
  llvm::Expected<HostTensor> h =
      parseTensorProto(t.SerializeAsString(), "x.pb");
  ASSERT_TRUE(static_cast<bool>(h)) << llvm::toString(h.takeError());
  EXPECT_EQ(h->kind, ElementKind::F32);
  EXPECT_EQ(h->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(h->getValues<float>()[1], -2.5f);
}

// int32_data carries narrower integers (here int8) one per entry.
TEST(TensorProtoFile, NarrowIntegers) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::INT8);
  t.add_dims(3);
  for (int v : {-128, 0, 127})
    t.add_int32_data(v);
  llvm::Expected<HostTensor> h =
      parseTensorProto(t.SerializeAsString(), "x.pb");
  ASSERT_TRUE(static_cast<bool>(h));
  EXPECT_EQ(h->getValues<int8_t>()[0], -128);
  EXPECT_EQ(h->getValues<int8_t>()[2], 127);
}

TEST(TensorProtoFile, Errors) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(1000);
  t.set_raw_data(std::string(8, '\0'));
  EXPECT_EQ(errorOf(parseTensorProto(t.SerializeAsString(), "x.pb")),
            "x.pb: dims need 4000 bytes but the tensor holds 8");
  t.set_data_type(onnx::TensorProto::STRING);
  EXPECT_EQ(errorOf(parseTensorProto(t.SerializeAsString(), "x.pb")),
            "x.pb: unsupported data type 8");
  EXPECT_EQ(errorOf(parseTensorProto("", "x.pb")),
            "x.pb: not a valid ONNX TensorProto");
  EXPECT_EQ(errorOf(parseTensorProto("\xff\xff\xff\xff", "x.pb")),
            "x.pb: not a valid ONNX TensorProto");
}

// The decoder reads protobuf's own encodings: packed int64_data, double_data,
// bool in int32_data, and skips fields it does not use (name, doc_string).
TEST(TensorProtoFile, MoreTypedFields) {
  onnx::TensorProto t;
  t.set_name("a fairly long tensor name");
  t.set_doc_string("skipped");
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_dims(3);
  for (int64_t v : {int64_t(-1), int64_t(1) << 40, int64_t(7)})
    t.add_int64_data(v);
  llvm::Expected<HostTensor> h =
      parseTensorProto(t.SerializeAsString(), "x.pb");
  ASSERT_TRUE(static_cast<bool>(h)) << llvm::toString(h.takeError());
  EXPECT_EQ(h->kind, ElementKind::I64);
  EXPECT_EQ(h->getValues<int64_t>()[0], -1);
  EXPECT_EQ(h->getValues<int64_t>()[1], int64_t(1) << 40);

  onnx::TensorProto d;
  d.set_data_type(onnx::TensorProto::DOUBLE);
  d.add_dims(2);
  d.add_double_data(0.1);
  d.add_double_data(-3.5);
  h = parseTensorProto(d.SerializeAsString(), "d.pb");
  ASSERT_TRUE(static_cast<bool>(h)) << llvm::toString(h.takeError());
  EXPECT_EQ(h->kind, ElementKind::F64);
  EXPECT_EQ(h->getValues<double>()[0], 0.1);
  EXPECT_EQ(h->getValues<double>()[1], -3.5);

  onnx::TensorProto b;
  b.set_data_type(onnx::TensorProto::BOOL);
  b.add_dims(2);
  b.add_int32_data(1);
  b.add_int32_data(0);
  h = parseTensorProto(b.SerializeAsString(), "b.pb");
  ASSERT_TRUE(static_cast<bool>(h)) << llvm::toString(h.takeError());
  EXPECT_EQ(h->kind, ElementKind::Bool);
  EXPECT_EQ(h->data, (std::vector<char>{1, 0}));
}

// Malformed and unsupported forms are one error each, never a crash.
TEST(TensorProtoFile, MoreErrors) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(4);
  for (float f : {1.0f, 2.0f, 3.0f, 4.0f})
    t.add_float_data(f);
  std::string bytes = t.SerializeAsString();
  // Cut inside the packed float_data.
  EXPECT_EQ(errorOf(parseTensorProto(bytes.substr(0, bytes.size() - 3),
                                     "x.pb")),
            "x.pb: not a valid ONNX TensorProto");
  // Elements missing from the typed field.
  t.add_dims(2);
  EXPECT_EQ(errorOf(parseTensorProto(t.SerializeAsString(), "x.pb")),
            "x.pb: dims need 8 elements but the tensor holds 4");
  onnx::TensorProto n;
  n.set_data_type(onnx::TensorProto::FLOAT);
  n.add_dims(-2);
  EXPECT_EQ(errorOf(parseTensorProto(n.SerializeAsString(), "x.pb")),
            "x.pb: negative dim -2");
  onnx::TensorProto big;
  big.set_data_type(onnx::TensorProto::FLOAT);
  for (int i = 0; i < 4; ++i)
    big.add_dims(int64_t(1) << 20);
  EXPECT_EQ(errorOf(parseTensorProto(big.SerializeAsString(), "x.pb")),
            "x.pb: shape 1048576x1048576x1048576x1048576 of float32 holds "
            "more than 2^63 - 1 bytes");
  onnx::TensorProto ext;
  ext.set_data_type(onnx::TensorProto::FLOAT);
  ext.add_dims(1);
  ext.set_data_location(onnx::TensorProto::EXTERNAL);
  auto *entry = ext.add_external_data();
  entry->set_key("location");
  entry->set_value("../../etc/passwd");
  EXPECT_EQ(errorOf(parseTensorProto(ext.SerializeAsString(), "x.pb")),
            "x.pb: external data is not supported in tensor files");
}

// The ONNX node tests' data: test_relu's input is a 3x4x5 float tensor and
// its output is max(input, 0).
TEST(TensorProtoFile, OnnxNodeTestData) {
  const char *dir =
      "/usr/share/libonnx-testdata/data/node/test_relu/test_data_set_0";
  if (!llvm::sys::fs::exists(dir))
    GTEST_SKIP() << "libonnx-testdata is not installed";
  llvm::Expected<HostTensor> in =
      readTensorProtoFile(std::string(dir) + "/input_0.pb");
  llvm::Expected<HostTensor> out =
      readTensorProtoFile(std::string(dir) + "/output_0.pb");
  ASSERT_TRUE(static_cast<bool>(in) && static_cast<bool>(out));
  EXPECT_EQ(in->shape, (std::vector<int64_t>{3, 4, 5}));
  for (int64_t i = 0; i < in->getNumElements(); ++i)
    EXPECT_EQ(out->getValues<float>()[i],
              std::max(in->getValues<float>()[i], 0.0f));
  EXPECT_EQ(errorOf(readTensorProtoFile("/nonexistent/input_0.pb")),
            "/nonexistent/input_0.pb: cannot read: No such file or directory");
}

} // namespace
