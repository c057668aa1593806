//===- OnnxLoader.cpp - Parse and shape-infer ONNX protobufs ----*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// Built with -fexceptions: libonnx reports shape-inference failures by
// throwing, and an exception escaping into code built without exceptions
// would terminate the process. Nothing here includes LLVM or MLIR headers.
//
//===----------------------------------------------------------------------===//

#include "OnnxLoader.h"

#include "onnx/defs/schema.h"
#include "onnx/defs/shape_inference.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mlir::qnt::onnx_loader {

std::string parseModel(const std::string &bytes, onnx::ModelProto &model) {
  if (bytes.empty())
    return "the file is empty";
  if (static_cast<long long>(bytes.size()) > kMaxModelBytes)
    return "the file is larger than protobuf's 2 GiB limit";
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(bytes.data()),
      static_cast<int>(bytes.size()));
  stream.SetTotalBytesLimit(static_cast<int>(kMaxModelBytes));
  // Deeply nested garbage must not exhaust the stack.
  stream.SetRecursionLimit(64);
  try {
    if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
      return "not a valid ONNX protobuf (ModelProto)";
  } catch (const std::exception &e) {
    return std::string("not a valid ONNX protobuf: ") + e.what();
  }
  if (!model.has_graph())
    return "the model has no graph";
  return {};
}

//===----------------------------------------------------------------------===//
// com.microsoft schemas
//===----------------------------------------------------------------------===//
//
// ONNX Runtime's quantization tools write a few ops of its own domain,
// com.microsoft (its contrib ops). libonnx knows none of them, so their
// types and shapes are registered here, as ONNX Runtime registers them, for
// shape inference to run through them. Only the ops quant converts.

using onnx::InferenceContext;
using onnx::OpSchema;

/// QLinearAdd / QLinearMul: C has A's type and the broadcast shape.
static void inferQLinearBinary(InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (onnx::hasInputShape(ctx, 0) && onnx::hasInputShape(ctx, 3))
    onnx::bidirectionalBroadcastShapeInference(onnx::getInputShape(ctx, 0),
                                               onnx::getInputShape(ctx, 3),
                                               *onnx::getOutputShape(ctx, 0));
}

static OpSchema qlinearBinarySchema(const char *name) {
  OpSchema schema;
  schema.SetName(name)
      .SetDomain("com.microsoft")
      .SinceVersion(1)
      .Input(0, "A", "", "T")
      .Input(1, "A_scale", "", "tensor(float)")
      .Input(2, "A_zero_point", "", "T", OpSchema::Optional)
      .Input(3, "B", "", "T")
      .Input(4, "B_scale", "", "tensor(float)")
      .Input(5, "B_zero_point", "", "T", OpSchema::Optional)
      .Input(6, "C_scale", "", "tensor(float)")
      .Input(7, "C_zero_point", "", "T", OpSchema::Optional)
      .Output(0, "C", "", "T")
      .TypeConstraint("T", {"tensor(uint8)", "tensor(int8)"}, "")
      .TypeAndShapeInferenceFunction(inferQLinearBinary);
  return schema;
}

/// QLinearGlobalAveragePool: Y is X's type, [N, C, 1...] (or, with
/// channels_last, [N, 1..., C]).
static void inferQLinearGlobalAveragePool(InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!onnx::hasInputShape(ctx, 0))
    return;
  const onnx::TensorShapeProto &in = onnx::getInputShape(ctx, 0);
  if (in.dim_size() < 3)
    return;
  bool channelsLast = onnx::getAttribute(ctx, "channels_last", 0) != 0;
  onnx::TensorShapeProto *out = onnx::getOutputShape(ctx, 0);
  int channel = channelsLast ? in.dim_size() - 1 : 1;
  for (int d = 0; d < in.dim_size(); ++d) {
    if (d == 0 || d == channel)
      *out->add_dim() = in.dim(d);
    else
      out->add_dim()->set_dim_value(1);
  }
}

/// MatMulNBits: Y is float, A's shape with its last dim N.
static void inferMatMulNBits(InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!onnx::hasInputShape(ctx, 0))
    return;
  const onnx::TensorShapeProto &in = onnx::getInputShape(ctx, 0);
  if (in.dim_size() < 1)
    return;
  int64_t n = onnx::getAttribute(ctx, "N", 0);
  if (n <= 0)
    return; // The converter reports the bad N at the node.
  onnx::TensorShapeProto *out = onnx::getOutputShape(ctx, 0);
  for (int d = 0; d + 1 < in.dim_size(); ++d)
    *out->add_dim() = in.dim(d);
  out->add_dim()->set_dim_value(n);
}

static void registerContribSchemas() {
  static const bool registered = [] {
    auto &ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance();
    if (!ranges.Map().count("com.microsoft"))
      ranges.AddDomainToVersion("com.microsoft", 1, 1);
    OpSchema add = qlinearBinarySchema("QLinearAdd");
    onnx::OpSchemaRegistry::OpSchemaRegisterOnce registerAdd(add);
    OpSchema mul = qlinearBinarySchema("QLinearMul");
    onnx::OpSchemaRegistry::OpSchemaRegisterOnce registerMul(mul);
    OpSchema pool;
    pool.SetName("QLinearGlobalAveragePool")
        .SetDomain("com.microsoft")
        .SinceVersion(1)
        .Attr("channels_last", "", onnx::AttributeProto::INT,
              static_cast<int64_t>(0))
        .Input(0, "X", "", "T")
        .Input(1, "x_scale", "", "tensor(float)")
        .Input(2, "x_zero_point", "", "T")
        .Input(3, "y_scale", "", "tensor(float)")
        .Input(4, "y_zero_point", "", "T")
        .Output(0, "Y", "", "T")
        .TypeConstraint("T", {"tensor(uint8)", "tensor(int8)"}, "")
        .TypeAndShapeInferenceFunction(inferQLinearGlobalAveragePool);
    onnx::OpSchemaRegistry::OpSchemaRegisterOnce registerPool(pool);
    OpSchema nbits;
    nbits.SetName("MatMulNBits")
        .SetDomain("com.microsoft")
        .SinceVersion(1)
        .Attr("K", "", onnx::AttributeProto::INT)
        .Attr("N", "", onnx::AttributeProto::INT)
        .Attr("bits", "", onnx::AttributeProto::INT, static_cast<int64_t>(4))
        .Attr("block_size", "", onnx::AttributeProto::INT)
        .Attr("accuracy_level", "", onnx::AttributeProto::INT,
              static_cast<int64_t>(0))
        .Input(0, "A", "", "T1")
        .Input(1, "B", "", "T2")
        .Input(2, "scales", "", "T1")
        .Input(3, "zero_points", "", "T3", OpSchema::Optional)
        .Input(4, "g_idx", "", "T4", OpSchema::Optional)
        .Input(5, "bias", "", "T1", OpSchema::Optional)
        .Output(0, "Y", "", "T1")
        .TypeConstraint("T1", {"tensor(float)", "tensor(float16)"}, "")
        .TypeConstraint("T2", {"tensor(uint8)", "tensor(int32)"}, "")
        .TypeConstraint("T3",
                        {"tensor(uint8)", "tensor(int32)", "tensor(float16)",
                         "tensor(float)"},
                        "")
        .TypeConstraint("T4", {"tensor(int32)"}, "")
        .TypeAndShapeInferenceFunction(inferMatMulNBits);
    onnx::OpSchemaRegistry::OpSchemaRegisterOnce registerNBits(nbits);
    return true;
  }();
  (void)registered;
}

/// Verifies the nodes of `graph` and, recursively, of its subgraphs.
static std::string
verifyGraph(const onnx::GraphProto &graph,
            const std::unordered_map<std::string, int> &opsets, int depth) {
  if (depth > 8)
    return "subgraphs are nested more than 8 deep";
  const auto *registry = onnx::OpSchemaRegistry::Instance();
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(i)
                           : node.name();
    std::string where = "node '" + name + "' (" + node.op_type() + "): ";
    std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    auto it = opsets.find(domain);
    if (it == opsets.end())
      return where + "its domain is not imported by the model";
    const onnx::OpSchema *schema =
        registry->GetSchema(node.op_type(), it->second, domain);
    if (!schema)
      return where + "no such op in opset " + std::to_string(it->second);
    try {
      schema->Verify(node);
    } catch (const std::exception &e) {
      std::string message = e.what();
      // Drop libonnx's multi-line context: one line per error.
      return where + message.substr(0, message.find('\n'));
    }
    for (const auto &attr : node.attribute()) {
      if (attr.has_g()) {
        std::string error = verifyGraph(attr.g(), opsets, depth + 1);
        if (!error.empty())
          return error;
      }
    }
  }
  return {};
}

std::string verifyNodes(const onnx::ModelProto &model) {
  registerContribSchemas();
  std::unordered_map<std::string, int> opsets;
  for (const auto &opset : model.opset_import())
    opsets[opset.domain() == "ai.onnx" ? "" : opset.domain()] =
        static_cast<int>(opset.version());
  return verifyGraph(model.graph(), opsets, 0);
}

/// Runs shape inference in this process; returns "" or the error.
static std::string inferShapesInProcess(onnx::ModelProto &model) {
  registerContribSchemas();
  // check_type: catch type errors early; error_mode 1: stop at the first
  // node whose shape cannot be inferred; data propagation: evaluate
  // Shape/Gather/Concat/... chains so Reshape targets become static.
  onnx::ShapeInferenceOptions options(/*check_type_val=*/true,
                                      /*strict_mode_val=*/1,
                                      /*data_prop_val=*/true);
  try {
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    std::string message = e.what();
    return "ONNX shape inference failed: " +
           message.substr(0, message.find('\n'));
  }
  return {};
}

static bool writeAll(int fd, const std::string &data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string inferShapes(onnx::ModelProto &model) {
  // libonnx's shape-inference functions trust their input (a ConvTranspose
  // weight of the wrong rank dereferences null), so they run in a child
  // process: a crash or hang there becomes an error here. The child sends
  // back the inferred model; by now it holds no large weights.
  constexpr int kTimeoutMs = 60000;
  int fds[2];
  if (::pipe(fds) != 0)
    return inferShapesInProcess(model); // No sandbox available: run here.
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return inferShapesInProcess(model);
  }
  if (pid == 0) {
    ::close(fds[0]);
    // Die quietly: the parent reports the signal (LLVM's handlers, inherited
    // from the parent, would print a stack dump).
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
      ::signal(sig, SIG_DFL);
    std::string error = inferShapesInProcess(model);
    std::string reply =
        error.empty() ? "O" + model.SerializeAsString() : "E" + error;
    _exit(writeAll(fds[1], reply) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string reply;
  char buffer[1 << 16];
  bool timedOut = false;
  for (;;) {
    pollfd pfd{fds[0], POLLIN, 0};
    int ready = ::poll(&pfd, 1, kTimeoutMs);
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready == 0) {
      timedOut = true;
      ::kill(pid, SIGKILL);
      break;
    }
    ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    reply.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timedOut)
    return "ONNX shape inference did not finish in 60 s; the model is "
           "malformed";
  if (WIFSIGNALED(status))
    return "ONNX shape inference crashed (signal " +
           std::to_string(WTERMSIG(status)) +
           ") on this model; a node's inputs do not fit its op";
  if (reply.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "ONNX shape inference failed without a message";
  if (reply[0] == 'E')
    return reply.substr(1);
  onnx::ModelProto inferred;
  if (!inferred.ParseFromArray(reply.data() + 1,
                               static_cast<int>(reply.size() - 1)))
    return "ONNX shape inference returned an unreadable model";
  model = std::move(inferred);
  return {};
}

} // namespace mlir::qnt::onnx_loader
