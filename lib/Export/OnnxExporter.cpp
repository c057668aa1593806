//===- OnnxExporter.cpp - qnt IR to an ONNX model -------------------------===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//
//
// One pass over @main in program order. Every SSA value gets an ONNX tensor
// name; a value of quantized type names its storage tensor (int8 / int32)
// and, on first use by a float consumer, gets one DequantizeLinear whose
// output is what the consumers read. An op with a quantized result writes a
// float tensor that a QuantizeLinear with the result's scale and zero point
// turns into the storage tensor, which is ONNX's QDQ convention: ONNX
// Runtime fuses DequantizeLinear -> Conv -> QuantizeLinear into QLinearConv,
// drops the pairs around MaxPool / Reshape, and so on.
//
//===----------------------------------------------------------------------===//

#include "quant/Export/OnnxExporter.h"

#include "quant/Dialect/Qnt/IR/QntOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Endian.h"

#include "onnx/onnx_pb.h"

#include <type_traits>
#include <variant>

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// The ONNX element type of an MLIR element type (a quantized type's
/// storage type), or UNDEFINED.
int onnxElementType(Type type) {
  if (auto q = dyn_cast<quant::QuantizedType>(type)) {
    unsigned bits = q.getStorageTypeIntegralWidth();
    if (bits == 8)
      return q.isSigned() ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
    if (bits == 32 && q.isSigned())
      return onnx::TensorProto::INT32;
    return onnx::TensorProto::UNDEFINED;
  }
  if (type.isF32())
    return onnx::TensorProto::FLOAT;
  if (type.isF16())
    return onnx::TensorProto::FLOAT16;
  if (type.isBF16())
    return onnx::TensorProto::BFLOAT16;
  if (type.isF64())
    return onnx::TensorProto::DOUBLE;
  if (type.isInteger(1))
    return onnx::TensorProto::BOOL;
  if (auto integer = dyn_cast<IntegerType>(type)) {
    bool isUnsigned = integer.isUnsigned();
    switch (integer.getWidth()) {
    case 8:
      return isUnsigned ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
    case 16:
      return isUnsigned ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
    case 32:
      return isUnsigned ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
    case 64:
      return isUnsigned ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
    default:
      break;
    }
  }
  return onnx::TensorProto::UNDEFINED;
}

/// Appends `value` (the low `bytes` bytes, little endian) to `out`.
void appendLittleEndian(std::string &out, uint64_t value, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void addInt(onnx::NodeProto *node, StringRef name, int64_t v);

class Exporter : public OnnxNodeWriter {
public:
  explicit Exporter(func::FuncOp func) : func(func) {}

  LogicalResult run(onnx::ModelProto &model);

  // OnnxNodeWriter: what the ops' exportToOnnx methods call.
  void addNode(Operation *at, StringRef opType, ArrayRef<std::string> inputs,
               ArrayRef<std::string> outputs,
               ArrayRef<OnnxAttribute> attributes) override;
  std::string getTemporaryName(Operation *at, StringRef suffix) override {
    return uniqueName(baseNameOf(at, at->getName().stripDialect()) +
                      suffix.str());
  }
  std::string addInt64Initializer(Operation *at, StringRef suffix,
                                  ArrayRef<int64_t> values,
                                  bool scalar) override {
    return addInt64Initializer(baseNameOf(at, at->getName().stripDialect()) +
                                   suffix.str(),
                               values, scalar);
  }
  std::string addFloatInitializer(Operation *at, StringRef suffix,
                                  ArrayRef<float> values,
                                  bool scalar) override {
    return addFloatInitializer(baseNameOf(at, at->getName().stripDialect()) +
                                   suffix.str(),
                               values, scalar);
  }
  int getElementType(Type type) override { return onnxElementType(type); }

private:
  // Names.
  std::string uniqueName(StringRef base);
  std::string baseNameOf(Operation *op, StringRef fallback);
  /// The name a new tensor for `value` gets: the graph output name when
  /// @main returns it, else a fresh one from `base`.
  std::string nameForResult(Value value, StringRef base);

  // Tensors.
  onnx::TensorProto *addInitializer(StringRef name, int elementType,
                                    ArrayRef<int64_t> dims);
  /// A 1-D initializer of `count` elements (0-D with `scalar`), named
  /// after `base`, to be filled by the caller.
  onnx::TensorProto *addVectorInitializer(StringRef base, int elementType,
                                          size_t count, bool scalar);
  std::string addInt64Initializer(StringRef base, ArrayRef<int64_t> values,
                                  bool scalar = false);
  std::string addFloatInitializer(StringRef base, ArrayRef<float> values,
                                  bool scalar = false);
  LogicalResult addConstant(ConstantOp op);

  // Quantization.
  /// The scale and zero-point initializers of a quantized type; sets
  /// `axis` for a per-axis type.
  FailureOr<std::pair<std::string, std::string>>
  addQuantParams(Operation *at, Type elementType, StringRef base,
                 std::optional<int64_t> &axis);
  /// The float tensor a consumer of `value` reads: `value`'s own name, or
  /// for a quantized value the output of its (single) DequantizeLinear.
  FailureOr<std::string> floatName(Operation *at, Value value,
                                   StringRef outputName = {});
  /// Names the results of `op` for a node that computes them in float:
  /// quantized results get a float temporary and a QuantizeLinear after the
  /// node (`finishResults`).
  SmallVector<std::string> resultNames(Operation *op);
  LogicalResult finishResults(Operation *op, ArrayRef<std::string> floats);

  // Nodes.
  onnx::NodeProto *addNode(StringRef opType, Operation *op,
                           ArrayRef<std::string> inputs,
                           ArrayRef<std::string> outputs);
  LogicalResult exportOp(Operation *op);

  func::FuncOp func;
  onnx::GraphProto *graph = nullptr;
  llvm::StringSet<> used;
  llvm::DenseMap<Value, std::string> names;
  llvm::DenseMap<Value, std::string> dequantized;
  llvm::DenseMap<Value, std::string> outputNames;
  /// Scale and zero-point initializers already written for a quantized
  /// value (its QuantizeLinear and DequantizeLinear share them).
  struct Params {
    std::string scale, zeroPoint;
    std::optional<int64_t> axis;
  };
  llvm::DenseMap<Value, Params> params;
  FailureOr<Params> paramsOf(Operation *at, Value value, StringRef base);
};

FailureOr<Exporter::Params> Exporter::paramsOf(Operation *at, Value value,
                                               StringRef base) {
  auto it = params.find(value);
  if (it != params.end())
    return it->second;
  Params p;
  auto names = addQuantParams(
      at, cast<ShapedType>(value.getType()).getElementType(), base, p.axis);
  if (failed(names))
    return failure();
  p.scale = names->first;
  p.zeroPoint = names->second;
  params[value] = p;
  return p;
}

std::string Exporter::uniqueName(StringRef base) {
  std::string name = base.empty() ? std::string("t") : base.str();
  if (used.insert(name).second)
    return name;
  for (unsigned i = 1;; ++i) {
    std::string candidate = name + "_" + std::to_string(i);
    if (used.insert(candidate).second)
      return candidate;
  }
}

std::string Exporter::baseNameOf(Operation *op, StringRef fallback) {
  Location loc = op->getLoc();
  while (true) {
    if (auto name = dyn_cast<NameLoc>(loc))
      return name.getName().str();
    if (auto fused = dyn_cast<FusedLoc>(loc)) {
      if (fused.getLocations().empty())
        break;
      loc = fused.getLocations().front();
      continue;
    }
    break;
  }
  return fallback.str();
}

std::string Exporter::nameForResult(Value value, StringRef base) {
  auto it = outputNames.find(value);
  if (it != outputNames.end()) {
    std::string name = it->second;
    outputNames.erase(it); // a second use of the same value gets an Identity
    return name;
  }
  return uniqueName(base);
}

onnx::TensorProto *Exporter::addInitializer(StringRef name, int elementType,
                                            ArrayRef<int64_t> dims) {
  onnx::TensorProto *tensor = graph->add_initializer();
  tensor->set_name(name.str());
  tensor->set_data_type(elementType);
  for (int64_t d : dims)
    tensor->add_dims(d);
  return tensor;
}

onnx::TensorProto *Exporter::addVectorInitializer(StringRef base,
                                                  int elementType, size_t count,
                                                  bool scalar) {
  SmallVector<int64_t, 1> dims;
  if (!scalar)
    dims.push_back(count);
  return addInitializer(uniqueName(base), elementType, dims);
}

std::string Exporter::addInt64Initializer(StringRef base,
                                          ArrayRef<int64_t> values,
                                          bool scalar) {
  onnx::TensorProto *t = addVectorInitializer(base, onnx::TensorProto::INT64,
                                              values.size(), scalar);
  for (int64_t v : values)
    t->add_int64_data(v);
  return t->name();
}

std::string Exporter::addFloatInitializer(StringRef base,
                                          ArrayRef<float> values, bool scalar) {
  onnx::TensorProto *t = addVectorInitializer(base, onnx::TensorProto::FLOAT,
                                              values.size(), scalar);
  for (float v : values)
    t->add_float_data(v);
  return t->name();
}

LogicalResult Exporter::addConstant(ConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  int elementType = onnxElementType(type.getElementType());
  if (elementType == onnx::TensorProto::UNDEFINED)
    return op.emitError("ONNX export: no ONNX element type for ")
           << type.getElementType() << " in opset " << kExportOpset;
  Attribute attr = op.getValue();
  std::string base = baseNameOf(op, "const");
  if (auto blob = dyn_cast<DenseResourceElementsAttr>(attr))
    base = blob.getRawHandle().getKey().str();
  std::string name = nameForResult(op.getResult(), base);
  onnx::TensorProto *tensor =
      addInitializer(name, elementType, type.getShape());
  std::string raw;
  if (auto blob = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *data = blob.getRawHandle().getBlob();
    if (!data)
      return op.emitError("ONNX export: the constant's data is not in the "
                          "module (elided resource ")
             << blob.getRawHandle().getKey() << ")";
    ArrayRef<char> bytes = data->getData();
    raw.assign(bytes.begin(), bytes.end());
  } else if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    Type element = type.getElementType();
    if (auto floatType = dyn_cast<FloatType>(element)) {
      unsigned bytes = floatType.getWidth() / 8;
      for (const APFloat &v : dense.getValues<APFloat>())
        appendLittleEndian(raw, v.bitcastToAPInt().getZExtValue(), bytes);
    } else {
      unsigned width = element.getIntOrFloatBitWidth();
      unsigned bytes = width == 1 ? 1 : width / 8;
      for (const APInt &v : dense.getValues<APInt>())
        appendLittleEndian(raw, v.getZExtValue(), bytes);
    }
  } else {
    return op.emitError("ONNX export: unsupported constant attribute");
  }
  tensor->set_raw_data(raw);
  names[op.getResult()] = name;
  return success();
}

FailureOr<std::pair<std::string, std::string>>
Exporter::addQuantParams(Operation *at, Type elementType, StringRef base,
                         std::optional<int64_t> &axis) {
  int storage = onnxElementType(elementType);
  if (storage == onnx::TensorProto::UNDEFINED)
    return at->emitError("ONNX export: ")
           << elementType << " has no QuantizeLinear/DequantizeLinear form "
           << "in opset " << kExportOpset
           << " (8-bit storage, or 32-bit for biases)";
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(elementType)) {
    scales.push_back(perTensor.getScale());
    zeroPoints.push_back(perTensor.getZeroPoint());
    axis.reset();
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(elementType)) {
    llvm::append_range(scales, perAxis.getScales());
    llvm::append_range(zeroPoints, perAxis.getZeroPoints());
    axis = perAxis.getQuantizedDimension();
  } else {
    return at->emitError("ONNX export: ")
           << elementType << " is not a uniform quantized type";
  }
  SmallVector<float> scalesF32;
  for (double s : scales)
    scalesF32.push_back(static_cast<float>(s));
  std::string scaleName =
      addFloatInitializer((base + "_scale").str(), scalesF32, !axis);
  std::string zpName = uniqueName((base + "_zero_point").str());
  SmallVector<int64_t, 1> dims;
  if (axis)
    dims.push_back(zeroPoints.size());
  onnx::TensorProto *zp = addInitializer(zpName, storage, dims);
  std::string raw;
  unsigned bytes = storage == onnx::TensorProto::INT32 ? 4 : 1;
  for (int64_t z : zeroPoints)
    appendLittleEndian(raw, static_cast<uint64_t>(z), bytes);
  zp->set_raw_data(raw);
  return std::make_pair(scaleName, zpName);
}

FailureOr<std::string> Exporter::floatName(Operation *at, Value value,
                                           StringRef outputName) {
  auto type = cast<ShapedType>(value.getType());
  if (!isa<quant::QuantizedType>(type.getElementType())) {
    auto it = names.find(value);
    assert(it != names.end() && "operands are defined before use");
    return it->second;
  }
  auto it = dequantized.find(value);
  if (it != dequantized.end())
    return it->second;
  std::string storage = names.lookup(value);
  FailureOr<Params> p = paramsOf(at, value, storage);
  if (failed(p))
    return failure();
  std::string name =
      outputName.empty() ? uniqueName(storage + "_dq") : outputName.str();
  onnx::NodeProto *node = addNode("DequantizeLinear", nullptr,
                                  {storage, p->scale, p->zeroPoint}, {name});
  node->set_name(uniqueName(storage + "_DequantizeLinear"));
  if (p->axis)
    addInt(node, "axis", *p->axis);
  dequantized[value] = name;
  return name;
}

SmallVector<std::string> Exporter::resultNames(Operation *op) {
  SmallVector<std::string> result;
  std::string base = baseNameOf(op, op->getName().stripDialect());
  for (Value r : op->getResults()) {
    auto type = cast<ShapedType>(r.getType());
    if (isa<quant::QuantizedType>(type.getElementType()))
      result.push_back(uniqueName(base + "_float"));
    else
      result.push_back(nameForResult(r, base));
  }
  return result;
}

LogicalResult Exporter::finishResults(Operation *op,
                                      ArrayRef<std::string> floats) {
  std::string base = baseNameOf(op, op->getName().stripDialect());
  for (auto [r, floatTensor] : llvm::zip(op->getResults(), floats)) {
    auto type = cast<ShapedType>(r.getType());
    if (!isa<quant::QuantizedType>(type.getElementType())) {
      names[r] = floatTensor;
      continue;
    }
    std::string storage = nameForResult(r, base + "_q");
    FailureOr<Params> p = paramsOf(op, r, storage);
    if (failed(p))
      return failure();
    onnx::NodeProto *node =
        addNode("QuantizeLinear", nullptr,
                {floatTensor, p->scale, p->zeroPoint}, {storage});
    node->set_name(uniqueName(base + "_QuantizeLinear"));
    if (p->axis)
      addInt(node, "axis", *p->axis);
    names[r] = storage;
  }
  return success();
}

onnx::NodeProto *Exporter::addNode(StringRef opType, Operation *op,
                                   ArrayRef<std::string> inputs,
                                   ArrayRef<std::string> outputs) {
  onnx::NodeProto *node = graph->add_node();
  node->set_op_type(opType.str());
  if (op)
    node->set_name(uniqueName(baseNameOf(op, opType)));
  for (const std::string &in : inputs)
    node->add_input(in);
  for (const std::string &out : outputs)
    node->add_output(out);
  return node;
}

void addInt(onnx::NodeProto *node, StringRef name, int64_t v) {
  onnx::AttributeProto *a = node->add_attribute();
  a->set_name(name.str());
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void Exporter::addNode(Operation *at, StringRef opType,
                       ArrayRef<std::string> inputs,
                       ArrayRef<std::string> outputs,
                       ArrayRef<OnnxAttribute> attributes) {
  onnx::NodeProto *node = addNode(opType, at, inputs, outputs);
  for (const OnnxAttribute &attribute : attributes) {
    onnx::AttributeProto *a = node->add_attribute();
    a->set_name(attribute.name);
    std::visit(
        [&](const auto &v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, int64_t>) {
            a->set_type(onnx::AttributeProto::INT);
            a->set_i(v);
          } else if constexpr (std::is_same_v<T, float>) {
            a->set_type(onnx::AttributeProto::FLOAT);
            a->set_f(v);
          } else if constexpr (std::is_same_v<T, std::string>) {
            a->set_type(onnx::AttributeProto::STRING);
            a->set_s(v);
          } else if constexpr (std::is_same_v<T, SmallVector<int64_t>>) {
            a->set_type(onnx::AttributeProto::INTS);
            for (int64_t x : v)
              a->add_ints(x);
          } else {
            a->set_type(onnx::AttributeProto::FLOATS);
            for (float x : v)
              a->add_floats(x);
          }
        },
        attribute.value);
  }
}

LogicalResult Exporter::exportOp(Operation *op) {
  if (auto constant = dyn_cast<ConstantOp>(op))
    return addConstant(constant);

  // Storage <-> quantized views share the tensor.
  if (auto scast = dyn_cast<quant::StorageCastOp>(op)) {
    names[scast.getResult()] = names.lookup(scast.getInput());
    return success();
  }
  if (auto dcast = dyn_cast<quant::DequantizeCastOp>(op)) {
    std::string out;
    auto it = outputNames.find(dcast.getResult());
    if (it != outputNames.end() && !dequantized.count(dcast.getInput())) {
      out = it->second;
      outputNames.erase(it);
    }
    FailureOr<std::string> name = floatName(op, dcast.getInput(), out);
    if (failed(name))
      return failure();
    names[dcast.getResult()] = *name;
    return success();
  }
  if (auto qcast = dyn_cast<quant::QuantizeCastOp>(op)) {
    FailureOr<std::string> in = floatName(op, qcast.getInput());
    if (failed(in))
      return failure();
    // The quantized tensor is named after the float one it quantizes.
    std::string storage = nameForResult(qcast.getResult(), *in + "_q");
    FailureOr<Params> p = paramsOf(op, qcast.getResult(), storage);
    if (failed(p))
      return failure();
    onnx::NodeProto *node = addNode("QuantizeLinear", nullptr,
                                    {*in, p->scale, p->zeroPoint}, {storage});
    node->set_name(uniqueName(storage + "_QuantizeLinear"));
    if (p->axis)
      addInt(node, "axis", *p->axis);
    names[qcast.getResult()] = storage;
    return success();
  }

  if (op->getDialect() != op->getContext()->getLoadedDialect<QntDialect>())
    return op->emitError("ONNX export: ")
           << op->getName() << " has no ONNX form";

  // ONNX Conv is float only (ConvInteger takes 8-bit data, not the int32
  // differences quant computes on).
  if (auto conv = dyn_cast<ConvOp>(op);
      conv && conv.getType().getElementType().isInteger())
    return op->emitError("ONNX export: an int32 qnt.conv (from ConvInteger) "
                         "has no ONNX form");

  SmallVector<std::string> in;
  for (Value operand : op->getOperands()) {
    FailureOr<std::string> name = floatName(op, operand);
    if (failed(name))
      return failure();
    in.push_back(*name);
  }
  auto exportable = dyn_cast<OnnxExportOpInterface>(op);
  if (!exportable)
    return op->emitError("ONNX export: ")
           << op->getName() << " has no ONNX form";
  SmallVector<std::string> out = resultNames(op);
  LogicalResult result = exportable.exportToOnnx(*this, in, out);
  if (failed(result))
    return failure();
  return finishResults(op, out);
}

void setValueInfo(onnx::ValueInfoProto *info, StringRef name, Type type) {
  info->set_name(name.str());
  auto shaped = cast<ShapedType>(type);
  onnx::TypeProto_Tensor *tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnxElementType(shaped.getElementType()));
  onnx::TensorShapeProto *shape = tensor->mutable_shape();
  for (int64_t d : shaped.getShape())
    shape->add_dim()->set_dim_value(d);
}

LogicalResult Exporter::run(onnx::ModelProto &model) {
  model.set_ir_version(8); // the IR version of opset 17 (ONNX 1.12)
  model.set_producer_name("quant");
  model.set_producer_version("0");
  onnx::OperatorSetIdProto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kExportOpset);
  graph = model.mutable_graph();
  graph->set_name(func.getSymName().str());

  if (!func.getBody().hasOneBlock())
    return func.emitError("ONNX export: @")
           << func.getSymName() << " must have one block";
  Block &body = func.getBody().front();
  auto returnOp = cast<func::ReturnOp>(body.getTerminator());
  auto argName = [&](unsigned i) -> std::string {
    if (auto name = func.getArgAttrOfType<StringAttr>(i, "onnx.name"))
      return name.str();
    return "input_" + std::to_string(i);
  };
  auto resultName = [&](unsigned i) -> std::string {
    if (auto name = func.getResultAttrOfType<StringAttr>(i, "onnx.name"))
      return name.str();
    return "output_" + std::to_string(i);
  };

  // Graph inputs and outputs keep their ONNX names; nothing else may take
  // them.
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    BlockArgument arg = body.getArgument(i);
    if (isa<quant::QuantizedType>(
            cast<ShapedType>(arg.getType()).getElementType()))
      return func.emitError("ONNX export: quantized inputs are not supported");
    std::string name = argName(i);
    if (!used.insert(name).second)
      return func.emitError("ONNX export: two inputs are named ") << name;
    names[arg] = name;
    // A uint8 input (onnx.uint8) is written as the int8 tensor qnt computes
    // on: the graph holds the zero-extensions that make its ops unsigned.
    setValueInfo(graph->add_input(), name, arg.getType());
  }
  SmallVector<std::string> outputs;
  for (unsigned i = 0; i < returnOp.getNumOperands(); ++i) {
    std::string name = resultName(i);
    if (!used.insert(name).second)
      return func.emitError("ONNX export: output ")
             << i << " has a name already in use: " << name;
    outputs.push_back(name);
    Value v = returnOp.getOperand(i);
    if (!outputNames.count(v) && !isa<BlockArgument>(v))
      outputNames[v] = name;
  }

  for (Operation &op : body.without_terminator())
    if (failed(exportOp(&op)))
      return failure();

  // Outputs no node wrote under their name (an input returned, a value
  // returned twice) come from an Identity.
  for (auto [i, v] : llvm::enumerate(returnOp.getOperands())) {
    const std::string &have = names.lookup(v);
    if (have != outputs[i]) {
      onnx::NodeProto *n = addNode("Identity", nullptr, {have}, {outputs[i]});
      n->set_name(uniqueName(outputs[i] + "_Identity"));
    }
    setValueInfo(graph->add_output(), outputs[i], v.getType());
  }
  return success();
}

} // namespace

LogicalResult mlir::qnt::exportOnnxModel(ModuleOp module,
                                         llvm::raw_ostream &os) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func)
    return module.emitError("ONNX export: the module has no @main function");
  onnx::ModelProto model;
  if (failed(Exporter(func).run(model)))
    return failure();
  std::string bytes;
  if (model.ByteSizeLong() > static_cast<size_t>(INT32_MAX) ||
      !model.SerializeToString(&bytes))
    return module.emitError("ONNX export: the model is larger than "
                            "protobuf's 2 GiB limit");
  os << bytes;
  return success();
}
