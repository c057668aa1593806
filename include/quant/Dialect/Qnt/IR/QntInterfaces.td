//===- QntInterfaces.td - What passes ask of qnt ops --------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// One place for each op fact. A pass that needs to know something about an
// op kind (is it a linear layer, how does a value range cross it, does it
// keep the quantization grid, what ONNX node is it, what does it compute on
// one element) asks one of these interfaces or traits; each op answers once,
// in QntOps.td or in QntInterfaceImpls.cpp. No pass keeps its own list of op
// kinds.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTINTERFACES_TD
#define QUANT_DIALECT_QNT_IR_QNTINTERFACES_TD

include "mlir/IR/OpBase.td"

//===----------------------------------------------------------------------===//
// Linear layers
//===----------------------------------------------------------------------===//

def Qnt_LinearLayerOpInterface : OpInterface<"LinearLayerOpInterface"> {
  let cppNamespace = "::mlir::qnt";
  let description = [{
    An op linear in its input (operand 0) through a weight operand, plus an
    optional per-output-channel bias: conv (any group), gemm and matmul. The
    passes that rescale, correct, quantize or measure weights
    (`qnt-cross-layer-equalize`, `qnt-smooth-quant`, `qnt-bias-correct`,
    `qnt-quantize`, `qnt-allocate-bits`) and the int8/int4 lowerings see
    layers only through this interface; `WeightLayout` (QntLayers.h) maps
    weight elements to channels.
  }];
  let methods = [
    InterfaceMethod<[{
        The layer's weight and bias operands, its channel axes and groups;
        nullopt when this instance is not a plain linear layer (a gemm with
        `trans_a` or `alpha != 1`, a matmul whose weight is not 2-D).
      }],
      "std::optional<::mlir::qnt::LinearLayer>", "getLinearLayer">,
  ];
}

//===----------------------------------------------------------------------===//
// Value ranges and the quantization grid
//===----------------------------------------------------------------------===//

/// Every output element is an element of operand 0 (or, for padding, a
/// value no output can take), so the op's quantized form computes on its
/// input's grid: it takes and returns the input's quantized type and does
/// no arithmetic. qnt-quantize lets these ops follow a quantized input.
def Qnt_PreservesGrid : NativeOpTrait<"PreservesGrid"> {
  let cppNamespace = "::mlir::qnt";
}

/// The result's values are operand 0's values or convex combinations of
/// them, so the result shares operand 0's range and quantization scale.
def Qnt_SharesOperandRange : NativeOpTrait<"SharesOperandRange"> {
  let cppNamespace = "::mlir::qnt";
}

def Qnt_RangeTransferOpInterface : OpInterface<"RangeTransferOpInterface"> {
  let cppNamespace = "::mlir::qnt";
  let description = [{
    How a value range crosses the op. `qnt-propagate-ranges` reads ops only
    through this interface: the interval each result value lies in, given
    intervals for the operands, and the operands whose range (and so
    quantization scale) the result shares. A result that shares its
    operands' range takes the inferred interval exactly; any other result
    is the calibrated range narrowed to it.

    Ops that forward operand 0's range list `Qnt_ForwardsRange`.
  }];
  let methods = [
    InterfaceMethod<[{
        The interval every value of the (single) result lies in, given one
        interval per operand: `full()` for an operand nothing is known
        about, `empty()` for one not analysed yet. Infinite ends mean
        unbounded. The default is operand 0's interval.
      }],
      "::mlir::qnt::RealInterval", "inferResultRange",
      (ins "::llvm::ArrayRef<::mlir::qnt::RealInterval>":$operands), [{}], [{
        return operands.front();
      }]>,
    InterfaceMethod<[{
        The operands whose range, and so whose quantization scale, the
        result shares (a concat's inputs, a reshape's input); empty when
        the result's range is only bounded by its operands' (a relu, a
        sigmoid). The default is operand 0 for ops with
        `Qnt_SharesOperandRange`, none otherwise.
      }],
      "::llvm::SmallVector<::mlir::Value>", "getRangeSharingOperands",
      (ins), [{}], [{
        if constexpr (ConcreteOp::template hasTrait<
                          ::mlir::qnt::SharesOperandRange>())
          return {$_op->getOperand(0)};
        return {};
      }]>,
  ];
}

/// The result shares operand 0's range (see Qnt_SharesOperandRange).
def Qnt_ForwardsRange
    : TraitList<[Qnt_SharesOperandRange, Qnt_RangeTransferOpInterface]>;

/// Ops that infer their result's range in code (monotone activations,
/// softmax, pads): they implement inferResultRange in
/// QntInterfaceImpls.cpp.
def Qnt_InfersRange
    : DeclareOpInterfaceMethods<Qnt_RangeTransferOpInterface,
                                ["inferResultRange"]>;

//===----------------------------------------------------------------------===//
// Element-wise computation
//===----------------------------------------------------------------------===//

def Qnt_ElementwiseOpInterface : OpInterface<"ElementwiseOpInterface"> {
  let cppNamespace = "::mlir::qnt";
  let description = [{
    An element-wise op: each result element is a function of the operands'
    elements at the same index (operands broadcast, numpy-style, to the
    result shape). `buildScalar` builds that function on scalars with a
    `ScalarBuilder` (QntScalar.h); `convert-qnt-to-linalg` lowers every such
    op to one `linalg.generic` around it. The function is written once, on
    the op in QntOps.td (`Qnt_Scalar`), as linalg's named ops carry their
    bodies.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the result element from `args` (one scalar per operand, in
        operand order) with `s`, whose type is the float type the op
        computes in (its last operand's element type).
      }],
      "::mlir::Value", "buildScalar",
      (ins "const ::mlir::qnt::ScalarBuilder &":$s,
           "::mlir::ValueRange":$args)>,
  ];
}

/// The definition of ElementwiseOpInterface::buildScalar with `body` (C++
/// statements over `s`, a ScalarBuilder, and `args`, the operand scalars),
/// for an op's `extraClassDefinition`.
class Qnt_Scalar<code body> {
  code definition = [{
    ::mlir::Value $cppClass::buildScalar(const ::mlir::qnt::ScalarBuilder &s,
                                         ::mlir::ValueRange args) {
      }] # body # [{
    }
  }];
}

//===----------------------------------------------------------------------===//
// ONNX export
//===----------------------------------------------------------------------===//

def Qnt_OnnxExportOpInterface : OpInterface<"OnnxExportOpInterface"> {
  let cppNamespace = "::mlir::qnt";
  let description = [{
    How the op is written as ONNX (opset 17) by `--emit=onnx`
    (lib/Export). The exporter names every tensor and puts QDQ pairs around
    quantized values; the op only says which node(s) compute it. Most ops
    are one node of the type `Qnt_OnnxOp<"Type">` names, whose attributes
    are the op's own (qnt attributes are named as ONNX's): they take the
    default. Ops whose ONNX form differs (attributes that are inputs in
    ONNX, an op type chosen by an attribute, a formula of several nodes)
    implement `exportToOnnx` in QntInterfaceImpls.cpp.
  }];
  let methods = [
    InterfaceMethod<[{
        Writes the node(s) that read the float tensors `inputs` (one per
        operand) and write the float tensors `outputs` (one per result).
        Errors (no ONNX form in opset 17) are reported at the op.
      }],
      "::mlir::LogicalResult", "exportToOnnx",
      (ins "::mlir::qnt::OnnxNodeWriter &":$writer,
           "::llvm::ArrayRef<std::string>":$inputs,
           "::llvm::ArrayRef<std::string>":$outputs), [{}], [{
        return writer.addNodeWithAttributes($_op, ConcreteOp::getOnnxOpType(),
                                            inputs, outputs);
      }]>,
  ];
}

/// The ONNX op type the op mirrors, as `static getOnnxOpType()`.
class Qnt_OnnxOpType<string name>
    : NativeOpTrait<"OnnxOpType", [], [{
        /// The ONNX operator this op mirrors.
        static constexpr ::llvm::StringLiteral getOnnxOpType() {
          return ::llvm::StringLiteral("}] # name # [{");
        }
      }]> {
  let cppNamespace = "::mlir::qnt";
}

/// The op is the ONNX operator `name` (see OnnxExportOpInterface): the
/// importer's table, the exporter and the docs read the name from here.
class Qnt_OnnxOp<string name>
    : TraitList<[Qnt_OnnxOpType<name>, Qnt_OnnxExportOpInterface]>;

/// As Qnt_OnnxOp, for ops that write their ONNX form in code
/// (exportToOnnx in QntInterfaceImpls.cpp).
class Qnt_OnnxOpCustom<string name>
    : TraitList<[Qnt_OnnxOpType<name>,
                 DeclareOpInterfaceMethods<Qnt_OnnxExportOpInterface,
                                           ["exportToOnnx"]>]>;

#endif // QUANT_DIALECT_QNT_IR_QNTINTERFACES_TD
