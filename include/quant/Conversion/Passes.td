//===- Passes.td - Conversions out of the qnt dialect ------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CONVERSION_PASSES_TD
#define QUANT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQntToLinalg : Pass<"convert-qnt-to-linalg"> {
  let summary = "Lower float qnt ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every `qnt` op on float tensors into upstream dialects on
    tensors, keeping the graph's NCHW layout:

    * element-wise ops (with ONNX broadcasting), `cast`, `batch_norm`:
      one `linalg.generic` each, broadcasting through indexing maps;
    * `conv`: `tensor.pad` + `linalg.conv_2d_nchw_fchw`,
      `linalg.depthwise_conv_2d_nchw_chw` or `linalg.conv_2d_ngchw_gfchw`
      (1-D convs as 2-D with a unit height), accumulating into the
      broadcast bias; `conv_transpose`: a zero-interleaved, padded input
      and a convolution with the flipped, regrouped weights (at compile
      time for constant f32 weights, else a `linalg.generic`), or, where
      the windows tile the output (stride = kernel, no pads, dilation 1,
      one group), a 1x1 convolution to Co*kh*kw channels and a
      depth-to-space `linalg.generic` that adds the bias;
    * `matmul`/`gemm`: `linalg.matmul` (batch folded into M when the right
      operand is 2-D), else one contraction `linalg.generic` with
      broadcasting batch maps; constant `trans_b` weights are transposed at
      compile time;
    * pools: `linalg.pooling_nchw_max` / `linalg.pooling_nchw_sum` and a
      divide by a constant per-position window count;
    * `softmax`, `layer_norm`, reductions: `linalg.reduce` and
      `linalg.generic` with reduction iterators;
    * data movement: `tensor.extract_slice`/`insert_slice`/`pad`/`concat`,
      `linalg.transpose`, `tensor.collapse_shape`/`expand_shape`, and
      gathers, edge/reflect pads, negative-step slices and resizes as a
      `linalg.generic` with `tensor.extract`, except nearest resizes that
      only repeat elements (out = s * in, and the op's coordinate transform
      and rounding read o / s for every output index o, checked at compile
      time): a `linalg.broadcast` into [.., in, s, ..] and a
      `tensor.collapse_shape`, plain copies instead of gathers.

    TOSA is not used for the float path: TOSA's convolutions are NHWC and
    its element-wise ops need equal ranks, so each would add transposes and
    reshapes that linalg's NCHW named ops and broadcasting maps avoid.

    The arithmetic follows docs/Numerics.md (float semantics). Ops the
    lowering cannot express (quantized operands, cubic resize, linear resize
    of more than 3 dims, 3-D convolutions and pools) are all reported, one
    error at each op with the reason, before anything is rewritten, and the
    pass fails.

    Calibration attributes (`qnt.range`, `qnt.channel_range`, `qnt.stats`
    on function arguments and results, `qnt.calibration` on the module)
    describe the qnt graph; the float lowering does not use them and drops
    them, so the arguments can later become pointers.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect"
  ];
}

def QntInt8Tables : Pass<"qnt-int8-tables"> {
  let summary = "Run float element-wise chains between int8 values as "
                "256-entry tables";
  let description = [{
    `quant.qcast(f(quant.dcast(x)))` with `x` a per-tensor int8 tensor and
    `f` a chain of float element-wise qnt ops (at most 32, all of `x`'s
    shape, in one block) whose only other inputs are one-element constants
    takes one of 256 values per element. On tensors of at least 256
    elements (smaller ones are cheaper in float), the pass replaces the
    `qcast` by a lookup: the 256 int8 values of `x`'s grid go through `quant.dcast`, a clone of
    `f` and the `qcast` (a 256-element computation at run time, exactly the
    float path's arithmetic), and each element of `x` reads the result at
    `x + 128` (a `linalg.generic` with `tensor.extract`, on the storage
    types). Constants that vary along one dim of `x` (all along the same
    dim, e.g. a batch norm exported as a per-channel Mul and Add: shape
    `[1, C, 1, 1]` against `[N, C, H, W]`) give one table per index of that
    dim: the entries are `x`'s rank with `C` on that dim and 256 on the
    last (the one before when the channels are last), every channel all
    256 values, so the constants broadcast as before; each element reads
    row `c` of the `[C][256]` (or `[256][C]`) table. Such chains need at
    least 256 elements per table. An empty `f`, `qcast(dcast(x))` from one
    grid to another (a concat operand requantized to the concat's grid by
    `qnt-quantize`), is a table too. The float chain stays only for other readers. This is how
    activations between int8 layers (hardswish written as
    `x * clip(x + 3, 0, 6) / 6`, a per-tensor affine, sigmoid, GELU) cost
    a byte load per element instead of a dequantize, the float ops and a
    quantize. `buildLowerToLinalgPipeline` runs it before
    `convert-quantized-qnt-to-linalg`.

    Example: `qcast(hard_swish(dcast(x)))` becomes
    `scast(generic(scast(x)) { tensor.extract %table[x + 128] })` with
    `%table` = `scast(qcast(hard_swish(dcast(scast(dense<[-128..127]>)))))`.
  }];
  let statistics = [
    Statistic<"numTables", "num-tables", "qcasts replaced by table lookups">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::quant::QuantDialect",
    "::mlir::qnt::QntDialect"
  ];
}

def ConvertQuantizedQntToLinalg : Pass<"convert-quantized-qnt-to-linalg"> {
  let summary = "Lower quantized qnt ops and quant casts to integer linalg "
                "(the reference int8 lowering)";
  let description = [{
    The int8 counterpart of `convert-qnt-to-linalg`, run before it. Every
    rule is docs/Numerics.md's "Integer semantics", with the multipliers
    and shifts computed by quant/Quantization/QuantMath.h:

    * `quant.qcast` (f32 to per-tensor int8): one f32 division `x /
      scale`, clamped to `[qmin - zp, qmax - zp]`, `roundeven`, `+ zp`
      (NaN gives the zero point);
      `quant.dcast`: `f32(q - zp) * f32(scale)`;
    * quantized `qnt.conv` (2-D, group 1): the input padded with its zero
      point, `linalg.conv_2d_nchw_fchw_q` into an i32 accumulator that
      starts at the bias, then a requantizing `linalg.generic`; a
      depthwise one (group = channels) as one `linalg.generic` over
      `(n, c, oh, ow, y, x)`, `acc += (x - zp) * w` in i32 from the bias
      (linalg has no NCHW depthwise op with zero points);
    * quantized `qnt.gemm` (no `trans_a`) and 2-D `qnt.matmul`: one
      contraction `linalg.generic` `acc += (a - zp_a) * b` in i32, then the
      same requantization;
    * requantization: per output channel `(acc * m + 2^(s-1)) >> s` in
      i64, plus the output zero point, clamped (ties toward +infinity);
    * int4 layers (`qnt.conv`/`qnt.gemm`/`qnt.matmul` with a grouped i4
      weight, int8 input, f32 bias and result): the weights packed two per
      byte (output channels 2p and 2p+1 in the low and high nibble), an i32
      group-sum `linalg.generic` that unpacks them with shifts, an f32
      generic that adds the groups in order (`acc + f32(S_g) * f32(s_x *
      s_w)`), then the bias (docs/Numerics.md, "int4 weights");
    * quantized `qnt.max_pool`: `linalg.pooling_nchw_max` on int8, padded
      with the storage minimum; `reshape`, `transpose` and `slice` become
      the same qnt ops on the storage type for `convert-qnt-to-linalg`.

    Values cross between quantized and storage types through `quant.scast`,
    and pairs of them are removed at the end. A quantized op it cannot lower
    is one error at the op, before anything is rewritten. The result is
    plain loops for the CPU pipeline to compile: the reference the
    optimized int8 kernels are to match bit for bit.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::quant::QuantDialect"
  ];
}

#endif // QUANT_CONVERSION_PASSES_TD
