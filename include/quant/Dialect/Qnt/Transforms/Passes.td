//===- Passes.td - Transformations on the qnt dialect -------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_TRANSFORMS_PASSES_TD
#define QUANT_DIALECT_QNT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"
include "quant/Quantization/Options.td"

def QntFoldBatchNorm : Pass<"qnt-fold-batch-norm"> {
  let summary = "Fold inference batch normalization into a preceding conv, conv_transpose or gemm";
  let description = [{
    A `qnt.batch_norm` whose input is the only use of a `qnt.conv`,
    `qnt.conv_transpose` or `qnt.gemm` with constant f32 weights (and
    constant bias, if any) becomes part of that op. With
    `s = scale / sqrt(variance + epsilon)` per channel:

    * weights: `w'[m, ...] = w[m, ...] * s[m]` (for conv_transpose, whose
      weights are `C_in x M/group x k...`, `w[c, j, ...]` scales by the
      output channel `g * M/group + j` of input channel `c`'s group `g`; for
      gemm, the columns of `op(B)`);
    * bias: `b'[m] = (b[m] - mean[m]) * s[m] + bias[m]` (for gemm,
      `c' = (beta * c - mean) * s + bias` and `beta' = 1`).

    A per-channel constant added between the producer and the batch_norm
    (exporters keep a ConvTranspose bias as a separate Add) is first moved
    into the batch_norm's mean: `bn(x + c) = bn'(x)` with `mean' = mean - c`.

    `s` is computed in double and each folded value is rounded once to f32,
    so the folded op computes the same function as the pair, up to one f32
    rounding per folded parameter. New constants larger than 16 elements are
    `dense_resource` blobs; the new op's location fuses both originals so
    later diagnostics still name the ONNX nodes.

    Before:

    ```mlir
    %c = qnt.conv %x, %w {…} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
    %y = qnt.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32} : …
    ```

    After:

    ```mlir
    %y = qnt.conv %x, %w2, %b2 {…} : (…, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
    ```

    A batch_norm that cannot be folded (non-constant parameters, a producer
    with other uses, quantized types) is left alone.
  }];
  let dependentDialects = ["::mlir::qnt::QntDialect"];
  let statistics = [
    Statistic<"numFolded", "num-folded", "Number of batch_norm ops folded">
  ];
}

def QntCrossLayerEqualize
    : Pass<"qnt-cross-layer-equalize", "::mlir::func::FuncOp"> {
  let summary = "Equalize per-channel weight ranges of consecutive layers "
                "(Nagel et al. 2019)";
  let description = [{
    Cross-layer equalization rescales the output channels of one layer and
    the matching input channels of the next so that both have the same
    weight range per channel, which per-tensor quantization then covers
    with less error. For a link `P -> [relu | max_pool] -> Q` where

    * `P` is a `qnt.conv` (any group) or a `qnt.gemm` (no `trans_a`,
      `alpha = beta = 1`) with constant f32 weights and bias,
    * every op between them is positively homogeneous per channel
      (`qnt.relu`, `qnt.max_pool`: `f(x / s) = f(x) / s` for `s > 0`) and
      each value on the way has exactly one use,
    * `Q` is a `qnt.conv` (any group: depthwise convs link on both sides) or
      a 2-D `qnt.gemm` with constant f32 weights reading that value,

    each channel `i` of the link gets `s_i = sqrt(r1_i / r2_i)`, with `r1_i`
    the largest |weight| of `P`'s output channel `i` and `r2_i` that of
    `Q`'s input channel `i`; then `P`'s weights and bias of channel `i` are
    divided by `s_i` and `Q`'s weights of input channel `i` multiplied by it.
    Both ranges become `sqrt(r1_i * r2_i)`. A layer in two links (`conv ->
    depthwise conv -> conv`) is rescaled by both, so the links are swept
    until no scale differs from 1 by more than `tolerance` (or
    `max-iterations` sweeps). Channels whose weights are all zero on either
    side keep `s_i = 1`.

    The function computed is unchanged up to f32 rounding of the rescaled
    weights (scales are computed in double; each weight is rounded once).
    Run it after `qnt-fold-batch-norm` and before calibration: activation
    ranges between linked layers change.

    High-bias absorption (`absorb-high-bias`, default on) then works on the
    links whose path has a `qnt.relu`, whose `P` result carries per-channel
    statistics (`qnt.channel_range`, from `qnt-calibrate per-channel=true`)
    and whose `Q` has a bias and no padding (padded taps would read 0, not
    the absorbed amount). With `c_i = max(0, min_i)`, the smallest
    pre-activation value channel `i` took on the calibration data,
    `relu(h_i) = relu(h_i - c_i) + c_i` whenever `h_i >= c_i`, so `c_i`
    leaves `P`'s bias and `Q`'s bias gains `sum_k W_Q[o, i, k] * c_i`: the
    activations between the two shrink by `c_i` and the function is
    unchanged on every input where `h_i >= c_i` holds (all calibration
    samples). Nagel et al. take `c` from batch-norm statistics instead
    (`beta - 3 gamma`); quant folds batch norms first and uses the observed
    minimum. The stale ranges on the path are removed: calibrate again.
  }];
  let options = [
    Option<"maxIterations", "max-iterations", "int64_t", /*default=*/"20",
           "Sweeps over all links at most">,
    Option<"tolerance", "tolerance", "double", /*default=*/"1e-4",
           "Stop when every scale of a sweep is within this of 1">,
    Option<"absorbHighBias", "absorb-high-bias", "bool", /*default=*/"true",
           "Move each relu link's guaranteed activation floor from P's bias "
           "into Q's (needs qnt.channel_range on P)">,
  ];
  let dependentDialects = ["::mlir::qnt::QntDialect"];
  let statistics = [
    Statistic<"numAbsorbed", "num-absorbed",
              "Channels whose high bias moved into the next layer">,
    Statistic<"numLinks", "num-links", "Layer pairs equalized">,
    Statistic<"numSweeps", "num-sweeps", "Sweeps until convergence">
  ];
}

def QntEqualizeActivations
    : Pass<"qnt-equalize-activations", "::mlir::func::FuncOp"> {
  let summary = "Give the activations into depthwise convs per-channel "
                "grids by rescaling channels (per-channel weights)";
  let description = [{
    One int8 grid per tensor is set by the widest channel; a depthwise conv
    reads each channel on its own, so the channels it reads could each
    have their own grid. This pass gets that effect without per-channel
    activation types: it rescales channels so that one per-tensor grid is
    every channel's own grid. For a link `P -> f -> D` where

    * `P` is a `qnt.conv` with constant f32 weights (and a constant bias per
      output channel) whose result is read only by `f`,
    * `f` is a region of f32 element-wise ops (`ElementwiseOpInterface`),
      each of the shape of `P`'s result, whose other operands are
      constants, and whose values are read only inside `f` and by `D`
      (it may be empty: `D` reads `P`'s result),
    * `D` is a depthwise `qnt.conv` (group = channels) with constant f32
      weights,

    and the values `y` (`P`'s result) and `z` (`D`'s input) carry
    per-channel ranges (`qnt.channel_range`, from `qnt-calibrate
    per-channel=true`), the pass chooses per-channel int8 grids with one
    zero point for each of them (QuantMath's `chooseSharedZeroPointSteps`:
    the zero point that minimizes the geometric mean step) and divides
    channel `c` by `a_c = step_c / max step` (at least `min-factor`):

    * `P`'s weights and bias of output channel `c` are divided by `a_c`
      (`y' = y / a`), and `f` reads `y' * a` (a new `qnt.mul`);
    * `D` reads `z' = z * (1 / b)` (a new `qnt.mul`) and its weights of
      channel `c` are multiplied by `b_c`;
    * with `f` empty or only `qnt.relu` ops (`relu(y / a) = relu(y) / a`),
      one factor `a` from `z`'s ranges: `P` divides and `D` multiplies by
      it, no mul is added, and the ReLU still fuses into `P`.

    The function is unchanged up to f32 rounding. With per-channel
    (symmetric) weight scales, the weights quantize to the same integers.
    `y'` and `z'` then fit one grid whose step is the widest channel's
    (under minmax calibration exactly, with the shared zero point), instead
    of channels that use a few levels of the widest channel's grid.
    Under int8, `f` with the two muls is one per-channel table
    (qnt-int8-tables), so the muls cost nothing at run time.

    Run it on per-channel ranges (minmax), then calibrate again: the ranges
    of `y'`, `z'` and the values between are stale. Not for per-tensor
    weights, whose scale the rescaled channels would change
    (`quant-compile` runs it only with `--granularity=per-channel`).
    docs/Numerics.md, "Activation equalization into depthwise convs", has
    the measurements.
  }];
  let options = [
    Option<"minFactor", "min-factor", "double", /*default=*/"1.0 / 4096",
           "Smallest channel factor a_c, in (0, 1] (a channel 4096x "
           "narrower than the widest is scaled up 4096x, not more)">,
  ];
  let dependentDialects = ["::mlir::qnt::QntDialect"];
  let statistics = [
    Statistic<"numLinks", "num-links",
              "Layer -> depthwise conv links equalized">,
    Statistic<"numMuls", "num-muls", "qnt.mul ops inserted">
  ];
}

def QntPropagateRanges : Pass<"qnt-propagate-ranges", "::mlir::func::FuncOp"> {
  let summary = "Derive #qnt.range through ops that bound or preserve ranges, "
                "and unify ranges that must share a scale";
  let description = [{
    A sparse forward dataflow analysis (MLIR's dataflow framework) over the
    ranges `qnt-calibrate` wrote. Each value's range comes from its op:

    * constants: the exact [min, max] of their elements;
    * ops whose outputs are input values or averages of them (`reshape`,
      `transpose`, `slice`, `gather`, `max_pool`, `average_pool`,
      `global_average_pool`, `reduce_mean`, `reduce_max`, nearest and
      linear `resize`, `pad`, `concat`): the input's range (the hull of the
      inputs for `concat`, with the pad value for constant `pad`, with 0 for
      `average_pool` counting padding). It replaces the observed range, so
      these ops need no requantization: input and output share one scale;
    * monotone element-wise ops (`relu`, `leaky_relu`, `clamp`, `sigmoid`,
      `tanh`, `hard_sigmoid`, `exp`, `erf`): the image of the input's range,
      intersected with the observed range; without an input range, their
      bounds (`clamp`'s min/max, [0, 1] for `sigmoid`) still clip the
      observed one. `softmax` is bounded by [0, 1];
    * every other op: its observed range, if any.

    With `unify-concat-inputs` (or `unify-residual-adds`), values that
    must share a scale are then unified: the inputs of a `concat` (the
    two operands of an `add` of same-shaped activations) all get the hull
    of their ranges, and the hull is pushed back through the
    range-preserving ops that produced them. The analysis reruns until
    nothing changes. Both are off by default: quant's int8 concat and add
    rescale each operand (docs/Numerics.md, "Int8 element-wise ops"), so
    every producer keeps the grid of its own range, where unifying would
    put a narrow branch on the widest branch's grid before it reaches the
    concat (and round it there at every int8 op on the way).

    Before (calibrated):

    ```mlir
    %0 = qnt.conv %x, %w {qnt.range = #qnt.range<-3.0, 7.5>, …}
    %1 = qnt.clamp %0 {max = 6.0 : f32, min = 0.0 : f32, qnt.range = #qnt.range<0.0, 6.5>}
    %2 = qnt.reshape %1 {qnt.range = #qnt.range<0.0, 5.9>}
    ```

    After:

    ```mlir
    %0 = qnt.conv %x, %w {qnt.range = #qnt.range<-3.0, 7.5>, …}
    %1 = qnt.clamp %0 {…, qnt.range = #qnt.range<0.0, 6.0>}
    %2 = qnt.reshape %1 {qnt.range = #qnt.range<0.0, 6.0>}
    ```
  }];
  let options = [
    Option<"unifyConcatInputs", "unify-concat-inputs", "bool",
           /*default=*/"false",
           "Give the inputs of a concat one range (for int8 concats that "
           "do not requantize their operands)">,
    Option<"unifyResidualAdds", "unify-residual-adds", "bool",
           /*default=*/"false",
           "Give both operands of an add of same-shaped activations one "
           "range (for integer adds without rescaling)">
  ];
  let dependentDialects = ["::mlir::qnt::QntDialect"];
  let statistics = [
    Statistic<"numDerived", "num-derived",
              "Number of qnt.range attributes added or changed">,
    Statistic<"numUnified", "num-unified",
              "Number of values widened to share a scale">
  ];
}

def QntSmoothQuant : Pass<"qnt-smooth-quant", "::mlir::func::FuncOp"> {
  let summary = "Migrate activation outliers into weights (SmoothQuant, "
                "Xiao et al. 2022)";
  let description = [{
    Per-tensor int8 activations lose the small channels of a tensor whose
    range a few outlier channels set. For a linear op `y = x W` with
    constant weights, `x W = (x / s) (diag(s) W)` for any per-channel
    `s > 0`; SmoothQuant picks

        s_k = max|x_k|^alpha / max|W_k|^(1 - alpha)

    (`max|x_k|` from the calibrated `qnt.channel_range` of `x` on its last
    axis, `max|W_k|` over the weights that read input channel `k`, over
    every consumer when `x` feeds several), multiplies row `k` of each
    consumer's weights by `s_k` and divides `x` by `s` where it is made:

    * a `qnt.layer_norm` over the last axis with a constant 1-D scale (and
      bias): both divided by `s`;
    * a `qnt.matmul` with constant 2-D weights or a `qnt.gemm` (no
      `trans_a`, alpha = beta = 1) with constant weights and bias, possibly
      followed by a single-use `qnt.add` of a constant 1-D bias (how
      exporters write Linear): output column `k` and its bias divided by
      `s_k`;
    * anything else: a new `qnt.mul` by the constant `1/s` in front of the
      consumers (elementwise fusion folds it into the activation's
      quantization).

    Consumers are `qnt.matmul` with constant 2-D weights and `qnt.gemm`
    (no `trans_a`, alpha = beta = 1, constant `b`); every use of `x` must be
    one. The float function is unchanged up to f32 rounding of the new
    weights. The smoothed value's `qnt.range` and `qnt.channel_range`
    become the old ones divided by `s` (min/max of the channels); run
    calibration again for a method's own ranges (`quant-compile
    --smoothquant` does).

    `alpha=auto` picks, per smoothed value, the alpha in 0.05 .. 0.95
    (steps of 0.05) that minimizes a model of the W8A8 output error built
    from the same ranges: `sum_n sum_k (W_kn s_k)^2 dx^2 + dw_n^2 (m_k /
    s_k)^2`, with `dx` the per-tensor activation step (`max_k m_k / s_k`
    over 127.5), `dw_n` output channel `n`'s weight step and `m_k =
    max|x_k|`. It needs no extra pass over the data (the paper searches on
    data), and is documented with its measurements in
    docs/SmoothQuant.md.
  }];
  let options = [
    Option<"alpha", "alpha", "std::string", /*default=*/"\"0.5\"",
           "Migration strength in [0, 1] (0: none, 1: all of the "
           "activation range into the weights), or 'auto'">,
  ];
  let statistics = [
    Statistic<"numSmoothed", "num-smoothed",
              "Activations smoothed (each with all its consumers)">,
    Statistic<"numExplicit", "num-explicit",
              "Smoothings that needed an explicit qnt.mul">,
  ];
}

def QntBiasCorrect : Pass<"qnt-bias-correct", "::mlir::func::FuncOp"> {
  let summary = "Bias correction: fold the mean output error int8 weights "
                "will cause into the float bias (Nagel et al. 2019)";
  let description = [{
    Quantizing a layer's weights from `W` to `W_q` shifts the mean of its
    output by `(W_q - W) E[x]` per output channel, which later layers see
    as a systematic error. This pass predicts `W_q` exactly as
    `qnt-quantize` will make it (`quantizeSymmetricWeights`, the same
    `granularity`) and subtracts the shift from the float bias:

        b'[f] = b[f] - sum_k (W_q[f, k] - W[f, k]) * E[x_in(k)]

    with `E[x_c]` the calibration data's mean of the layer's input channel
    `c` (the `mean` of its `qnt.channel_range`, which `qnt-calibrate
    per-channel=true` records). Run it after calibration and before
    `qnt-quantize`, with the same `granularity` and `keep-float`
    (`quant-compile --bias-correction` does). Layers: the ones
    `qnt-quantize` makes int8 that have a constant f32 bias, i.e.
    `qnt.conv` with group 1 or depthwise on NCHW (input means per channel,
    a depthwise channel's from its own input channel; the means
    include the border taps that padding replaces by 0, which the
    correction ignores) and `qnt.gemm` (no `trans_a`, alpha = beta = 1)
    with a 1-D `c`, whose input and result have calibrated ranges and
    that `keep-float` does not name (those stay float, so they keep their
    bias).

    This is the paper's bias correction with the input means taken from
    calibration data instead of batch-norm statistics: it removes the mean
    error of weight quantization, layer by layer, each from its own input
    statistics (so corrections do not compound). The activations' rounding
    and clipping are not corrected, and the scale floor `qnt-quantize`
    gives near-dead channels is not modeled (their weights are ~0).
  }];
  let options = [
    Qnt_GranularityOption<"The weight granularity qnt-quantize will use: "
                          "per-channel or per-tensor">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "ONNX node names qnt-quantize will keep float (left alone)">,
  ];
  let statistics = [
    Statistic<"numCorrected", "num-corrected", "Biases corrected">,
  ];
}

def QntFuseQdq : Pass<"qnt-fuse-qdq", "::mlir::func::FuncOp"> {
  let summary = "Make the quantize/dequantize patterns of an imported QDQ "
                "model int8 ops, with the model's own scales";
  let description = [{
    A QDQ model (ONNX Runtime's `quantize_static`, PyTorch's exporters,
    quant's own `--emit=onnx`) imports as float ops between `quant.dcast`
    and `quant.qcast` (QuantizeLinear/DequantizeLinear), with quantized
    weights and biases as integer constants behind `quant.scast`. This
    pass turns them into what `qnt-quantize` makes, so that the int8
    lowering and kernels run them; no calibration is needed.

    1. uint8 activations become int8 with the zero point minus 128 (the
       same real values, as every int8 kernel takes them).
    2. A conv (group 1 or depthwise), gemm or 2-D matmul whose input is a
       `dcast` of a
       per-tensor int8 tensor, whose weight is a `dcast` of a constant
       int8 weight with zero point 0 (per tensor, or per output channel),
       whose bias is absent, a float constant or a `dcast` of an int32
       constant at the input scale times the weight scale, and whose only
       reader is a `qcast` to per-tensor int8 (possibly through a ReLU or a
       clamp from 0 whose bound the grid respects, fused as `qnt-quantize`
       fuses it) becomes that op on int8 tensors.
    3. A `qnt.matmul` of two `dcast`s of per-tensor int8 activations (not
       constants) whose only reader is a `qcast` to per-tensor int8 becomes
       qnt-quantize's int8 product of activations on the model's grids.
    4. An op that preserves the grid (max pool, reshape, transpose, a
       nearest resize, ...) between a `dcast` and a `qcast` of the same
       type runs on the int8 tensor.
    5. An `add`, `sub`, `mul`, `concat` or `global_average_pool` whose
       operands are all `dcast`s of per-tensor int8 activations and whose
       only reader is a `qcast` to per-tensor int8 becomes qnt-quantize's
       int8 op on the model's grids (a concat operand on another grid is
       requantized to the output's first, as the float concat between
       DequantizeLinear and QuantizeLinear does), when the integer
       arithmetic can represent the grids (docs/Numerics.md, "Int8
       element-wise ops"). ONNX Runtime's QLinearAdd / QLinearMul /
       QLinearGlobalAveragePool import as this pattern.
    6. Every other quantized constant is dequantized to an f32 constant:
       its op stays float, with the QDQ rounding of its activations kept
       (as ONNX Runtime runs an op it has no int8 kernel for): a `dcast`
       of a `qcast` that is left becomes a `qnt.fake_quant`, because
       upstream's `dcast` folder would drop the rounding.

    Each conv/gemm/matmul that stays float is reported on stderr with the
    reason, and a summary line counts both kinds. A module without
    quantize/dequantize casts is left unchanged.
  }];
  let statistics = [
    Statistic<"numFused", "num-fused", "Layers made int8">,
    Statistic<"numKeptFloat", "num-kept-float",
              "Layers between QDQ casts that stay float">
  ];
}

def QntQuantize : Pass<"qnt-quantize", "::mlir::func::FuncOp"> {
  let summary = "Rewrite calibrated float conv/gemm/matmul into ops on "
                "!quant.uniform tensors";
  let description = [{
    Turns a calibrated float graph (`#qnt.range` on activations, from
    `qnt-calibrate` and `qnt-propagate-ranges`) into quantized ops, with the
    integer rules of docs/Numerics.md ("Integer semantics"):

    * `qnt.conv` (2-D, group 1 or depthwise: group = channels, one
      output channel each; depthwise has no int4 form and stays float
      at `weight-bits=4`), `qnt.gemm` (without `trans_a`,
      `alpha = beta = 1`) and 2-D `qnt.matmul` with a constant f32 weight
      (the forms `convert-quantized-qnt-to-linalg` lowers) become the same
      op on
      quantized tensors: the input is `quant.qcast` to int8 (asymmetric by
      default, `symmetric-activations` for zero point 0) with the scale and
      zero point of its range; the weight becomes an int8 `qnt.constant`
      behind `quant.scast`, symmetric on [-127, 127], one scale per output
      channel (`granularity=per-channel`, default) or one per tensor; the
      bias becomes int32 with scale `s_input * s_weight[c]`; the result is
      int8 with the scale and zero point of its range, followed by a
      `quant.dcast` for float consumers.
    * With 8-bit weights, a `qnt.matmul` whose right-hand side is not a
      constant (attention's Q K^T, P V: f32 operands of one rank >= 2
      with equal batch dims, K <= 33025) becomes a product of two int8
      activations: each operand `quant.qcast` to the grid of its range,
      the result int8 on its range's grid (docs/Numerics.md, "Products of
      two activations"). At `weight-bits=4` it stays float.
    * A 2-D `qnt.conv_transpose` whose windows tile its output (strides
      equal to the kernel; no pads, output_padding or dilation; group 1;
      constant weight and bias) and whose result is read only by layers
      (directly or through a ReLU that is its only reader) is first
      written as what it is in float, a 1x1 `qnt.conv` with `M·kh·kw`
      output channels (`W'[(m·kh + i)·kw + j][c] = W[c][m][i][j]`, the bias
      repeated) and a depth-to-space (`reshape`, `transpose`, `reshape`)
      on the conv_transpose's calibrated range (the same values; the ReLU
      moves before the rearrangement and fuses). The conv then quantizes
      like any layer (per-channel over the `M·kh·kw` channels) and the
      rearrangement follows its int8 grid. Other conv_transposes stay
      float.
    * A single-use `qnt.relu`, or `qnt.clamp` with min 0, after such an op
      is fused: the op takes the activation's range, whose grid starts at
      real 0, so requantization's clamp is the ReLU.
    * Range-preserving ops (`max_pool`, `reshape`, `transpose`, `slice`,
      and `resize` in nearest mode) whose input is quantized run on the
      quantized tensor, on its grid.
    * With `elementwise` (default): `add`, `sub`, `mul`, `concat` and
      `global_average_pool` whose operands are all int8 values (a
      `quant.dcast` of a per-tensor int8 tensor) or broadcast float
      functions of one int8 value each (element-wise ops and constants
      over one `quant.dcast`, such as a squeeze-excitation gate of shape
      `[N, C, 1, 1]`), no two of them over the same int8 value, run on
      int8: each such float operand is `quant.qcast` to its calibrated
      range, the result is int8 on the op's range, or on the range of the
      concat that is its only reader (through grid-keeping ops)
      (docs/Numerics.md, "Int8 element-wise ops"); a concat's operands are
      requantized to its grid (`qcast(dcast(x))`, a table). A full-size
      float operand keeps the op float (quantizing it would round and clip
      a value the float graph reads exact).
      An op with a constant operand (a bias add, a batch norm's affine)
      stays float inside its chain, and so does one whose grids the
      integer arithmetic cannot represent. The ops processed in program
      order, so chains (`resize -> add -> concat`) stay int8. First, a
      squeeze-excitation residual `x + x * g` (x an int8 value, g a float
      function of another, the product read only by the sum) is written
      `x * (1 + g)` (ranges: g's plus 1, and the sum's): one int8 product
      instead of a product rounded to its own grid and then a sum.
    * `quant.qcast` of a `quant.dcast` of the same type is removed, so
      chains of quantized ops stay int8.
    * `weight-bits=4` (or `qnt.weight_bits = 4` on the op, which
      `qnt-allocate-bits` writes and which overrides the option either
      way; 32 keeps the op float): weight-only int4. The input is int8 as
      above; the weight becomes an `i4` constant behind a `quant.scast` to
      a sub-channel type with one scale per output channel and group of
      `group-size` input-axis indices (input channels of a conv, K of a
      gemm/matmul; one group per output channel when the size does not
      divide them), symmetric on [-7, 7]; bias and result stay f32, nothing
      fuses. docs/Numerics.md, "int4 weights", has the arithmetic.

    * `activations=dynamic`: every gemm (no `trans_a`, alpha = beta = 1,
      constant 2-D weight, constant bias of N values or none) and matmul
      with a constant 2-D f32 weight [K, N] (the input may have batch dims:
      [..., K]) becomes `qnt.dynamic_linear` with its weight as int8 [N, K]
      (per channel or per tensor, `granularity`; `qnt.weight_scales` if
      present), its input quantized at run time as `dynamic-scaling`
      says; a matmul of two activations (equal batch dims) becomes
      `qnt.dynamic_matmul`, both operands quantized at run time; no
      calibrated ranges are needed and nothing else is quantized.

    Ops that cannot be quantized (no calibrated range on the input or
    result, a non-constant weight, an unsupported attribute) stay float and
    are counted in `num-kept-float`; `keep-float=NODE,...` keeps the named
    ONNX nodes (their location names) float.

    Before (calibrated):

    ```mlir
    %w = qnt.constant dense<…> : tensor<8x1x3x3xf32>
    %0 = qnt.conv %x, %w {…, qnt.range = #qnt.range<-2.0, 3.0>} : …
    %1 = qnt.relu %0 {qnt.range = #qnt.range<0.0, 3.0>} : …
    ```

    After:

    ```mlir
    %xq = quant.qcast %x : tensor<1x1x8x8xf32> to tensor<1x1x8x8x!quant.uniform<i8:f32, 0.0078:0>>
    %w8 = qnt.constant dense<…> : tensor<8x1x3x3xi8>
    %wq = quant.scast %w8 : tensor<8x1x3x3xi8> to tensor<8x1x3x3x!quant.uniform<i8<-127:127>:f32:0, {…}>>
    %0 = qnt.conv %xq, %wq {…} : (…) -> tensor<1x8x8x8x!quant.uniform<i8:f32, 0.0117:-128>>
    %1 = quant.dcast %0 : … to tensor<1x8x8x8xf32>
    ```

    `convert-quantized-qnt-to-linalg` lowers the result to integer linalg
    (`quant-compile --precision=int8`).
  }];
  let options = [
    Qnt_GranularityOption<"Weight scales: per-channel (one per output "
                          "channel) or per-tensor">,
    Option<"symmetricActivations", "symmetric-activations", "bool",
           /*default=*/"false",
           "Quantize activations with zero point 0 (default: asymmetric)">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "ONNX node names (op locations) to keep in float">,
    Option<"elementwise", "elementwise", "bool", /*default=*/"true",
           "Run add/sub/mul/concat/global_average_pool between int8 values "
           "on int8 (see the description)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight precision of layers without a qnt.weight_bits: 8 (int8 "
           "weights and activations) or 4 (int4 group-wise weights, int8 "
           "input, float result)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"32",
           "int4 weights: input-axis indices per scale (a divisor of the "
           "input channels; else one group per output channel)">,
    Option<"activations", "activations", "::mlir::qnt::Activations",
           "::mlir::qnt::Activations::Static",
           "static: calibrated int8 activations; dynamic: gemm/matmul "
           "become qnt.dynamic_linear (no ranges needed), the rest stays "
           "float", "::mlir::qnt::activationsValues()">,
    Option<"dynamicScaling", "dynamic-scaling", "::mlir::qnt::DynamicScaling",
           "::mlir::qnt::DynamicScaling::per_token_absmax",
           "activations=dynamic: how the input scales are chosen",
           "::mlir::qnt::dynamicScalingValues()">
  ];
  let dependentDialects = ["::mlir::qnt::QntDialect",
                           "::mlir::quant::QuantDialect"];
  let statistics = [
    Statistic<"numDynamic", "num-dynamic",
              "Number of gemm/matmul ops given dynamic int8 inputs">,
    Statistic<"numInt4", "num-int4",
              "Number of conv/gemm/matmul ops given int4 weights">,
    Statistic<"numQuantized", "num-quantized",
              "Number of conv/gemm/matmul ops quantized">,
    Statistic<"numFused", "num-fused", "Number of relu/clamp ops fused">,
    Statistic<"numKeptFloat", "num-kept-float",
              "Number of conv/gemm/matmul ops left in float">,
    Statistic<"numInt8Elementwise", "num-int8-elementwise",
              "Number of add/sub/mul/concat/global_average_pool ops made "
              "int8">,
    Statistic<"numGatedResiduals", "num-gated-residuals",
              "Number of x + x * g written as x * (1 + g)">,
    Statistic<"numSplit", "num-split",
              "Number of conv_transpose ops written as a 1x1 conv and a "
              "depth-to-space">
  ];
}

#endif // QUANT_DIALECT_QNT_TRANSFORMS_PASSES_TD
