//===- QntDialect.cpp - The qnt graph dialect -------------------*- C++ -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#include "quant/Dialect/Qnt/IR/QntDialect.h"

#include "quant/Dialect/Qnt/IR/QntOps.h"
#include "quant/Dialect/Qnt/IR/QntShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

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

/// `qnt.range` only makes sense on a value a quantizer could quantize.
static LogicalResult
verifyRangeOn(Type type, NamedAttribute attr,
              function_ref<InFlightDiagnostic()> emitError) {
  if (!isa<RangeAttr>(attr.getValue()))
    return emitError() << "'" << QntDialect::getRangeAttrName()
                       << "' must be a #qnt.range attribute, got "
                       << attr.getValue();
  if (!getExpressedType(type))
    return emitError() << "'" << QntDialect::getRangeAttrName()
                       << "' needs a float or quantized value, got " << type;
  return success();
}

LogicalResult QntDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  if (attr.getName() != getRangeAttrName())
    return op->emitError() << "unknown qnt attribute '"
                           << attr.getName().getValue() << "'";
  if (op->getNumResults() != 1)
    return op->emitError() << "'" << getRangeAttrName()
                           << "' needs an op with exactly one result, this "
                              "one has "
                           << op->getNumResults();
  return verifyRangeOn(op->getResult(0).getType(), attr,
                       [&] { return op->emitError(); });
}

LogicalResult QntDialect::verifyRegionArgAttribute(Operation *op,
                                                   unsigned regionIndex,
                                                   unsigned argIndex,
                                                   NamedAttribute attr) {
  if (attr.getName() != getRangeAttrName())
    return op->emitError() << "unknown qnt argument attribute '"
                           << attr.getName().getValue() << "'";
  Region &region = op->getRegion(regionIndex);
  if (region.empty() || argIndex >= region.front().getNumArguments())
    return success(); // Declarations carry no block to check against.
  return verifyRangeOn(region.front().getArgument(argIndex).getType(), attr,
                       [&] { return op->emitError(); });
}

//===----------------------------------------------------------------------===//
// Traits
//===----------------------------------------------------------------------===//

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
  for (auto [i, type] : llvm::enumerate(op->getOperandTypes()))
    if (failed(check(type, "operand", i)))
      return failure();
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (failed(check(type, "result", i)))
      return failure();
  return success();
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
