//===- QntAttrs.td - Attributes and enums of the qnt dialect -*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTATTRS_TD
#define QUANT_DIALECT_QNT_IR_QNTATTRS_TD

include "quant/Dialect/Qnt/IR/QntDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

class Qnt_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Qnt_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// RangeAttr
//===----------------------------------------------------------------------===//

def Qnt_RangeAttr : Qnt_Attr<"Range", "range"> {
  let summary = "Calibrated value range of a tensor";
  let description = [{
    The closed interval `[min, max]` that a tensor's values were observed (or
    proven) to lie in. Calibration writes it; quantization reads it to choose
    a scale and zero point. Both bounds are finite and `min <= max`.

    Example:

    ```mlir
    %0 = qnt.relu %x {qnt.range = #qnt.range<0.0, 6.25>}
        : (tensor<1x8xf32>) -> tensor<1x8xf32>
    ```
  }];
  let parameters = (ins APFloatParameter<"lower bound">:$min,
                        APFloatParameter<"upper bound">:$max);
  let builders = [
    AttrBuilder<(ins "double":$min, "double":$max), [{
      return $_get($_ctxt, ::llvm::APFloat(min), ::llvm::APFloat(max));
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    double getMinValue() const { return getMin().convertToDouble(); }
    double getMaxValue() const { return getMax().convertToDouble(); }
  }];
}

//===----------------------------------------------------------------------===//
// ChannelRangeAttr
//===----------------------------------------------------------------------===//

def Qnt_ChannelRangeAttr : Qnt_Attr<"ChannelRange", "channel_range"> {
  let summary = "Calibrated per-channel value ranges of a tensor";
  let description = [{
    For each index `c` along dimension `axis`, the interval
    `[min[c], max[c]]` the tensor's values at that index were observed in,
    and optionally their mean `mean[c]`. `qnt-calibrate per-channel` writes
    it (with the means) as the discardable attribute `qnt.channel_range`
    (axis 1 for tensors of rank >= 4, the last axis otherwise);
    SmoothQuant reads the bounds, bias correction the means.

    Example:

    ```mlir
    %0 = qnt.matmul %x, %w {qnt.channel_range = #qnt.channel_range<axis = 1,
        min = [-1.0, 0.0], max = [2.0, 0.5]>} : …
    ```
  }];
  let parameters = (ins "int64_t":$axis,
                        "::mlir::DenseF32ArrayAttr":$min,
                        "::mlir::DenseF32ArrayAttr":$max,
                        OptionalParameter<"::mlir::DenseF32ArrayAttr">:$mean);
  let builders = [
    AttrBuilder<(ins "int64_t":$axis, "::mlir::DenseF32ArrayAttr":$min,
                     "::mlir::DenseF32ArrayAttr":$max), [{
      return $_get($_ctxt, axis, min, max, ::mlir::DenseF32ArrayAttr());
    }]>
  ];
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Qnt_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "approximation used by gelu", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"tanh", 1>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnt";
}
def Qnt_GeluApproximationAttr
    : EnumAttr<Qnt_Dialect, Qnt_GeluApproximation, "gelu_approximation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Qnt_DynamicScaling : I32EnumAttr<"DynamicScaling",
    "how dynamic_linear chooses its input's scales at run time", [
      I32EnumAttrCase<"per_tensor_absmax", 0>,
      I32EnumAttrCase<"per_token_absmax", 1>,
      I32EnumAttrCase<"per_tensor_minmax", 2>,
      I32EnumAttrCase<"per_token_minmax", 3>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnt";
}
def Qnt_DynamicScalingAttr
    : EnumAttr<Qnt_Dialect, Qnt_DynamicScaling, "dynamic_scaling"> {
  let assemblyFormat = "`<` $value `>`";
}

def Qnt_ResizeMode : I32EnumAttr<"ResizeMode", "interpolation of resize", [
      I32EnumAttrCase<"nearest", 0>,
      I32EnumAttrCase<"linear", 1>,
      I32EnumAttrCase<"cubic", 2>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnt";
}
def Qnt_ResizeModeAttr : EnumAttr<Qnt_Dialect, Qnt_ResizeMode, "resize_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

def Qnt_CoordinateTransform : I32EnumAttr<"CoordinateTransform",
    "how resize maps output coordinates to input coordinates", [
      I32EnumAttrCase<"half_pixel", 0>,
      I32EnumAttrCase<"half_pixel_symmetric", 1>,
      I32EnumAttrCase<"pytorch_half_pixel", 2>,
      I32EnumAttrCase<"align_corners", 3>,
      I32EnumAttrCase<"asymmetric", 4>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnt";
}
def Qnt_CoordinateTransformAttr
    : EnumAttr<Qnt_Dialect, Qnt_CoordinateTransform, "coordinate_transform"> {
  let assemblyFormat = "`<` $value `>`";
}

def Qnt_NearestMode : I32EnumAttr<"NearestMode",
    "rounding of the source coordinate in nearest resize", [
      I32EnumAttrCase<"round_prefer_floor", 0>,
      I32EnumAttrCase<"round_prefer_ceil", 1>,
      I32EnumAttrCase<"floor", 2>,
      I32EnumAttrCase<"ceil", 3>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnt";
}
def Qnt_NearestModeAttr
    : EnumAttr<Qnt_Dialect, Qnt_NearestMode, "nearest_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

def Qnt_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "comparison of qnt.compare", [
      I32EnumAttrCase<"eq", 0>,
      I32EnumAttrCase<"gt", 1>,
      I32EnumAttrCase<"ge", 2>,
      I32EnumAttrCase<"lt", 3>,
      I32EnumAttrCase<"le", 4>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnt";
}
def Qnt_ComparePredicateAttr
    : EnumAttr<Qnt_Dialect, Qnt_ComparePredicate, "compare_predicate"> {
  let assemblyFormat = "`<` $value `>`";
}

def Qnt_PadMode : I32EnumAttr<"PadMode", "how pad fills the border", [
      I32EnumAttrCase<"constant", 0>,
      I32EnumAttrCase<"reflect", 1>,
      I32EnumAttrCase<"edge", 2>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qnt";
}
def Qnt_PadModeAttr : EnumAttr<Qnt_Dialect, Qnt_PadMode, "pad_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // QUANT_DIALECT_QNT_IR_QNTATTRS_TD
