//===- OnnxImporter.cpp - ONNX model to qnt IR ------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// The model-level half of the importer: reading and checking the file, input
// shapes, shape inference, tensors (inline and external), and the function
// that the op converters (OnnxOps*.cpp, picked by OnnxOpRegistry) fill in.
//
// Every size is checked before memory is allocated for it: tensor dims must
// be non-negative with a product that fits int64, and a tensor must hold as
// many bytes as its dims say before a buffer of that size is made.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"
#include "OnnxLoader.h"
#include "OnnxOpRegistry.h"
#include "OnnxOpsCommon.h"

#include "quant/Dialect/Qnt/IR/QntConstants.h"
#include "quant/Dialect/Qnt/IR/QntShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <functional>
#include <queue>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::detail;

//===----------------------------------------------------------------------===//
// ConstTensor
//===----------------------------------------------------------------------===//

int64_t ConstTensor::numElements() const {
  return static_cast<int64_t>(isFloat() ? floats.size() : ints.size());
}

double ConstTensor::getDouble(size_t i) const {
  return isFloat() ? static_cast<double>(floats[i])
                   : static_cast<double>(ints[i]);
}

int64_t ConstTensor::getInt(size_t i) const {
  return isFloat() ? toInt64(floats[i]) : ints[i];
}

//===----------------------------------------------------------------------===//
// Input shapes
//===----------------------------------------------------------------------===//

bool mlir::qnt::parseInputShape(StringRef spec, InputShape &shape,
                                std::string &error) {
  auto [name, dims] = spec.rsplit('=');
  if (name.empty() || dims.empty() || name == spec) {
    error = "expected NAME=D0xD1x..., got '" + spec.str() + "'";
    return false;
  }
  shape.name = name.str();
  shape.dims.clear();
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t d = 0;
    if (part.getAsInteger(10, d) || d <= 0) {
      error = "dim '" + part.str() + "' of '" + spec.str() +
              "' is not a positive integer";
      return false;
    }
    shape.dims.push_back(d);
  }
  if (!numElements(shape.dims)) {
    error = "the dims of '" + spec.str() + "' overflow int64";
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Importer: model
//===----------------------------------------------------------------------===//

Importer::Importer(MLIRContext *context, StringRef path,
                   const OnnxImportOptions &options)
    : context(context), path(path.str()), options(options), builder(context),
      fileLoc(FileLineColLoc::get(context, path, 0, 0)) {}

InFlightDiagnostic Importer::modelError() { return emitError(fileLoc); }

std::string Importer::nodeName(const onnx::NodeProto &node) const {
  if (!node.name().empty())
    return node.name();
  auto it = nodeIndex.find(&node);
  if (it == nodeIndex.end())
    return node.op_type() + "_in_subgraph"; // An unnamed If-branch node.
  return node.op_type() + "_" + std::to_string(it->second);
}

InFlightDiagnostic Importer::nodeError(const onnx::NodeProto &node) {
  return emitError(fileLoc)
         << "node '" << nodeName(node) << "' (" << node.op_type() << "): ";
}

InFlightDiagnostic Importer::notSupported(const onnx::NodeProto &node) {
  return nodeError(node) << "not supported: ";
}

Location Importer::getLoc(const onnx::NodeProto &node) {
  return NameLoc::get(StringAttr::get(context, nodeName(node)));
}

LogicalResult Importer::loadModel(std::optional<StringRef> given) {
  std::string bytes;
  if (given) {
    bytes = given->str();
  } else {
    uint64_t size = 0;
    if (std::error_code ec = llvm::sys::fs::file_size(path, size))
      return modelError() << "cannot read the model: " << ec.message();
    if (size > static_cast<uint64_t>(onnx_loader::kMaxModelBytes))
      return modelError() << "the model is " << size
                          << " bytes, over protobuf's 2 GiB limit";
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      return modelError() << "cannot read the model: "
                          << buffer.getError().message();
    bytes.assign((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  }
  std::string error = onnx_loader::parseModel(bytes, model);
  if (!error.empty())
    return modelError() << error;

  bool found = false;
  for (const auto &opset : model.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") {
      opsetVersion = opset.version();
      found = true;
    } else {
      domainOpsets[opset.domain()] = opset.version();
    }
  }
  if (!found)
    return modelError() << "the model imports no default ONNX opset";
  if (opsetVersion < kMinOpset || opsetVersion > kMaxOpset)
    return modelError() << "not supported: opset " << opsetVersion
                        << " (quant imports opsets " << kMinOpset << " to "
                        << kMaxOpset << ")";
  reindexNodes();
  return success();
}

void Importer::reindexNodes() {
  nodeIndex.clear();
  for (auto [i, node] : llvm::enumerate(model.graph().node()))
    nodeIndex[&node] = static_cast<int>(i);
}

/// Data types the importer turns into tensors.
static bool isSupportedDataType(int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return true;
  default:
    return false;
  }
}

static std::string dataTypeName(int32_t dtype) {
  if (onnx::TensorProto::DataType_IsValid(dtype))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dtype));
  return "data type " + std::to_string(dtype);
}

/// The diagnostic tail for a value that does not fit kMaxTensorBytes.
static std::string tooLarge(ArrayRef<int64_t> shape, int32_t dtype) {
  return formatShape(shape) + " " + dataTypeName(dtype) +
         " holds more than 2^63 - 1 bytes";
}

LogicalResult Importer::checkSupported() {
  // Every unsupported op type with its count and first node, in one error.
  struct Seen {
    int count = 0;
    std::string first;
  };
  /// Keys in first-seen order.
  struct Tally {
    std::vector<std::pair<std::string, Seen>> entries;
    llvm::StringMap<size_t> index;
    Seen &operator[](StringRef key) {
      auto [it, inserted] = index.try_emplace(key, entries.size());
      if (inserted)
        entries.push_back({key.str(), Seen()});
      return entries[it->second].second;
    }
    bool empty() const { return entries.empty(); }
  };
  Tally ops, dtypes;
  // Subgraphs (If/Loop bodies) count too, so the list is complete.
  std::function<void(const onnx::GraphProto &)> walk =
      [&](const onnx::GraphProto &graph) {
        for (const auto &node : graph.node()) {
          for (const auto &attr : node.attribute()) {
            if (attr.has_g())
              walk(attr.g());
            for (const auto &g : attr.graphs())
              walk(g);
          }
          std::string key = OnnxOpRegistry::keyOf(node);
          if (getOnnxOpRegistry().knowsOp(key))
            continue;
          Seen &seen = ops[key];
          if (seen.count++ == 0)
            seen.first = nodeName(node);
        }
      };
  walk(model.graph());
  auto noteType = [&](const onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type()) {
      Seen &seen = dtypes["non-tensor type"];
      if (seen.count++ == 0)
        seen.first = info.name();
      return;
    }
    int32_t dtype = info.type().tensor_type().elem_type();
    if (isSupportedDataType(dtype))
      return;
    Seen &seen = dtypes[dataTypeName(dtype)];
    if (seen.count++ == 0)
      seen.first = info.name();
  };
  for (const auto &info : model.graph().input())
    noteType(info);
  for (const auto &info : model.graph().output())
    noteType(info);
  for (const auto &tensor : model.graph().initializer()) {
    if (isSupportedDataType(tensor.data_type()))
      continue;
    Seen &seen = dtypes[dataTypeName(tensor.data_type())];
    if (seen.count++ == 0)
      seen.first = tensor.name();
  }
  auto list = [](const Tally &seen) {
    std::string s;
    for (auto [i, entry] : llvm::enumerate(seen.entries)) {
      if (i)
        s += ", ";
      s += entry.first + " (" + std::to_string(entry.second.count) +
           ", first '" + entry.second.first + "')";
    }
    return s;
  };
  if (!ops.empty())
    modelError() << "unsupported ONNX ops: " << list(ops);
  if (!ops.empty() || !dtypes.empty()) {
    if (!dtypes.empty())
      modelError() << "unsupported data types: " << list(dtypes);
    return failure();
  }

  // After sortNodes every input is a graph input, an initializer or an
  // earlier node's output; anything else is a cycle or a dangling name: say
  // which before shape inference trips over it.
  llvm::StringSet<> defined, produced;
  for (const auto &node : model.graph().node())
    produced.insert(node.output().begin(), node.output().end());
  auto producedLater = [&](StringRef name) { return produced.contains(name); };
  for (const auto &input : model.graph().input())
    defined.insert(input.name());
  for (const auto &tensor : model.graph().initializer())
    defined.insert(tensor.name());
  for (const auto &node : model.graph().node()) {
    for (const std::string &input : node.input())
      if (!input.empty() && !defined.contains(input))
        return nodeError(node)
               << "input '" << input << "' is not produced by any earlier node"
               << (producedLater(input) ? " (the graph is cyclic)" : "");
    for (const std::string &output : node.output())
      defined.insert(output);
    consumed.insert(node.input().begin(), node.input().end());
  }
  for (const auto &output : model.graph().output())
    consumed.insert(output.name());
  // A range quant marks as not converted (Upsample from its deprecation)
  // is said with quant's reason before ONNX's schema check; an op newer
  // than the opset is left to that check ("no such op in opset N").
  if (failed(checkOpsets(model.graph(), /*beforeFirstEntry=*/false)))
    return failure();
  std::string error = onnx_loader::verifyNodes(model);
  if (!error.empty())
    return modelError() << error;
  return checkOpsets(model.graph(), /*beforeFirstEntry=*/true);
}

LogicalResult Importer::checkOpsets(const onnx::GraphProto &graph,
                                    bool beforeFirstEntry) {
  const OnnxOpRegistry &registry = getOnnxOpRegistry();
  for (const auto &node : graph.node()) {
    for (const auto &attr : node.attribute()) {
      if (attr.has_g() && failed(checkOpsets(attr.g(), beforeFirstEntry)))
        return failure();
      for (const auto &g : attr.graphs())
        if (failed(checkOpsets(g, beforeFirstEntry)))
          return failure();
    }
    std::string key = OnnxOpRegistry::keyOf(node);
    int64_t version = opsetOf(node);
    if (registry.lookup(key, version) ||
        (!beforeFirstEntry && !registry.find(key, version)))
      continue;
    InFlightDiagnostic diag = notSupported(node);
    diag << key << " in opset " << version << "; quant converts it in opsets "
         << formatOpsetRanges(registry.ranges(key, /*merged=*/true));
    const OnnxOpEntry *entry = registry.find(key, version);
    if (entry && !entry->notSupportedWhy.empty())
      diag << " (" << entry->notSupportedWhy << ")";
    return failure();
  }
  return success();
}

LogicalResult Importer::applyInputShapes() {
  onnx::GraphProto *graph = model.mutable_graph();
  llvm::StringSet<> initializers;
  for (const auto &tensor : graph->initializer())
    initializers.insert(tensor.name());
  llvm::StringSet<> inputNames;
  for (const auto &input : graph->input())
    if (!initializers.contains(input.name()))
      inputNames.insert(input.name());
  for (const InputShape &shape : options.inputShapes)
    if (!inputNames.contains(shape.name)) {
      std::string names;
      for (const auto &input : graph->input())
        if (!initializers.contains(input.name()))
          names += (names.empty() ? "" : ", ") + input.name();
      return modelError() << "--input-shape names '" << shape.name
                          << "', which is not a model input (inputs: " << names
                          << ")";
    }

  for (onnx::ValueInfoProto &input : *graph->mutable_input()) {
    if (initializers.contains(input.name()))
      continue;
    const InputShape *given = nullptr;
    for (const InputShape &shape : options.inputShapes)
      if (shape.name == input.name())
        given = &shape;
    // No shape at all is an unknown rank (not a scalar, which has an empty
    // shape): only --input-shape can say what it is.
    if (!given && !input.type().tensor_type().has_shape())
      return modelError() << "input '" << input.name()
                          << "' has no shape (unknown rank); give it with "
                             "--input-shape "
                          << input.name() << "=D0xD1x...";
    onnx::TensorShapeProto *dims =
        input.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (given) {
      if (dims->dim_size() != 0 &&
          dims->dim_size() != static_cast<int>(given->dims.size()))
        return modelError()
               << "input '" << input.name() << "' has rank " << dims->dim_size()
               << " but --input-shape gives " << given->dims.size() << " dims";
      for (auto [i, d] : llvm::enumerate(given->dims)) {
        if (static_cast<int>(i) < dims->dim_size() &&
            dims->dim(i).has_dim_value() && dims->dim(i).dim_value() != d)
          return modelError() << "input '" << input.name() << "' dim " << i
                              << " is " << dims->dim(i).dim_value()
                              << " in the model but --input-shape gives " << d;
      }
      dims->clear_dim();
      for (int64_t d : given->dims)
        dims->add_dim()->set_dim_value(d);
      continue;
    }
    for (int i = 0; i < dims->dim_size(); ++i) {
      const auto &dim = dims->dim(i);
      if (!dim.has_dim_value() || dim.dim_value() <= 0)
        return modelError()
               << "input '" << input.name() << "' dim " << i << " ("
               << (dim.has_dim_param() ? "'" + dim.dim_param() + "'"
                                       : std::string("unknown"))
               << ") is dynamic; fix it with --input-shape " << input.name()
               << "="
               << "D0xD1x...";
    }
  }

  // Element and byte counts are formed from these shapes everywhere below
  // (shape inference, the verifiers, the C ABI's sizes): none may wrap.
  for (const onnx::ValueInfoProto &input : graph->input()) {
    if (initializers.contains(input.name()))
      continue;
    const auto &tensorType = input.type().tensor_type();
    SmallVector<int64_t> shape;
    for (const auto &dim : tensorType.shape().dim())
      shape.push_back(dim.dim_value());
    if (!fitsTensorBytes(shape, tensorType.elem_type()))
      return modelError() << "input '" << input.name()
                          << "': " << tooLarge(shape, tensorType.elem_type());
  }
  return success();
}

LogicalResult Importer::runShapeInference() {
  onnx::GraphProto *graph = model.mutable_graph();
  // Stale intermediate types (from an exporter with dynamic shapes) would
  // conflict with what the fixed input shapes imply; infer them afresh.
  graph->clear_value_info();
  types.clear();
  std::string error = onnx_loader::inferShapes(model);
  if (!error.empty())
    return modelError() << error;
  // Inference hands back a new model: refresh what points into it.
  graph = model.mutable_graph();
  reindexNodes();
  // Subgraphs (If branches) carry the types of their own values.
  std::function<void(const onnx::GraphProto &)> collect =
      [&](const onnx::GraphProto &g) {
        for (const auto &info : g.input())
          types[info.name()] = &info.type();
        for (const auto &info : g.value_info())
          types[info.name()] = &info.type();
        for (const auto &info : g.output())
          types[info.name()] = &info.type();
        for (const auto &node : g.node())
          for (const auto &attr : node.attribute())
            if (attr.has_g())
              collect(attr.g());
      };
  collect(*graph);
  return success();
}

std::optional<SmallVector<int64_t>>
Importer::getStaticShape(StringRef name) const {
  if (Value value = values.lookup(name))
    return SmallVector<int64_t>(cast<ShapedType>(value.getType()).getShape());
  const onnx::TypeProto *type = types.lookup(name);
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return std::nullopt;
  SmallVector<int64_t> shape;
  for (const auto &dim : type->tensor_type().shape().dim()) {
    if (!dim.has_dim_value() || dim.dim_value() < 0)
      return std::nullopt;
    shape.push_back(dim.dim_value());
  }
  return shape;
}

bool Importer::isFoldableInput(const onnx::NodeProto &node, int i) const {
  if (!hasInput(node, i))
    return true;
  const ConstTensor *c = getConst(node, i);
  return c && c->numElements() <= kMaxFoldElements;
}

/// An initializer holding `value`, for ONNX shape inference to read.
static void writeTensor(const ConstTensor &value, StringRef name,
                        onnx::TensorProto &tensor) {
  tensor.set_name(name.str());
  tensor.set_data_type(value.dtype);
  for (int64_t d : value.shape)
    tensor.add_dims(d);
  if (value.dtype == onnx::TensorProto::FLOAT16)
    for (float f : value.floats)
      tensor.add_int32_data(halfBits(f));
  else if (value.isFloat())
    for (float f : value.floats)
      tensor.add_float_data(f);
  else if (value.dtype == onnx::TensorProto::INT64)
    for (int64_t v : value.ints)
      tensor.add_int64_data(v);
  else
    for (int64_t v : value.ints)
      tensor.add_int32_data(static_cast<int32_t>(v));
}

FailureOr<bool> Importer::foldKnownNodes() {
  onnx::GraphProto *graph = model.mutable_graph();
  llvm::SmallDenseSet<int> folded;
  for (auto [i, node] : llvm::enumerate(graph->node())) {
    const OnnxOpEntry *entry =
        getOnnxOpRegistry().lookup(OnnxOpRegistry::keyOf(node), opsetOf(node));
    if (!entry || entry->eval == ImportTimeEval::Never)
      continue;
    bool known = true;
    for (int k = 0; k < node.input_size(); ++k)
      if (!isFoldableInput(node, k) &&
          !(entry->eval == ImportTimeEval::WhenInputShapeKnown && k == 0 &&
            getStaticShape(node.input(0))))
        known = false;
    if (!known)
      continue;
    if (failed(convertNode(node)))
      return failure();
    folded.insert(i);
  }
  if (folded.empty())
    return false;
  // Rebuild the node list without the folded nodes; their outputs become
  // initializers.
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (auto [i, node] : llvm::enumerate(*graph->mutable_node())) {
    if (!folded.contains(i)) {
      *kept.Add() = std::move(node);
      continue;
    }
    for (const std::string &output : node.output())
      if (!output.empty() && constants.count(output))
        writeTensor(*constants[output], output, *graph->add_initializer());
  }
  graph->mutable_node()->Swap(&kept);
  reindexNodes();
  return true;
}

LogicalResult Importer::foldShapeComputations() {
  // Each round evaluates every node whose inputs are known (Shape needs only
  // a static input shape), replaces it by initializers, turns each If whose
  // condition that made known into its taken branch, and re-runs shape
  // inference, which may make more Shape nodes foldable. When a round
  // changes nothing, the Ifs left have run-time conditions: their branches'
  // nodes move into the graph (flattenIfs), which can make more folds. Real
  // models need two to a dozen rounds.
  constexpr int kMaxRounds = 64;
  for (int round = 0; round < kMaxRounds; ++round) {
    FailureOr<bool> folded = foldKnownNodes();
    if (failed(folded))
      return failure();
    FailureOr<bool> inlined = flattenIfs(/*runtimeConditions=*/false);
    if (failed(inlined))
      return failure();
    if (!*folded && !*inlined) {
      FailureOr<bool> hoisted = flattenIfs(/*runtimeConditions=*/true);
      if (failed(hoisted))
        return failure();
      if (!*hoisted)
        return success();
    }
    if (failed(runShapeInference()))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Importer: tensors
//===----------------------------------------------------------------------===//

LogicalResult Importer::readExternalData(const onnx::TensorProto &tensor,
                                         StringRef what, std::string &bytes) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      int64_t v = 0;
      if (StringRef(entry.value()).getAsInteger(10, v) || v < 0)
        return modelError()
               << what << ": external data " << entry.key() << " '"
               << entry.value() << "' is not a non-negative integer";
      (entry.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty())
    return modelError() << what << ": external data has no location";
  // The file must stay inside the model's folder: no absolute paths, no
  // '..', and no symlink that resolves outside it.
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         ".."))
    return modelError() << what << ": external data location '" << location
                        << "' leaves the model's folder";
  SmallString<256> modelDir(path);
  llvm::sys::path::remove_filename(modelDir);
  if (modelDir.empty())
    modelDir = ".";
  SmallString<256> dataPath(modelDir);
  llvm::sys::path::append(dataPath, location);
  SmallString<256> realDir, realData;
  if (llvm::sys::fs::real_path(modelDir, realDir) ||
      llvm::sys::fs::real_path(dataPath, realData))
    return modelError() << what << ": cannot open external data file '"
                        << location << "'";
  if (!StringRef(realData).starts_with((realDir + "/").str()))
    return modelError() << what << ": external data location '" << location
                        << "' resolves outside the model's folder";
  uint64_t fileSize = 0;
  if (llvm::sys::fs::file_size(realData, fileSize))
    return modelError() << what << ": cannot read external data file '"
                        << location << "'";
  if (static_cast<uint64_t>(offset) > fileSize)
    return modelError() << what << ": external data offset " << offset
                        << " is past the end of '" << location << "' ("
                        << fileSize << " bytes)";
  if (length < 0)
    length = static_cast<int64_t>(fileSize) - offset;
  if (static_cast<uint64_t>(offset) + static_cast<uint64_t>(length) > fileSize)
    return modelError() << what << ": external data [" << offset << ", "
                        << offset + length << ") is past the end of '"
                        << location << "' (" << fileSize << " bytes)";
  auto buffer = llvm::MemoryBuffer::getFileSlice(realData, length, offset);
  if (!buffer)
    return modelError() << what << ": cannot read external data file '"
                        << location << "': " << buffer.getError().message();
  bytes.assign((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  return success();
}

FailureOr<ConstTensor> Importer::readTensor(const onnx::TensorProto &tensor,
                                            StringRef what) {
  ConstTensor result;
  result.dtype = tensor.data_type();
  for (int64_t d : tensor.dims()) {
    if (d < 0)
      return modelError() << what << " has a negative dim " << d;
    result.shape.push_back(d);
  }
  std::optional<int64_t> count = numElements(result.shape);
  if (!count)
    return modelError() << what << " has dims whose product overflows int64";
  size_t n = static_cast<size_t>(*count);

  std::string external;
  const std::string *raw = nullptr;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    if (failed(readExternalData(tensor, what, external)))
      return failure();
    raw = &external;
  } else if (tensor.has_raw_data()) {
    raw = &tensor.raw_data();
  }

  // Each element type is read from raw little-endian bytes or from its
  // typed repeated field; either way the count is checked against the dims
  // before anything of that size is allocated.
  auto decode = [&](auto sample, auto &out, const auto &repeated,
                    StringRef unit) -> LogicalResult {
    using Stored = decltype(sample);
    uint64_t available = raw ? raw->size() / sizeof(Stored) : repeated.size();
    if ((raw && raw->size() % sizeof(Stored)) || available != n)
      return modelError() << what << " declares " << n << " elements ("
                          << formatShape(result.shape) << ") but holds "
                          << (raw ? raw->size() : available) << " "
                          << (raw ? "bytes" : unit);
    out.resize(n);
    if (raw) {
      for (size_t i = 0; i < n; ++i) {
        Stored v;
        std::memcpy(&v, raw->data() + i * sizeof(Stored), sizeof(Stored));
        out[i] = v;
      }
    } else {
      std::copy(repeated.begin(), repeated.end(), out.begin());
    }
    return success();
  };
  LogicalResult decoded = failure();
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    decoded = decode(float(), result.floats, tensor.float_data(), "floats");
    break;
  case onnx::TensorProto::INT64:
    decoded = decode(int64_t(), result.ints, tensor.int64_data(), "int64s");
    break;
  case onnx::TensorProto::INT32:
    decoded = decode(int32_t(), result.ints, tensor.int32_data(), "int32s");
    break;
  case onnx::TensorProto::INT8:
    decoded = decode(int8_t(), result.ints, tensor.int32_data(), "int32s");
    break;
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    decoded = decode(uint8_t(), result.ints, tensor.int32_data(), "int32s");
    break;
  case onnx::TensorProto::FLOAT16: {
    // float16 is computed in float32 (docs/QdqImport.md, "float16
    // models"): each value widens exactly.
    std::vector<int64_t> bits;
    decoded = decode(uint16_t(), bits, tensor.int32_data(), "int32s");
    for (int64_t b : bits)
      result.floats.push_back(halfToFloat(static_cast<uint16_t>(b)));
    break;
  }
  default:
    return modelError() << what << " has unsupported data type "
                        << dataTypeName(tensor.data_type());
  }
  if (failed(decoded))
    return failure();
  return result;
}

LogicalResult Importer::readInitializer(onnx::TensorProto &tensor) {
  FailureOr<ConstTensor> value =
      readTensor(tensor, "initializer '" + tensor.name() + "'");
  if (failed(value))
    return failure();
  // Shape inference reads small initializers (Reshape's shape, Resize's
  // scales) but never weights: drop the protobuf's copy of those, so each
  // weight is held once.
  if (value->numElements() > kMaxFoldElements) {
    tensor.clear_raw_data();
    tensor.clear_float_data();
    tensor.clear_int64_data();
    tensor.clear_int32_data();
    tensor.set_data_location(onnx::TensorProto::DEFAULT);
    tensor.clear_external_data();
  }
  constants[tensor.name()] = std::make_shared<ConstTensor>(std::move(*value));
  return success();
}

LogicalResult Importer::readInitializers() {
  for (onnx::TensorProto &tensor :
       *model.mutable_graph()->mutable_initializer())
    if (failed(readInitializer(tensor)))
      return failure();
  return success();
}

Type Importer::getElementType(int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::FLOAT16: // computed in float32
    return builder.getF32Type();
  case onnx::TensorProto::INT64:
    return builder.getI64Type();
  case onnx::TensorProto::INT32:
    return builder.getI32Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return builder.getI8Type();
  case onnx::TensorProto::BOOL:
    return builder.getI1Type();
  default:
    return {};
  }
}

bool Importer::fitsTensorBytes(ArrayRef<int64_t> shape, int32_t dtype) {
  Type type = getElementType(dtype);
  return !type || numBytes(shape, type.getIntOrFloatBitWidth()).has_value();
}

Value Importer::materialize(const ConstTensor &value, Location loc,
                            StringRef nameHint) {
  auto type = RankedTensorType::get(value.shape, getElementType(value.dtype));
  ElementsAttr attr;
  if (value.isFloat()) {
    attr = makeF32Elements(type, value.floats, nameHint);
  } else {
    unsigned width = type.getElementTypeBitWidth();
    SmallVector<APInt> ints;
    ints.reserve(value.ints.size());
    for (int64_t v : value.ints)
      ints.push_back(APInt(width, static_cast<uint64_t>(v), /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    attr = DenseElementsAttr::get(type, ints);
  }
  return ConstantOp::create(builder, loc, attr);
}

//===----------------------------------------------------------------------===//
// Importer: values
//===----------------------------------------------------------------------===//

int64_t Importer::opsetOf(const onnx::NodeProto &node) const {
  if (node.domain().empty() || node.domain() == "ai.onnx")
    return opsetVersion;
  return domainOpsets.lookup(node.domain());
}

bool Importer::hasInput(const onnx::NodeProto &node, int i) const {
  return i < node.input_size() && !node.input(i).empty();
}

bool Importer::isUint8Input(const onnx::NodeProto &node, int i) const {
  if (!hasInput(node, i))
    return false;
  if (const ConstTensor *c = getConst(node, i))
    return c->dtype == onnx::TensorProto::UINT8;
  const onnx::TypeProto *type = types.lookup(node.input(i));
  return type && type->has_tensor_type() &&
         type->tensor_type().elem_type() == onnx::TensorProto::UINT8;
}

const ConstTensor *Importer::getConst(const onnx::NodeProto &node,
                                      int i) const {
  if (!hasInput(node, i))
    return nullptr;
  auto it = constants.find(node.input(i));
  return it == constants.end() ? nullptr : it->second.get();
}

FailureOr<Value> Importer::getValue(const onnx::NodeProto &node, int i) {
  if (!hasInput(node, i))
    return nodeError(node) << "input " << i << " is required";
  return getValueByName(node, node.input(i));
}

LogicalResult Importer::alias(const onnx::NodeProto &node, int i,
                              StringRef name) {
  if (Value value = values.lookup(name)) {
    values[node.output(i)] = value;
    return success();
  }
  auto it = constants.find(name);
  if (it == constants.end())
    return nodeError(node) << "'" << name << "' is not produced by the branch";
  constants[node.output(i)] = it->second;
  return success();
}

FailureOr<Value> Importer::getValueByName(const onnx::NodeProto &node,
                                          StringRef name) {
  if (Value value = values.lookup(name))
    return value;
  auto it = constants.find(name);
  if (it == constants.end())
    return nodeError(node) << "input '" << name
                           << "' is not produced by any earlier node (the "
                              "graph is cyclic or not topologically sorted)";
  Value value =
      materialize(*it->second, NameLoc::get(builder.getStringAttr(name)), name);
  values[name] = value;
  return value;
}

FailureOr<RankedTensorType> Importer::getResultType(const onnx::NodeProto &node,
                                                    int i) {
  if (i >= node.output_size() || node.output(i).empty())
    return nodeError(node) << "output " << i << " is missing";
  const std::string &name = node.output(i);
  const onnx::TypeProto *type = types.lookup(name);
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return nodeError(node) << "shape inference gave no shape for output '"
                           << name << "'";
  const auto &tensorType = type->tensor_type();
  Type elementType = getElementType(tensorType.elem_type());
  if (!elementType)
    return nodeError(node) << "output '" << name << "' has unsupported type "
                           << dataTypeName(tensorType.elem_type());
  SmallVector<int64_t> shape;
  for (auto [d, dim] : llvm::enumerate(tensorType.shape().dim())) {
    if (!dim.has_dim_value() || dim.dim_value() < 0)
      return nodeError(node) << "shape inference left dim " << d
                             << " of output '" << name << "' unknown";
    shape.push_back(dim.dim_value());
  }
  if (!fitsTensorBytes(shape, tensorType.elem_type()))
    return nodeError(node) << "output '" << name
                           << "': " << tooLarge(shape, tensorType.elem_type());
  return RankedTensorType::get(shape, elementType);
}

void Importer::setValue(const onnx::NodeProto &node, int i, Value value) {
  values[node.output(i)] = value;
}

void Importer::setConst(const onnx::NodeProto &node, int i, ConstTensor value) {
  constants[node.output(i)] = std::make_shared<ConstTensor>(std::move(value));
}

//===----------------------------------------------------------------------===//
// Importer: the function
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::buildFunction() {
  const onnx::GraphProto &graph = model.graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const auto &input : graph.input()) {
    if (constants.count(input.name()))
      continue; // An initializer listed as an input (IR version < 4).
    const auto &tensorType = input.type().tensor_type();
    SmallVector<int64_t> shape;
    for (const auto &dim : tensorType.shape().dim())
      shape.push_back(dim.dim_value());
    argTypes.push_back(
        RankedTensorType::get(shape, getElementType(tensorType.elem_type())));
    args.push_back(&input);
  }
  SmallVector<Type> resultTypes;
  for (const auto &output : graph.output()) {
    const onnx::TypeProto *type = types.lookup(output.name());
    SmallVector<int64_t> shape;
    bool known = type && type->tensor_type().has_shape();
    if (known)
      for (const auto &dim : type->tensor_type().shape().dim()) {
        if (!dim.has_dim_value()) {
          known = false;
          break;
        }
        shape.push_back(dim.dim_value());
      }
    if (!known) {
      modelError() << "shape inference gave no static shape for graph output '"
                   << output.name() << "'";
      return nullptr;
    }
    if (!fitsTensorBytes(shape, type->tensor_type().elem_type())) {
      modelError() << "graph output '" << output.name()
                   << "': " << tooLarge(shape, type->tensor_type().elem_type());
      return nullptr;
    }
    resultTypes.push_back(RankedTensorType::get(
        shape, getElementType(type->tensor_type().elem_type())));
  }

  auto func =
      func::FuncOp::create(builder, fileLoc, options.functionName,
                           builder.getFunctionType(argTypes, resultTypes));
  Block *entry = func.addEntryBlock();
  for (auto [i, input] : llvm::enumerate(args)) {
    values[input->name()] = entry->getArgument(i);
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(input->name()));
    // qnt holds ONNX uint8 as i8 bits; the ABI says which are unsigned.
    if (input->type().tensor_type().elem_type() == onnx::TensorProto::UINT8)
      func.setArgAttr(i, kUint8AttrName, builder.getUnitAttr());
  }
  builder.setInsertionPointToStart(entry);

  for (const auto &node : graph.node())
    if (failed(convertNode(node)))
      return nullptr;

  SmallVector<Value> results;
  for (auto [i, output] : llvm::enumerate(graph.output())) {
    Value value = values.lookup(output.name());
    if (!value) {
      auto it = constants.find(output.name());
      if (it == constants.end()) {
        modelError() << "graph output '" << output.name()
                     << "' is not produced by any node";
        return nullptr;
      }
      value = materialize(*it->second, fileLoc, output.name());
    }
    // A quantized value (a QuantizeLinear output) leaves as its storage
    // integers, the type ONNX gives the output.
    auto shaped = cast<ShapedType>(value.getType());
    if (auto q = dyn_cast<quant::QuantizedType>(shaped.getElementType()))
      value = quant::StorageCastOp::create(
          builder, fileLoc, shaped.clone(q.getStorageType()), value);
    results.push_back(value);
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(output.name()));
    if (output.type().tensor_type().elem_type() == onnx::TensorProto::UINT8)
      func.setResultAttr(i, kUint8AttrName, builder.getUnitAttr());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  return module;
}

/// Every name `graph`'s nodes read, subgraphs included (a subgraph may read
/// any value of the enclosing graphs).
static void collectReads(const onnx::NodeProto &node,
                         llvm::SmallVectorImpl<StringRef> &names) {
  for (const std::string &input : node.input())
    if (!input.empty())
      names.push_back(input);
  for (const onnx::AttributeProto &attr : node.attribute()) {
    if (attr.has_g())
      for (const onnx::NodeProto &inner : attr.g().node())
        collectReads(inner, names);
    for (const onnx::GraphProto &g : attr.graphs())
      for (const onnx::NodeProto &inner : g.node())
        collectReads(inner, names);
  }
}

void Importer::sortNodes() {
  onnx::GraphProto *graph = model.mutable_graph();
  int n = graph->node_size();
  llvm::StringMap<int> producer;
  for (int i = 0; i < n; ++i)
    for (const std::string &output : graph->node(i).output())
      if (!output.empty())
        producer.try_emplace(output, i);
  // Kahn's algorithm, always taking the earliest ready node: a graph in
  // order comes out as it went in.
  std::vector<SmallVector<int>> readers(n);
  std::vector<int> waiting(n, 0);
  bool sorted = true;
  for (int i = 0; i < n; ++i) {
    SmallVector<StringRef> reads;
    collectReads(graph->node(i), reads);
    llvm::SmallDenseSet<int> deps;
    for (StringRef name : reads) {
      auto it = producer.find(name);
      if (it != producer.end() && it->second != i &&
          deps.insert(it->second).second) {
        readers[it->second].push_back(i);
        ++waiting[i];
        sorted &= it->second < i;
      }
    }
  }
  if (sorted)
    return;
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i)
    if (waiting[i] == 0)
      ready.push(i);
  std::vector<int> order;
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int r : readers[i])
      if (--waiting[r] == 0)
        ready.push(r);
  }
  if (static_cast<int>(order.size()) != n)
    return; // A cycle: checkSupported names the node that closes it.
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (int i : order)
    *nodes.Add() = graph->node(i);
  graph->mutable_node()->Swap(&nodes);
  reindexNodes();
}

OwningOpRef<ModuleOp> Importer::run(std::optional<StringRef> bytes) {
  if (failed(loadModel(bytes)))
    return nullptr;
  sortNodes();
  if (failed(checkSupported()) || failed(applyInputShapes()) ||
      failed(readInitializers()) || failed(runShapeInference()) ||
      failed(foldShapeComputations()))
    return nullptr;
  OwningOpRef<ModuleOp> module = buildFunction();
  if (module && !runTimeQuantized.empty())
    emitRemark(fileLoc) << runTimeQuantized.size()
                        << " node(s) quantize at run time (scales or zero "
                           "points that are not constants, or integer ops; "
                           "first "
                        << runTimeQuantized.front()
                        << "): they compute in float and integer loops, "
                           "not int8 kernels";
  return module;
}

void Importer::noteRunTimeQuantization(const onnx::NodeProto &node) {
  std::string name = nodeName(node);
  if (runTimeQuantizedSet.insert(name).second)
    runTimeQuantized.push_back("'" + name + "' (" + node.op_type() + ")");
}

OwningOpRef<ModuleOp>
mlir::qnt::importOnnxModel(MLIRContext *context, StringRef path,
                           const OnnxImportOptions &options) {
  context->loadDialect<QntDialect, func::FuncDialect, quant::QuantDialect>();
  Importer importer(context, path, options);
  return importer.run();
}

OwningOpRef<ModuleOp>
mlir::qnt::importOnnxModelFromBuffer(MLIRContext *context, StringRef bytes,
                                     StringRef path,
                                     const OnnxImportOptions &options) {
  context->loadDialect<QntDialect, func::FuncDialect, quant::QuantDialect>();
  Importer importer(context, path, options);
  return importer.run(bytes);
}
