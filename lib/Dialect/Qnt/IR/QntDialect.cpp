//===- QntDialect.cpp - The qnt graph dialect -------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntDialect.h"

#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qnt;

#include "quant/Dialect/Qnt/IR/QntDialect.cpp.inc"
#include "quant/Dialect/Qnt/IR/QntEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "quant/Dialect/Qnt/IR/QntAttrs.cpp.inc"

void QntDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "quant/Dialect/Qnt/IR/QntOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "quant/Dialect/Qnt/IR/QntAttrs.cpp.inc"
      >();
}

Operation *QntDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

FloatType mlir::qnt::getExpressedType(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  if (auto quantized = dyn_cast<quant::QuantizedType>(type))
    type = quantized.getExpressedType();
  return dyn_cast_or_null<FloatType>(type);
}

/// The discardable attribute `name` of type AttrT that describes `value`:
/// on its defining op (single result) or on the entry-block argument.
template <typename AttrT>
static AttrT getValueAttr(Value value, StringRef name) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp());
    if (!func || arg.getOwner() != &func.getFunctionBody().front())
      return {};
    return func.getArgAttrOfType<AttrT>(arg.getArgNumber(), name);
  }
  Operation *op = value.getDefiningOp();
  return op && op->getNumResults() == 1 ? op->getAttrOfType<AttrT>(name)
                                        : AttrT();
}

RangeAttr mlir::qnt::getValueRange(Value value) {
  return getValueAttr<RangeAttr>(value, QntDialect::getRangeAttrName());
}

ChannelRangeAttr mlir::qnt::getValueChannelRange(Value value) {
  return getValueAttr<ChannelRangeAttr>(value,
                                        QntDialect::getChannelRangeAttrName());
}

bool mlir::qnt::locationNames(Location loc, ArrayRef<std::string> names) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return llvm::is_contained(names, name.getName().str()) ||
           locationNames(name.getChildLoc(), names);
  if (auto fused = dyn_cast<FusedLoc>(loc))
    return llvm::any_of(fused.getLocations(),
                        [&](Location l) { return locationNames(l, names); });
  return false;
}

//===----------------------------------------------------------------------===//
// RangeAttr
//===----------------------------------------------------------------------===//

Attribute RangeAttr::parse(AsmParser &parser, Type) {
  double min = 0, max = 0;
  if (parser.parseLess() || parser.parseFloat(min) || parser.parseComma() ||
      parser.parseFloat(max) || parser.parseGreater())
    return {};
  return RangeAttr::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); },
      parser.getContext(), llvm::APFloat(min), llvm::APFloat(max));
}

void RangeAttr::print(AsmPrinter &printer) const {
  printer << '<';
  printer.printFloat(getMin());
  printer << ", ";
  printer.printFloat(getMax());
  printer << '>';
}

LogicalResult RangeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                llvm::APFloat minValue,
                                llvm::APFloat maxValue) {
  double min = minValue.convertToDouble(), max = maxValue.convertToDouble();
  if (!std::isfinite(min) || !std::isfinite(max))
    return emitError() << "range bounds must be finite, got ["
                       << formatFloat(min) << ", " << formatFloat(max) << "]";
  if (min > max)
    return emitError() << "range min " << formatFloat(min)
                       << " is greater than max " << formatFloat(max);
  return success();
}

//===----------------------------------------------------------------------===//
// Discardable attributes: qnt.range on ops and block arguments
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// ChannelRangeAttr
//===----------------------------------------------------------------------===//

LogicalResult
ChannelRangeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         int64_t axis, DenseF32ArrayAttr min,
                         DenseF32ArrayAttr max, DenseF32ArrayAttr mean) {
  if (axis < 0)
    return emitError() << "channel_range axis must be non-negative, got "
                       << axis;
  if (min.size() != max.size())
    return emitError() << "channel_range has " << min.size() << " minimums but "
                       << max.size() << " maximums";
  for (int64_t c = 0; c < min.size(); ++c) {
    float lo = min[c], hi = max[c];
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi)
      return emitError() << "channel_range of channel " << c << " is ["
                         << formatFloat(lo) << ", " << formatFloat(hi)
                         << "]; bounds must be finite with min <= max";
  }
  if (mean) {
    if (mean.size() != min.size())
      return emitError() << "channel_range has " << min.size()
                         << " channels but " << mean.size() << " means";
    for (int64_t c = 0; c < mean.size(); ++c)
      if (!(mean[c] >= min[c] && mean[c] <= max[c]))
        return emitError() << "channel_range mean " << formatFloat(mean[c])
                           << " of channel " << c << " is outside ["
                           << formatFloat(min[c]) << ", " << formatFloat(max[c])
                           << "]";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Discardable attributes on ops, block arguments and modules
//===----------------------------------------------------------------------===//

/// Checks a value attribute (`qnt.range`, `qnt.channel_range`, `qnt.stats`)
/// against the value it describes.
static LogicalResult
verifyValueAttr(Type type, NamedAttribute attr,
                function_ref<InFlightDiagnostic()> emitError) {
  StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  bool wellTyped = name == QntDialect::getRangeAttrName()
                       ? isa<RangeAttr>(value)
                   : name == QntDialect::getChannelRangeAttrName()
                       ? isa<ChannelRangeAttr>(value)
                       : isa<DictionaryAttr>(value);
  if (!wellTyped)
    return emitError() << "'" << name << "' must be a "
                       << (name == QntDialect::getRangeAttrName()
                               ? "#qnt.range attribute"
                           : name == QntDialect::getChannelRangeAttrName()
                               ? "#qnt.channel_range attribute"
                               : "dictionary")
                       << ", got " << value;
  if (!getExpressedType(type))
    return emitError() << "'" << name
                       << "' needs a float or quantized value, got " << type;
  if (auto channels = dyn_cast<ChannelRangeAttr>(value)) {
    auto shaped = dyn_cast<RankedTensorType>(type);
    if (!shaped || channels.getAxis() >= shaped.getRank() ||
        shaped.getDimSize(channels.getAxis()) != channels.getMin().size())
      return emitError() << "'" << name << "' with axis " << channels.getAxis()
                         << " and " << channels.getMin().size()
                         << " channels does not fit " << type;
  }
  return success();
}

static bool isValueAttrName(StringRef name) {
  return name == QntDialect::getRangeAttrName() ||
         name == QntDialect::getChannelRangeAttrName() ||
         name == QntDialect::getStatsAttrName();
}

LogicalResult QntDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == getCalibrationAttrName()) {
    if (!isa<ModuleOp>(op) || !isa<DictionaryAttr>(attr.getValue()))
      return op->emitError()
             << "'" << name << "' must be a dictionary on a module";
    return success();
  }
  if (name == getWeightBitsAttrName()) {
    auto bits = dyn_cast<IntegerAttr>(attr.getValue());
    if (!isa<LinearLayerOpInterface>(op) || !bits ||
        !llvm::is_contained({4, 8, 32}, bits.getInt()))
      return op->emitError() << "'" << name
                             << "' must be 4, 8 or 32 on a conv, gemm or "
                                "matmul";
    return success();
  }
  if (name == getWeightScalesAttrName()) {
    auto scales = dyn_cast<DenseF32ArrayAttr>(attr.getValue());
    if (!isa<LinearLayerOpInterface>(op) || !scales || scales.empty() ||
        !llvm::all_of(scales.asArrayRef(),
                      [](float s) { return s > 0.0f && std::isfinite(s); }))
      return op->emitError() << "'" << name
                             << "' must be a non-empty array<f32> of positive "
                                "finite scales on a conv, gemm or matmul";
    return success();
  }
  if (!isValueAttrName(name))
    return op->emitError() << "unknown qnt attribute '" << name << "'";
  if (op->getNumResults() != 1)
    return op->emitError() << "'" << name
                           << "' needs an op with exactly one result, this "
                              "one has "
                           << op->getNumResults();
  return verifyValueAttr(op->getResult(0).getType(), attr,
                         [&] { return op->emitError(); });
}

LogicalResult QntDialect::verifyRegionArgAttribute(Operation *op,
                                                   unsigned regionIndex,
                                                   unsigned argIndex,
                                                   NamedAttribute attr) {
  if (!isValueAttrName(attr.getName().getValue()))
    return op->emitError() << "unknown qnt argument attribute '"
                           << attr.getName().getValue() << "'";
  Region &region = op->getRegion(regionIndex);
  if (region.empty() || argIndex >= region.front().getNumArguments())
    return success(); // Declarations carry no block to check against.
  return verifyValueAttr(region.front().getArgument(argIndex).getType(), attr,
                         [&] { return op->emitError(); });
}

//===----------------------------------------------------------------------===//
// Traits
//===----------------------------------------------------------------------===//

/// Runs `check(type, "operand" | "result", index)` on every operand, then
/// every result type of `op`, stopping at the first failure.
static LogicalResult checkValueTypes(
    Operation *op,
    llvm::function_ref<LogicalResult(Type, StringRef, unsigned)> check) {
  for (auto [i, type] : llvm::enumerate(op->getOperandTypes()))
    if (failed(check(type, "operand", i)))
      return failure();
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (failed(check(type, "result", i)))
      return failure();
  return success();
}

LogicalResult mlir::qnt::detail::verifySameExpressedElementType(Operation *op) {
  FloatType expected;
  std::string expectedWhat;
  auto check = [&](Type type, StringRef kind, unsigned index) -> LogicalResult {
    FloatType expressed = getExpressedType(type);
    if (!expressed)
      return success(); // Integer operands (indices) do not take part.
    std::string what = (kind + " #" + Twine(index)).str();
    if (!expected) {
      expected = expressed;
      expectedWhat = what;
      return success();
    }
    if (expressed == expected)
      return success();
    return op->emitOpError() << "expects float and quantized values of one "
                                "expressed type, but "
                             << expectedWhat << " is " << expected << " and "
                             << what << " is " << expressed;
  };
  return checkValueTypes(op, check);
}

LogicalResult mlir::qnt::detail::verifySameIntegerElementType(Operation *op) {
  Type integer, other;
  std::string integerWhat, otherWhat;
  auto check = [&](Type type, StringRef kind, unsigned index) -> LogicalResult {
    Type element = getElementTypeOrSelf(type);
    if (element.isInteger(1))
      return success();
    std::string what = (kind + " #" + Twine(index)).str();
    if (!isa<IntegerType>(element)) {
      if (!other) {
        other = element;
        otherWhat = what;
      }
      return success();
    }
    if (!integer) {
      integer = element;
      integerWhat = what;
      return success();
    }
    if (element == integer)
      return success();
    return op->emitOpError() << "expects one integer type, but "
                             << integerWhat << " is " << integer << " and "
                             << what << " is " << element;
  };
  if (failed(checkValueTypes(op, check)))
    return failure();
  if (integer && other)
    return op->emitOpError() << "expects integer values alone, but "
                             << integerWhat << " is " << integer << " and "
                             << otherWhat << " is " << other;
  return success();
}

/// Bits per element as the runtime stores it: a quantized type's storage.
static unsigned storageBitWidth(Type elementType) {
  if (auto quantized = dyn_cast<quant::QuantizedType>(elementType))
    return quantized.getStorageTypeIntegralWidth();
  if (elementType.isIntOrFloat())
    return elementType.getIntOrFloatBitWidth();
  return 64; // index and others: the widest the lowering gives them.
}

LogicalResult mlir::qnt::detail::verifyTensorSizesFit(Operation *op) {
  auto check = [&](Type type, StringRef kind, unsigned index) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape() ||
        numBytes(tensor.getShape(), storageBitWidth(tensor.getElementType())))
      return success();
    return op->emitOpError() << kind << " #" << index << " of type " << type
                             << " holds more than 2^63 - 1 bytes";
  };
  return checkValueTypes(op, check);
}

LogicalResult mlir::qnt::detail::verifyBroadcastsOperands(Operation *op) {
  auto lhs = cast<ShapedType>(op->getOperand(0).getType()).getShape();
  auto rhs = cast<ShapedType>(op->getOperand(1).getType()).getShape();
  auto result = cast<ShapedType>(op->getResult(0).getType()).getShape();
  auto expected = broadcastShapes(lhs, rhs);
  if (!expected)
    return op->emitOpError()
           << "operands of shapes " << formatShape(lhs) << " and "
           << formatShape(rhs) << " do not broadcast";
  if (ArrayRef<int64_t>(*expected) != result)
    return op->emitOpError()
           << "result shape " << formatShape(result)
           << " is not the broadcast shape " << formatShape(*expected);
  return success();
}
