//===- TensorProtoFile.cpp - ONNX TensorProto (.pb) files -------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Import/TensorProtoFile.h"

#include "llvm/Support/MemoryBuffer.h"

#include "onnx/onnx_pb.h"

#include <cstring>
#include <limits>

using namespace llvm;

namespace mlir::qnt {

static Error makeError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           name + ": " + message.str());
}

/// The host element kind of an ONNX data type.
static std::optional<ElementKind> kindOf(int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
    return ElementKind::F32;
  case onnx::TensorProto::DOUBLE:
    return ElementKind::F64;
  case onnx::TensorProto::FLOAT16:
    return ElementKind::F16;
  case onnx::TensorProto::INT64:
    return ElementKind::I64;
  case onnx::TensorProto::INT32:
    return ElementKind::I32;
  case onnx::TensorProto::INT16:
    return ElementKind::I16;
  case onnx::TensorProto::INT8:
    return ElementKind::I8;
  case onnx::TensorProto::UINT8:
    return ElementKind::U8;
  case onnx::TensorProto::BOOL:
    return ElementKind::Bool;
  default:
    return std::nullopt;
  }
}

/// Narrows each typed-field value into `width` little-endian bytes.
template <typename Field>
static void packField(const Field &field, size_t width,
                      std::vector<char> &out) {
  out.resize(field.size() * width);
  for (int i = 0; i < field.size(); ++i) {
    auto v = field.Get(i);
    std::memcpy(out.data() + i * width, &v, width);
  }
}

Expected<HostTensor> parseTensorProto(StringRef bytes, StringRef name) {
  onnx::TensorProto proto;
  if (bytes.empty() ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return makeError(name, "not a valid ONNX TensorProto");
  std::optional<ElementKind> kind = kindOf(proto.data_type());
  if (!kind)
    return makeError(name, "unsupported data type " + Twine(proto.data_type()));
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return makeError(name, "external data is not supported in tensor files");
  HostTensor tensor;
  tensor.kind = *kind;
  uint64_t count = 1;
  for (int64_t d : proto.dims()) {
    if (d < 0)
      return makeError(name, "negative dim " + Twine(d));
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / 16 / d)
      return makeError(name, "dims are too large");
    count *= static_cast<uint64_t>(d);
    tensor.shape.push_back(d);
  }
  size_t width = getElementSize(*kind);
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != count * width)
      return makeError(name, "dims need " + Twine(count * width) +
                                 " bytes but the tensor holds " +
                                 Twine(proto.raw_data().size()));
    tensor.data.assign(proto.raw_data().begin(), proto.raw_data().end());
    return tensor;
  }
  // Typed fields: float_data (f32), double_data, int64_data, and int32_data
  // for every narrower integer type (and f16 bit patterns).
  uint64_t available = 0;
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    available = proto.float_data_size();
    break;
  case onnx::TensorProto::DOUBLE:
    available = proto.double_data_size();
    break;
  case onnx::TensorProto::INT64:
    available = proto.int64_data_size();
    break;
  default:
    available = proto.int32_data_size();
    break;
  }
  if (available != count)
    return makeError(name, "dims need " + Twine(count) +
                               " elements but the tensor holds " +
                               Twine(available));
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    packField(proto.float_data(), width, tensor.data);
    break;
  case onnx::TensorProto::DOUBLE:
    packField(proto.double_data(), width, tensor.data);
    break;
  case onnx::TensorProto::INT64:
    packField(proto.int64_data(), width, tensor.data);
    break;
  default:
    packField(proto.int32_data(), width, tensor.data);
    break;
  }
  return tensor;
}

Expected<HostTensor> readTensorProtoFile(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path, "cannot read: " + buffer.getError().message());
  if ((*buffer)->getBufferSize() >
      static_cast<size_t>(std::numeric_limits<int>::max()))
    return makeError(path, "larger than protobuf's 2 GiB limit");
  return parseTensorProto((*buffer)->getBuffer(), path);
}

} // namespace mlir::qnt
