//===- QntOps.td - Operations of the qnt dialect ------------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
// Conventions shared by every op (the importer establishes them):
//  * axes are non-negative and smaller than the rank;
//  * spatial attributes (strides, dilations, kernel_shape) have one entry per
//    spatial dim; `pads` has two, ONNX-ordered [begin..., end...];
//  * result shapes are static and the verifier recomputes them with the
//    ONNX formula, so a wrong shape is an error at the op, never a miscompile.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_IR_QNTOPS_TD
#define QUANT_DIALECT_QNT_IR_QNTOPS_TD

include "quant/Dialect/Qnt/IR/QntDialect.td"
include "quant/Dialect/Qnt/IR/QntAttrs.td"
include "quant/Dialect/Qnt/IR/QntInterfaces.td"
include "mlir/Dialect/Quant/IR/QuantBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"

//===----------------------------------------------------------------------===//
// Types and traits
//===----------------------------------------------------------------------===//

/// A statically shaped tensor of floats or of upstream quantized types.
def Qnt_Tensor : StaticShapeTensorOf<[AnyFloat, quant_QuantizedType]>;
def Qnt_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;
/// Floats, quantized values or signed integers (ONNX INT8, INT32, INT64;
/// UINT8 is imported as i8, so ops whose result depends on the sign refuse
/// it at import): the operands of arithmetic that also runs on integers.
def Qnt_NumericTensor
    : StaticShapeTensorOf<[AnyFloat, quant_QuantizedType, I8, I32, I64]>;
/// Floats, quantized values or i32: the operands of matmul and conv, which
/// also compute in int32 (ONNX MatMulInteger and ConvInteger, after their
/// zero points are subtracted; products and sums wrap).
def Qnt_LinearTensor
    : StaticShapeTensorOf<[AnyFloat, quant_QuantizedType, I32]>;
/// Indices for gather.
def Qnt_IndexTensor : StaticShapeTensorOf<[I32, I64]>;

/// All float and quantized operands and results share one expressed type
/// (the float type itself, or the float a quantized type approximates).
def Qnt_SameExpressedElementType
    : NativeOpTrait<"SameExpressedElementType"> {
  let cppNamespace = "::mlir::qnt";
}

/// Integer operands share one type and are not mixed with floats.
def Qnt_SameIntegerElementType : NativeOpTrait<"SameIntegerElementType"> {
  let cppNamespace = "::mlir::qnt";
}

/// The two operands broadcast multidirectionally (numpy rules, as ONNX's
/// Add, Mul, …) and the result has the broadcast shape.
def Qnt_BroadcastsOperands : NativeOpTrait<"BroadcastsOperands"> {
  let cppNamespace = "::mlir::qnt";
}

/// Every ranked tensor operand and result has a byte size of at most
/// kMaxTensorBytes (2^63 - 1), so that no size the compiler, the generated
/// header or the C ABI forms from it can wrap (QntShapes.h, numBytes).
def Qnt_TensorSizesFit : NativeOpTrait<"TensorSizesFit"> {
  let cppNamespace = "::mlir::qnt";
}

class Qnt_Op<string mnemonic, list<Trait> traits = []>
    : Op<Qnt_Dialect, mnemonic, !listconcat([Qnt_TensorSizesFit], traits)>;

/// Element-wise ops: `scalar` is the body of
/// ElementwiseOpInterface::buildScalar (see Qnt_Scalar), the one place
/// their arithmetic is written.
class Qnt_ElementwiseOp<string mnemonic, list<Trait> traits, code scalar>
    : Qnt_Op<mnemonic,
             !listconcat([DeclareOpInterfaceMethods<Qnt_ElementwiseOpInterface>],
                         traits)> {
  let extraClassDefinition = Qnt_Scalar<scalar>.definition;
}

/// Element-wise ops with one operand: the result has the input's shape.
class Qnt_UnaryOp<string mnemonic, list<Trait> traits, code scalar>
    : Qnt_ElementwiseOp<mnemonic,
                        !listconcat([Pure, SameOperandsAndResultShape,
                                     Qnt_SameExpressedElementType], traits),
                        scalar> {
  let arguments = (ins Qnt_Tensor:$input);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

/// Element-wise ops with two broadcasting operands.
class Qnt_BinaryOp<string mnemonic, string onnx, code scalar,
                   list<Trait> traits = []>
    : Qnt_ElementwiseOp<mnemonic,
                        !listconcat([Pure, Qnt_BroadcastsOperands,
                                     Qnt_SameExpressedElementType,
                                     Qnt_SameIntegerElementType,
                                     Qnt_OnnxOp<onnx>], traits),
                        scalar> {
  let arguments = (ins Qnt_NumericTensor:$lhs, Qnt_NumericTensor:$rhs);
  let results = (outs Qnt_NumericTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let description = [{
    Element-wise, with multidirectional (numpy) broadcasting of `lhs` and
    `rhs`; the result has the broadcast shape. On integers (i8, i32, i64,
    signed; both operands and the result of one type) the arithmetic wraps,
    division truncates and is total (docs/Numerics.md, "Integer
    element-wise ops").

    Example:

    ```mlir
    %0 = qnt.}] # mnemonic # [{ %a, %b
        : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Qnt_ConstantOp : Qnt_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "output"]>,
     DeclareOpInterfaceMethods<Qnt_RangeTransferOpInterface,
                               ["inferResultRange"]>]> {
  let summary = "Constant tensor (ONNX initializers and Constant)";
  let description = [{
    A constant tensor. The importer stores weights as `dense_resource` blobs
    so that large tensors are neither printed element by element nor copied
    into the context's uniquer; small constants may use `dense`.

    Example:

    ```mlir
    %w = qnt.constant dense_resource<conv1.weight> : tensor<8x3x3x3xf32>
    %b = qnt.constant dense<[0.5, -1.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let builders = [
    OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>
  ];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and linear algebra
//===----------------------------------------------------------------------===//

def Qnt_ConvOp : Qnt_Op<"conv", [Pure, Qnt_SameExpressedElementType,
    Qnt_SameIntegerElementType,
    DeclareOpInterfaceMethods<Qnt_LinearLayerOpInterface>, Qnt_OnnxOp<"Conv">]> {
  let summary = "N-d convolution, grouped and depthwise (ONNX Conv)";
  let description = [{
    ONNX `Conv` in NC[D]HW layout with weights `M x C/group x k...`. Every
    attribute is explicit: `auto_pad` is resolved into `pads` by the importer.
    Depthwise convolution is `group == C` with one input channel per group.
    The output spatial size is
    `floor((in + pad_begin + pad_end - dilation * (k - 1) - 1) / stride) + 1`.
    On i32 operands (ONNX ConvInteger after its zero points) it computes in
    int32, wrapping, and pads with 0.

    Example:

    ```mlir
    %y = qnt.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64,
                              pads = array<i64: 1, 1, 1, 1>,
                              strides = array<i64: 2, 2>}
        : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
        -> tensor<1x16x16x16xf32>
    ```
  }];
  let arguments = (ins Qnt_LinearTensor:$input, Qnt_LinearTensor:$weight,
                       Optional<Qnt_LinearTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, I64Attr:$group);
  let results = (outs Qnt_LinearTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnt_ConvTransposeOp : Qnt_Op<"conv_transpose",
    [Pure, Qnt_SameExpressedElementType, Qnt_OnnxOp<"ConvTranspose">]> {
  let summary = "N-d transposed convolution (ONNX ConvTranspose)";
  let description = [{
    ONNX `ConvTranspose` with weights `C x M/group x k...`. The importer
    resolves `output_shape` and `auto_pad` into explicit `pads`. The output
    spatial size is
    `stride * (in - 1) + output_padding + dilation * (k - 1) + 1 - pad_begin - pad_end`.

    Example:

    ```mlir
    %y = qnt.conv_transpose %x, %w {dilations = array<i64: 1, 1>,
            group = 1 : i64, output_padding = array<i64: 1, 1>,
            pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
        : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input, Qnt_Tensor:$weight,
                       Optional<Qnt_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$output_padding, I64Attr:$group);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnt_MatMulOp : Qnt_Op<"matmul", [Pure, Qnt_SameExpressedElementType,
    Qnt_SameIntegerElementType,
    DeclareOpInterfaceMethods<Qnt_LinearLayerOpInterface>,
    Qnt_OnnxOp<"MatMul">]> {
  let summary = "Batched matrix product with numpy semantics (ONNX MatMul)";
  let description = [{
    ONNX `MatMul`: 1-D operands are promoted to matrices (and the added dim
    removed from the result), batch dims broadcast. On i32 operands the
    product is int32 (wrapping): ONNX MatMulInteger after its zero points.

    Example:

    ```mlir
    %y = qnt.matmul %a, %b
        : (tensor<2x16x64xf32>, tensor<64x32xf32>) -> tensor<2x16x32xf32>
    ```

    Canonicalization flattens a float matmul of a rank > 2 left-hand side
    by a matrix (`[..., M, K] x [K, N]`, a transformer's linear layer) into
    a 2-D matmul of the `... * M` rows between two `qnt.reshape`s, the form
    the linear-layer passes (SmoothQuant, GPTQ, AWQ, qnt-quantize) take.
    The matmul keeps its discardable attributes and the result reshape its
    `qnt.range`.
  }];
  let arguments = (ins Qnt_LinearTensor:$lhs, Qnt_LinearTensor:$rhs);
  let results = (outs Qnt_LinearTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Qnt_GemmOp : Qnt_Op<"gemm", [Pure, Qnt_SameExpressedElementType,
    DeclareOpInterfaceMethods<Qnt_LinearLayerOpInterface>,
    Qnt_OnnxOpCustom<"Gemm">]> {
  let summary = "General matrix multiply (ONNX Gemm)";
  let description = [{
    `alpha * op(A) * op(B) + beta * C` with `op` an optional transpose; `C`
    is optional and broadcasts (unidirectionally) to `M x N`.

    Example:

    ```mlir
    %y = qnt.gemm %a, %w, %c {trans_b = true}
        : (tensor<1x128xf32>, tensor<10x128xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$a, Qnt_Tensor:$b, Optional<Qnt_Tensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnt_DynamicLinearOp : Qnt_Op<"dynamic_linear",
    [Pure, Qnt_OnnxOpCustom<"MatMulInteger">]> {
  let summary = "x W^T + b with x quantized to int8 at run time";
  let description = [{
    Dynamic activation quantization (`qnt-quantize activations=dynamic`):
    the float input `x` ([..., K]; every index of the leading dims is a
    token) is quantized to int8 with scales computed from its own values
    when the op runs, multiplied with the static int8 weight `W` ([N, K],
    symmetric on [-127, 127], one scale per output channel or one), and
    the result is f32:

    * `scaling` says how x's scales are chosen, per tensor or per token:
      `absmax` is symmetric (scale = f32(max |x| / 127), zero point 0,
      grid [-127, 127]); `minmax` is asymmetric (the range widened to
      contain 0, scale = f32((max - min) / 255), zero point
      round_half_even(-128 - min / scale) on [-128, 127], as ONNX
      DynamicQuantizeLinear's uint8 grid shifted by 128). A scale of 0
      (all of x zero) becomes 1.
    * `q = clamp(round_half_even(x / scale) + zp)` with the f32 division of
      QuantizeLinear;
    * `acc[t, n] = sum_k (q[t, k] - zp[t]) * W[n, k]` in int32;
    * `y[t, n] = f32(acc) * f32(scale_x[t] * scale_w[n]) + b[n]`.

    docs/Numerics.md, "Dynamic activations", has the arithmetic.

    Example:

    ```mlir
    %y = qnt.dynamic_linear %x, %w, %b {scaling = #qnt.dynamic_scaling<per_token_absmax>}
        : (tensor<1x16x64xf32>, tensor<32x64x!quant.uniform<i8:f32:0, {...}>>,
           tensor<32xf32>) -> tensor<1x16x32xf32>
    ```
  }];
  let arguments = (ins Qnt_FloatTensor:$input, Qnt_Tensor:$weight,
      Optional<Qnt_FloatTensor>:$bias,
      DefaultValuedAttr<Qnt_DynamicScalingAttr,
          "::mlir::qnt::DynamicScaling::per_token_absmax">:$scaling);
  let results = (outs Qnt_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnt_DynamicMatMulOp : Qnt_Op<"dynamic_matmul",
    [Pure, Qnt_OnnxOpCustom<"MatMulInteger">]> {
  let summary = "A batched product of two activations, both quantized to "
                "int8 at run time";
  let description = [{
    `lhs [..., M, K] x rhs [..., K, N]` (equal batch dims) with both
    operands quantized as `qnt.dynamic_linear` quantizes its input, with
    the scale constant along K: per token means one scale (and zero
    point) per row of `lhs` and per column of `rhs`, per tensor one for
    each operand. Then
    `acc = sum_k (qa[m, k] - za[m]) * (qb[k, n] - zb[n])` in int32 and
    `y = f32(acc) * f32(sa[m] * sb[n])`. For attention's `Q K^T` and
    `softmax(.) V` (docs/Numerics.md, "Dynamic activations").

    Example:

    ```mlir
    %y = qnt.dynamic_matmul %q, %kt
        : (tensor<1x4x17x16xf32>, tensor<1x4x16x17xf32>) -> tensor<1x4x17x17xf32>
    ```
  }];
  let arguments = (ins Qnt_FloatTensor:$lhs, Qnt_FloatTensor:$rhs,
      DefaultValuedAttr<Qnt_DynamicScalingAttr,
          "::mlir::qnt::DynamicScaling::per_token_absmax">:$scaling);
  let results = (outs Qnt_FloatTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Qnt_BatchNormOp : Qnt_Op<"batch_norm",
    [Pure, Qnt_SameExpressedElementType, Qnt_OnnxOp<"BatchNormalization">]> {
  let summary = "Inference-mode batch normalization (ONNX BatchNormalization)";
  let description = [{
    `scale * (x - mean) / sqrt(variance + epsilon) + bias` over channel
    dim 1. `qnt-fold-batch-norm` folds it into a preceding conv or gemm.

    Example:

    ```mlir
    %y = qnt.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32}
        : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>,
           tensor<8xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input, Qnt_Tensor:$scale, Qnt_Tensor:$bias,
                       Qnt_Tensor:$mean, Qnt_Tensor:$variance,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qnt_LayerNormOp : Qnt_Op<"layer_norm",
    [Pure, Qnt_SameExpressedElementType, Qnt_OnnxOp<"LayerNormalization">]> {
  let summary = "Layer normalization (ONNX LayerNormalization)";
  let description = [{
    Normalizes over dims `[axis, rank)`: `(x - mean) / sqrt(var + epsilon) *
    scale + bias`, where `scale` and `bias` broadcast to the normalized
    shape. The importer also recognises the decomposed ReduceMean/Sub/Pow/
    Sqrt/Div pattern of opsets before 17.

    Example:

    ```mlir
    %y = qnt.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-05 : f32}
        : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input, Qnt_Tensor:$scale,
                       Optional<Qnt_Tensor>:$bias, I64Attr:$axis,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Element-wise binary
//===----------------------------------------------------------------------===//

def Qnt_AddOp : Qnt_BinaryOp<"add", "Add", [{
    return s.add(args[0], args[1]);
  }], [Commutative]> {
  let summary = "Element-wise addition (ONNX Add)";
}
def Qnt_SubOp : Qnt_BinaryOp<"sub", "Sub", [{
    return s.sub(args[0], args[1]);
  }]> {
  let summary = "Element-wise subtraction (ONNX Sub)";
}
def Qnt_MulOp : Qnt_BinaryOp<"mul", "Mul", [{
    return s.mul(args[0], args[1]);
  }], [Commutative]> {
  let summary = "Element-wise multiplication (ONNX Mul)";
}
def Qnt_DivOp : Qnt_BinaryOp<"div", "Div", [{
    return s.div(args[0], args[1]);
  }]> {
  let summary = "Element-wise division (ONNX Div)";
}
def Qnt_PowOp : Qnt_BinaryOp<"pow", "Pow", [{
    return s.pow(args[0], args[1]);
  }]> {
  let summary = "Element-wise power (ONNX Pow)";
}
def Qnt_MaxOp : Qnt_BinaryOp<"max", "Max", [{
    return s.max(args[0], args[1]);
  }], [Commutative]> {
  let summary = "Element-wise maximum (ONNX Max, two operands)";
}
def Qnt_MinOp : Qnt_BinaryOp<"min", "Min", [{
    return s.min(args[0], args[1]);
  }], [Commutative]> {
  let summary = "Element-wise minimum (ONNX Min, two operands)";
}

def Qnt_CompareOp : Qnt_Op<"compare",
    [Pure, Qnt_BroadcastsOperands, Qnt_SameExpressedElementType,
     Qnt_SameIntegerElementType,
     DeclareOpInterfaceMethods<Qnt_ElementwiseOpInterface>,
     DeclareOpInterfaceMethods<Qnt_OnnxExportOpInterface, ["exportToOnnx"]>]> {
  let summary = "Element-wise comparison (ONNX Equal, Greater, Less, ...)";
  let description = [{
    Compares `lhs` and `rhs` element by element with `predicate`, with
    multidirectional broadcasting; the result is a tensor of `i1`. Together
    with `qnt.select` it expresses ONNX If nodes whose branches the importer
    evaluates both of.

    Example:

    ```mlir
    %c = qnt.compare %p, %t {predicate = #qnt.compare_predicate<ge>}
        : (tensor<1x1xf32>, tensor<f32>) -> tensor<1x1xi1>
    ```
  }];
  let arguments = (ins Qnt_NumericTensor:$lhs, Qnt_NumericTensor:$rhs,
                       Qnt_ComparePredicateAttr:$predicate);
  let results = (outs StaticShapeTensorOf<[I1]>:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Qnt_SelectOp : Qnt_ElementwiseOp<"select",
    [Pure, Qnt_SameExpressedElementType, Qnt_SameIntegerElementType,
     Qnt_OnnxOp<"Where">], [{
    return s.select(args[0], args[1], args[2]);
  }]> {
  let summary = "Element-wise choice (ONNX Where)";
  let description = [{
    `condition ? on_true : on_false` element by element; the three operands
    broadcast multidirectionally to the result shape.

    Example:

    ```mlir
    %y = qnt.select %c, %a, %b
        : (tensor<1x1xi1>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[I1]>:$condition,
                       Qnt_NumericTensor:$on_true,
                       Qnt_NumericTensor:$on_false);
  let results = (outs Qnt_NumericTensor:$output);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Element-wise unary and activations
//===----------------------------------------------------------------------===//

class Qnt_SimpleUnaryOp<string mnemonic, string onnx, string formula,
                        code scalar, list<Trait> traits = []>
    : Qnt_UnaryOp<mnemonic, !listconcat([Qnt_OnnxOp<onnx>], traits),
                  scalar> {
  let summary = "Element-wise " # formula # " (ONNX " # onnx # ")";
  let description = [{
    Computes `}] # formula # [{` element by element.

    Example:

    ```mlir
    %y = qnt.}] # mnemonic # [{ %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
}

def Qnt_SqrtOp : Qnt_SimpleUnaryOp<"sqrt", "Sqrt", "sqrt(x)", [{
    return s.sqrt(args[0]);
  }]>;
def Qnt_ExpOp : Qnt_SimpleUnaryOp<"exp", "Exp", "exp(x)", [{
    return s.exp(args[0]);
  }], [Qnt_InfersRange]>;
def Qnt_LogOp : Qnt_SimpleUnaryOp<"log", "Log", "log(x)", [{
    return s.log(args[0]);
  }]>;
def Qnt_ErfOp : Qnt_SimpleUnaryOp<"erf", "Erf", "erf(x)", [{
    return s.erf(args[0]);
  }], [Qnt_InfersRange]>;
def Qnt_TanhOp : Qnt_SimpleUnaryOp<"tanh", "Tanh", "tanh(x)", [{
    return s.tanh(args[0]);
  }], [Qnt_InfersRange]>;
def Qnt_AbsOp : Qnt_SimpleUnaryOp<"abs", "Abs", "|x|", [{
    return s.abs(args[0]);
  }]>;
def Qnt_RoundOp : Qnt_SimpleUnaryOp<"round", "Round",
    "x rounded to the nearest integer, halves to even", [{
    return s.roundEven(args[0]);
  }]>;
def Qnt_ReluOp : Qnt_SimpleUnaryOp<"relu", "Relu", "max(x, 0)", [{
    return s.max(args[0], s.c(0.0));
  }], [Qnt_InfersRange]>;
def Qnt_SigmoidOp
    : Qnt_SimpleUnaryOp<"sigmoid", "Sigmoid", "1 / (1 + exp(-x))", [{
    Value e = s.exp(s.neg(args[0]));
    return s.div(s.c(1.0), s.add(s.c(1.0), e));
  }], [Qnt_InfersRange]>;
def Qnt_SoftplusOp
    : Qnt_SimpleUnaryOp<"softplus", "Softplus", "log(1 + exp(x))", [{
    return s.softplus(args[0]);
  }], [Qnt_InfersRange]>;
def Qnt_HardSwishOp
    : Qnt_SimpleUnaryOp<"hard_swish", "HardSwish",
                        "x * max(0, min(1, x / 6 + 1 / 2))", [{
    return s.mul(args[0], s.hardSigmoid(args[0], 1.0 / 6.0, 0.5));
  }]>;

def Qnt_LeakyReluOp : Qnt_UnaryOp<"leaky_relu",
    [Qnt_InfersRange, Qnt_OnnxOp<"LeakyRelu">], [{
    Value negative = s.cmp(arith::CmpFPredicate::OLT, args[0], s.c(0.0));
    Value scaled = s.mul(args[0], s.c(getAlpha().convertToDouble()));
    return s.select(negative, scaled, args[0]);
  }]> {
  let summary = "Leaky rectifier (ONNX LeakyRelu)";
  let description = [{
    `x` where `x >= 0`, `alpha * x` elsewhere.

    Example:

    ```mlir
    %y = qnt.leaky_relu %x {alpha = 1.000000e-01 : f32}
        : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

def Qnt_FakeQuantOp : Qnt_UnaryOp<"fake_quant", [], [{
    // QuantMath's quantize (f32 division, half-even rounding, the zero
    // point added, saturated; NaN to the zero point), then dequantized.
    Value x = args[0];
    Value scale = s.c(getScale().convertToDouble());
    // I64Attr reads back as uint64_t: the grid is signed.
    auto asDouble = [](uint64_t v) {
      return static_cast<double>(static_cast<int64_t>(v));
    };
    Value zp = s.c(asDouble(getZeroPoint()));
    Value q = s.add(s.roundEven(s.div(x, scale)), zp);
    q = s.min(s.max(q, s.c(asDouble(getQmin()))), s.c(asDouble(getQmax())));
    q = s.select(s.cmp(arith::CmpFPredicate::UNO, x, x), zp, q);
    return s.mul(s.sub(q, zp), scale);
  }]> {
  let summary = "Quantize to an integer grid and back, in float";
  let description = [{
    `(clamp(round_half_even(x / scale) + zero_point, qmin, qmax) -
    zero_point) * scale`, with NaN mapped to 0: what an ONNX
    QuantizeLinear / DequantizeLinear pair computes (the division in f32),
    without leaving float. `qnt-quant-report` uses it to simulate a
    quantized layer inside a float model (upstream folds
    `quant.dcast(quant.qcast(x))` to `x`, so a cast pair would vanish).

    Example:

    ```mlir
    %y = qnt.fake_quant %x {scale = 0.5 : f32, zero_point = 3 : i64,
                            qmin = -128 : i64, qmax = 127 : i64}
        : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Qnt_FloatTensor:$input, F32Attr:$scale,
                       I64Attr:$zero_point, I64Attr:$qmin, I64Attr:$qmax);
  let hasVerifier = 1;
}

def Qnt_ClampOp : Qnt_UnaryOp<"clamp",
    [Qnt_InfersRange, Qnt_OnnxOpCustom<"Clip">], [{
    Value x = args[0];
    if (std::optional<APFloat> min = getMin())
      x = s.max(x, s.c(min->convertToDouble()));
    if (std::optional<APFloat> max = getMax())
      x = s.min(x, s.c(max->convertToDouble()));
    return x;
  }]> {
  let summary = "Clamp to [min, max] (ONNX Clip, Relu6)";
  let description = [{
    `min(max(x, min), max)`; either bound may be absent (unbounded). ONNX
    Clip (attributes before opset 11, constant inputs after) and Relu6 both
    become this op. Requires `min <= max` when both are present.

    Example:

    ```mlir
    %y = qnt.clamp %x {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
        : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input, OptionalAttr<F32Attr>:$min,
                       OptionalAttr<F32Attr>:$max);
  let hasVerifier = 1;
}

def Qnt_HardSigmoidOp : Qnt_UnaryOp<"hard_sigmoid",
    [Qnt_InfersRange, Qnt_OnnxOp<"HardSigmoid">], [{
    return s.hardSigmoid(args[0], getAlpha().convertToDouble(),
                         getBeta().convertToDouble());
  }]> {
  let summary = "Piecewise-linear sigmoid (ONNX HardSigmoid)";
  let description = [{
    `max(0, min(1, alpha * x + beta))`.

    Example:

    ```mlir
    %y = qnt.hard_sigmoid %x {alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32}
        : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input,
                       DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.5f">:$beta);
}

def Qnt_GeluOp : Qnt_UnaryOp<"gelu", [Qnt_OnnxOpCustom<"Gelu">], [{
    Value x = args[0];
    Value inner;
    if (getApproximate() == GeluApproximation::tanh) {
      // tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))
      Value cube = s.mul(s.mul(x, x), x);
      Value poly = s.add(x, s.mul(s.c(0.044715), cube));
      inner = s.tanh(s.mul(s.c(std::sqrt(2.0 / M_PI)), poly));
    } else {
      // erf(x / sqrt(2))
      inner = s.erf(s.mul(x, s.c(M_SQRT1_2)));
    }
    return s.mul(s.mul(s.c(0.5), x), s.add(s.c(1.0), inner));
  }]> {
  let summary = "Gaussian error linear unit (ONNX Gelu)";
  let description = [{
    `0.5 * x * (1 + erf(x / sqrt(2)))`, or with `approximate = tanh`,
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`. The
    importer recognises the Div/Erf/Add/Mul pattern that exporters emit
    before opset 20.

    Example:

    ```mlir
    %y = qnt.gelu %x {approximate = #qnt.gelu_approximation<tanh>}
        : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input,
      DefaultValuedAttr<Qnt_GeluApproximationAttr,
                        "::mlir::qnt::GeluApproximation::none">:$approximate);
}

def Qnt_SoftmaxOp : Qnt_Op<"softmax",
    [Pure, SameOperandsAndResultShape, Qnt_SameExpressedElementType,
     Qnt_InfersRange, Qnt_OnnxOp<"Softmax">]> {
  let summary = "Softmax along one axis (ONNX Softmax, opset 13 semantics)";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis`. Softmax before opset 13
    (which flattens to 2-D) is imported as reshape + softmax + reshape.

    Example:

    ```mlir
    %y = qnt.softmax %x {axis = 1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input, I64Attr:$axis);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling and resize
//===----------------------------------------------------------------------===//

def Qnt_MaxPoolOp : Qnt_Op<"max_pool", [Pure, Qnt_SameExpressedElementType,
    Qnt_ForwardsRange, Qnt_PreservesGrid, Qnt_OnnxOp<"MaxPool">]> {
  let summary = "Max pooling (ONNX MaxPool)";
  let description = [{
    Padding never wins the max. The output spatial size is
    `floor_or_ceil((in + pad_begin + pad_end - dilation * (k - 1) - 1) / stride) + 1`,
    with `ceil` when `ceil_mode` is set (ONNX's formula as written in the
    operator spec).

    Example:

    ```mlir
    %y = qnt.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>,
                          pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
        : (tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnt_AveragePoolOp : Qnt_Op<"average_pool",
    [Pure, Qnt_SameExpressedElementType, Qnt_SharesOperandRange,
     Qnt_InfersRange, Qnt_OnnxOpCustom<"AveragePool">]> {
  let summary = "Average pooling (ONNX AveragePool)";
  let description = [{
    Mean over each window; padded positions count in the divisor only when
    `count_include_pad` is set. Output size as for `qnt.max_pool`.

    Example:

    ```mlir
    %y = qnt.average_pool %x {count_include_pad = false, dilations = array<i64: 1, 1>,
                              kernel_shape = array<i64: 3, 3>,
                              pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
        : (tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnt_GlobalAveragePoolOp : Qnt_Op<"global_average_pool",
    [Pure, Qnt_SameExpressedElementType, Qnt_ForwardsRange,
     Qnt_OnnxOp<"GlobalAveragePool">]> {
  let summary = "Mean over all spatial dims (ONNX GlobalAveragePool)";
  let description = [{
    `N x C x d...` to `N x C x 1...`.

    Example:

    ```mlir
    %y = qnt.global_average_pool %x : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnt_ResizeOp : Qnt_Op<"resize", [Pure, Qnt_SameExpressedElementType,
    DeclareOpInterfaceMethods<Qnt_RangeTransferOpInterface,
        ["inferResultRange", "getRangeSharingOperands"]>,
    Qnt_OnnxOpCustom<"Resize">]> {
  let summary = "Resize by interpolation (ONNX Resize, Upsample)";
  let description = [{
    Scales every dim by `scales` (one per dim). The importer turns ONNX
    `sizes` into scales `out / in`; the result shape is static and within
    one of `in * scale` on every dim. `scales` take part in the coordinate
    transform exactly as in ONNX, so both forms compute what ONNX computes.

    Example:

    ```mlir
    %y = qnt.resize %x {coordinate_transform = #qnt.coordinate_transform<asymmetric>,
                        mode = #qnt.resize_mode<nearest>,
                        nearest_mode = #qnt.nearest_mode<floor>,
                        scales = array<f32: 1.0, 1.0, 2.0, 2.0>}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input, DenseF32ArrayAttr:$scales,
      DefaultValuedAttr<Qnt_ResizeModeAttr,
                        "::mlir::qnt::ResizeMode::nearest">:$mode,
      DefaultValuedAttr<Qnt_CoordinateTransformAttr,
          "::mlir::qnt::CoordinateTransform::half_pixel">:$coordinate_transform,
      DefaultValuedAttr<Qnt_NearestModeAttr,
          "::mlir::qnt::NearestMode::round_prefer_floor">:$nearest_mode,
      DefaultValuedAttr<F32Attr, "-0.75f">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Qnt_ConcatOp : Qnt_Op<"concat", [Pure, SameOperandsAndResultElementType,
    DeclareOpInterfaceMethods<Qnt_RangeTransferOpInterface,
        ["inferResultRange", "getRangeSharingOperands"]>,
    Qnt_OnnxOp<"Concat">]> {
  let summary = "Concatenation along an axis (ONNX Concat)";
  let description = [{
    Inputs agree on every dim but `axis`; quantized inputs share one type
    (quantization gives concat inputs one scale).

    Example:

    ```mlir
    %y = qnt.concat %a, %b {axis = 1 : i64}
        : (tensor<1x8x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x12x4x4xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyStaticShapeTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Qnt_ReshapeOp : Qnt_Op<"reshape", [Pure, SameOperandsAndResultElementType,
    Qnt_ForwardsRange, Qnt_PreservesGrid, Qnt_OnnxOpCustom<"Reshape">]> {
  let summary = "Reshape (ONNX Reshape, Flatten, Squeeze, Unsqueeze)";
  let description = [{
    Reinterprets the row-major element order with the result's static shape.

    Example:

    ```mlir
    %y = qnt.reshape %x : (tensor<1x8x2x2xf32>) -> tensor<1x32xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$input);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Qnt_TransposeOp : Qnt_Op<"transpose",
    [Pure, SameOperandsAndResultElementType, Qnt_ForwardsRange,
     Qnt_PreservesGrid, Qnt_OnnxOp<"Transpose">]> {
  let summary = "Permute dims (ONNX Transpose)";
  let description = [{
    Result dim `i` is input dim `perm[i]`.

    Example:

    ```mlir
    %y = qnt.transpose %x {perm = array<i64: 0, 2, 1>}
        : (tensor<1x16x64xf32>) -> tensor<1x64x16xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// Whether the permutation swaps the last two dims and keeps the others
    /// (a batched matrix transpose, as attention's K^T).
    bool swapsLastTwoDims();
  }];
}

def Qnt_SliceOp : Qnt_Op<"slice", [Pure, SameOperandsAndResultElementType,
    Qnt_ForwardsRange, Qnt_PreservesGrid, Qnt_OnnxOpCustom<"Slice">]> {
  let summary = "Strided slice (ONNX Slice)";
  let description = [{
    One `start`, `end` and non-zero `step` per dim, already clamped the way
    ONNX clamps them: for a positive step `0 <= start, end <= dim`; for a
    negative step `0 <= start <= dim - 1` and `-1 <= end <= dim - 1`. The
    result dim is `max(0, ceil((end - start) / step))`.

    Example:

    ```mlir
    %y = qnt.slice %x {ends = array<i64: 1, 8>, starts = array<i64: 0, 2>,
                       steps = array<i64: 1, 2>}
        : (tensor<1x8xf32>) -> tensor<1x3xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Qnt_GatherOp : Qnt_Op<"gather", [Pure, Qnt_ForwardsRange,
                                      Qnt_OnnxOp<"Gather">]> {
  let summary = "Gather slices along an axis (ONNX Gather)";
  let description = [{
    The result shape is `data[:axis] + indices + data[axis+1:]`. Negative
    indices count from the end, as in ONNX.

    Example:

    ```mlir
    %y = qnt.gather %table, %ids {axis = 0 : i64}
        : (tensor<100x16xf32>, tensor<1x5xi64>) -> tensor<1x5x16xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$data, Qnt_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnt_PadOp : Qnt_Op<"pad", [Pure, SameOperandsAndResultElementType,
    Qnt_SharesOperandRange, Qnt_InfersRange, Qnt_OnnxOpCustom<"Pad">]> {
  let summary = "Pad or crop the borders (ONNX Pad)";
  let description = [{
    `pads` is ONNX-ordered `[begin..., end...]` with one pair per dim;
    negative pads crop. `mode` is `constant` (fill with `value`), `reflect`
    or `edge`.

    Example:

    ```mlir
    %y = qnt.pad %x {mode = #qnt.pad_mode<reflect>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
        : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$input, DenseI64ArrayAttr:$pads,
      DefaultValuedAttr<Qnt_PadModeAttr, "::mlir::qnt::PadMode::constant">:$mode,
      DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnt_CastOp : Qnt_Op<"cast", [Pure, SameOperandsAndResultShape,
                                  Qnt_OnnxOpCustom<"Cast">]> {
  let summary = "Element type conversion (ONNX Cast)";
  let description = [{
    Converts each element to the result's element type with ONNX Cast
    semantics (float to integer truncates toward zero).

    Example:

    ```mlir
    %y = qnt.cast %x : (tensor<4xf32>) -> tensor<4xf16>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$input);
  let results = (outs AnyStaticShapeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Qnt_ReduceOp<string mnemonic, string onnx, list<Trait> traits = []>
    : Qnt_Op<mnemonic, !listconcat([Pure, Qnt_SameExpressedElementType],
                                   traits)> {
  let summary = "Reduction over axes (ONNX " # onnx # ")";
  let description = [{
    Reduces over `axes` (sorted, unique, non-empty: the importer resolves
    ONNX's empty-axes forms); `keepdims` keeps them as size-1 dims.

    Example:

    ```mlir
    %y = qnt.}] # mnemonic # [{ %x {axes = array<i64: 2, 3>, keepdims = true}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
    ```
  }];
  let arguments = (ins Qnt_Tensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Qnt_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnt_ReduceMeanOp : Qnt_ReduceOp<"reduce_mean", "ReduceMean",
                                    [Qnt_ForwardsRange,
                                     Qnt_OnnxOp<"ReduceMean">]>;
def Qnt_ReduceMaxOp : Qnt_ReduceOp<"reduce_max", "ReduceMax",
                                   [Qnt_ForwardsRange, Qnt_OnnxOp<"ReduceMax">]>;
// ReduceSum takes its axes as an input from opset 13.
def Qnt_ReduceSumOp : Qnt_ReduceOp<"reduce_sum", "ReduceSum",
                                   [Qnt_OnnxOpCustom<"ReduceSum">]>;
def Qnt_ReduceMinOp : Qnt_ReduceOp<"reduce_min", "ReduceMin",
                                   [Qnt_ForwardsRange, Qnt_OnnxOp<"ReduceMin">]>;
def Qnt_ReduceProdOp : Qnt_ReduceOp<"reduce_prod", "ReduceProd",
                                    [Qnt_OnnxOp<"ReduceProd">]>;

class Qnt_ArgOp<string mnemonic, string onnx>
    : Qnt_Op<mnemonic, [Pure, Qnt_OnnxOp<onnx>]> {
  let summary = "Index of the extreme along an axis (ONNX " # onnx # ")";
  let description = [{
    The i64 index of the }] # !if(!eq(onnx, "ArgMax"), "largest", "smallest") # [{
    element along `axis`; `keepdims` keeps the axis as a size-1 dim. Ties
    give the first index, or the last with `select_last_index`. NaNs are
    never selected unless every element is NaN (then 0).

    Example:

    ```mlir
    %i = qnt.}] # mnemonic # [{ %x {axis = 1 : i64, keepdims = false}
        : (tensor<2x10xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Qnt_FloatTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs StaticShapeTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qnt_ArgMaxOp : Qnt_ArgOp<"arg_max", "ArgMax">;
def Qnt_ArgMinOp : Qnt_ArgOp<"arg_min", "ArgMin">;

def Qnt_TopKOp : Qnt_Op<"top_k", [Pure,
                                   Qnt_OnnxOpCustom<"TopK">]> {
  let summary = "The k largest or smallest elements along an axis (ONNX TopK)";
  let description = [{
    The `k` largest (or, with `largest = false`, smallest) elements of
    `input` along `axis`, sorted, and their i64 indices along it. Ties keep
    the lower index first, as ONNX asks; a NaN counts as larger than every
    number (so it comes first for largest, last for smallest), and NaNs tie
    with each other. Both results have the input's shape with `k` at
    `axis`. The order is total, so the result is fully determined (ONNX's
    `sorted = 0`, which leaves the order open, gets the same).

    Example:

    ```mlir
    %v, %i = qnt.top_k %x {axis = 1 : i64, k = 3 : i64}
        : (tensor<3x4xf32>) -> (tensor<3x3xf32>, tensor<3x3xi64>)
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[AnyFloat, I8, I32, I64]>:$input,
                       I64Attr:$axis, I64Attr:$k,
                       DefaultValuedAttr<BoolAttr, "true">:$largest);
  let results = (outs StaticShapeTensorOf<[AnyFloat, I8, I32, I64]>:$values,
                      StaticShapeTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // QUANT_DIALECT_QNT_IR_QNTOPS_TD
