//===- Passes.td - Calibration passes -----------------------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CALIBRATION_PASSES_TD
#define QUANT_CALIBRATION_PASSES_TD

include "mlir/Pass/PassBase.td"
include "quant/Quantization/Options.td"

def QntCalibrate : Pass<"qnt-calibrate", "::mlir::ModuleOp"> {
  let summary = "Observe activation ranges on calibration samples and record "
                "them as #qnt.range";
  let description = [{
    Runs the float model on a folder of calibration samples and writes, on
    every value quantization needs, the range the chosen method picks from
    what was observed:

    * every `f32` argument of `func.func @main` (argument attribute
      `qnt.range`);
    * every non-constant op with an `f32` tensor result (op attribute
      `qnt.range`).

    The pass clones the module, makes each observed value an extra result of
    `@main`, lowers the clone with the float pipeline (`quant-fp32-to-llvm`)
    in a private context and JIT-compiles it for the host CPU. Then it
    streams the samples through it, in file-name order, one at a time, and
    feeds every observed tensor to its observer: exact min/max, plus (for
    the histogram methods) a fixed-size histogram whose power-of-two grid
    coarsens instead of keeping raw data, so memory does not grow with the
    number of samples. The IR the pass writes depends only on the
    model, the options and the sample files.

    Data: `data=DIR` holds one `.npy` per sample (`DIR/*.npy`) for a model
    with one input, or `DIR/<input name>/*.npy` with the same file names per
    input. Every file must have the input's dtype and shape and finite
    values; a bad file is one error naming it.

    Methods (`method=`, see docs/Calibration.md):

    * `minmax`: the observed minimum and maximum;
    * `percentile`: the `100-p` and `p` percentiles (`percentile=p`,
      default 99.99), interpolated inside the histogram bin;
    * `entropy`: TensorRT's KL-divergence threshold on the |x| histogram for
      a `bits`-bit grid (128 levels per side for two-sided data, 256 for
      one-sided), clipping at most 1% of the values;
    * `mse`: the histogram edges [a, b] minimizing the clipping plus
      rounding (step^2/12) error of a 2^`bits`-level uniform quantizer.

    `per-channel` also records each value's per-channel min, max and mean
    as `qnt.channel_range` (axis 1 for rank >= 4, the last axis otherwise;
    SmoothQuant reads the bounds, bias correction the means).
    `stats` adds `qnt.stats = {count, min, max, bin_width, non_finite}`
    for inspection. The module gets `qnt.calibration = {method, samples,
    ...}` saying how its ranges were made.

    Shards: `state-out=FILE` writes what was observed (histograms, extremes,
    per-channel minima, maxima and exact sums) as JSON, and `states=A,B`
    merges such files into the statistics before ranges are chosen, so
    samples can be observed in shards on several machines. The merge is
    exact: histogram grids are powers of two fixed by the observed range
    (never by the order of the samples) and channel sums are exact, so the
    IR equals a single run over all the samples, bit for bit. States must
    come from the same model and recipe (value names and shapes, method,
    bins, per-channel are checked). docs/Distributed.md.

    Progress (samples done, rate) goes to stderr when it is a terminal.

    Before:

    ```mlir
    func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
      %0 = qnt.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
      return %0 : tensor<1x4xf32>
    }
    ```

    After `--qnt-calibrate="data=calib method=minmax"`:

    ```mlir
    module attributes {qnt.calibration = {method = "minmax", samples = 2 : i64}} {
      func.func @main(%x: tensor<1x4xf32> {qnt.range = #qnt.range<-2.0, 3.5>}) -> tensor<1x4xf32> {
        %0 = qnt.relu %x {qnt.range = #qnt.range<0.0, 3.5>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
        return %0 : tensor<1x4xf32>
      }
    }
    ```
  }];
  let options = [
    Option<"dataDir", "data", "std::string", /*default=*/"",
           "Folder of .npy calibration samples (required unless states= "
           "is given)">,
    Qnt_CalibrationMethodOption<"How ranges are chosen: minmax, "
                                "percentile, entropy or mse">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "Upper percentile for method=percentile (the lower one is "
           "100 - p)">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"0",
           "Use at most this many samples, in file-name order (0: all)">,
    Option<"perChannel", "per-channel", "bool", /*default=*/"false",
           "Also record per-channel min/max/mean as qnt.channel_range">,
    Option<"numBins", "bins", "unsigned", /*default=*/"2048",
           "Histogram bins per observed value">,
    Option<"bits", "bits", "unsigned", /*default=*/"8",
           "Quantized width the entropy and mse methods choose ranges for">,
    Option<"emitStats", "stats", "bool", /*default=*/"false",
           "Also write the observed statistics as qnt.stats">,
    ListOption<"states", "states", "std::string",
               "Calibration states (JSON files state-out wrote) to merge "
               "with what data= observes; with states, data= is optional">,
    Option<"stateOut", "state-out", "std::string", /*default=*/"",
           "Write the merged statistics to this file (a calibration state)">
  ];
  let statistics = [
    Statistic<"numRanges", "num-ranges", "Number of qnt.range attributes "
              "written">,
    Statistic<"numSamples", "num-samples", "Number of samples run">
  ];
}

def QntAllocateBits : Pass<"qnt-allocate-bits", "::mlir::ModuleOp"> {
  let summary = "Choose int4, int8 or float weights per layer under a budget, "
                "from each layer's measured sensitivity";
  let description = [{
    Mixed-precision bit allocation for the layers `qnt-quantize` can
    quantize (conv with group 1, gemm, 2-D matmul; constant f32 weight,
    calibrated input): the pass writes `qnt.weight_bits` (4, 8 or 32) on
    each, which `qnt-quantize` follows. Run it after calibration.

    Sensitivity: the float model runs on the calibration samples once as
    is, and once per layer and candidate precision with only that layer's
    weights replaced by their quantized values (int4: group-wise as
    `qnt-quantize weight-bits=4 group-size=G` makes them; int8: per channel
    or per tensor as `granularity` says), dequantized to f32. The output
    error of that run relative to the float outputs (noise / signal power
    over every f32 output and sample) is the layer's cost at that
    precision; its SQNR is -10 log10 of it. The model is compiled once, in
    a private context, with the weights as extra arguments.

    Allocation: errors of different layers are taken as independent and
    additive (predicted SQNR = -10 log10 of the sum), and the pass picks
    the allocation with the least predicted error that fits the budget
    (`allocatePrecisions` in quant/Quantization/BitAllocation.h: a
    multiple-choice knapsack solved by dynamic programming, exactly unless
    the budget is too large for the table).
    Exactly one budget:

    * `weight-bits-budget=B`: the average nominal bits per weight (4, 8 or
      32; scales not counted) over the allocated layers is at most B;
    * `size-budget=BYTES`: the allocated layers' weights take at most BYTES
      as stored (int4 packed two per byte plus an f32 scale per group, int8
      plus an f32 scale per channel, f32).

    A budget below the all-cheapest allocation is an error that says the
    minimum. The pass prints a table to stderr (layer, weights, SQNR at
    each quantized candidate, chosen bits, bytes) and a summary (average
    bits, bytes, predicted SQNR).

    Shards: each layer's error is measured alone against the same float
    reference, so the sweep splits by layers. `measure-layers=0,2`
    measures those layers only and writes them to `table-out` (the IR is
    left unchanged); `tables=A,B` reads such tables (which must name every
    layer once, with the same candidates and sample count) instead of
    measuring, and allocates as one run would: the same errors, bit for
    bit, when every shard runs the same quant build on the same kind of CPU
    (docs/Distributed.md).
  }];
  let options = [
    Option<"dataDir", "data", "std::string", /*default=*/"",
           "Folder of .npy calibration samples (required)">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"16",
           "Use at most this many samples for the sensitivities (0: all)">,
    Option<"weightBitsBudget", "weight-bits-budget", "double",
           /*default=*/"0.0",
           "Average bits per weight the allocation may use (4 to 32)">,
    Option<"sizeBudget", "size-budget", "int64_t", /*default=*/"0",
           "Bytes the allocated weights may take">,
    ListOption<"candidates", "candidates", "int64_t",
               "Precisions to choose from, of 4, 8 and 32 (default: all)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"32",
           "int4 group size, as qnt-quantize's">,
    Qnt_GranularityOption<"int8 weight scales, as qnt-quantize's">,
    ListOption<"measureLayers", "measure-layers", "int64_t",
               "Measure only these layers (indices in IR order, as the "
               "table numbers them), write table-out and allocate nothing: "
               "one shard of the sweep">,
    ListOption<"measureShard", "measure-shard", "int64_t",
               "K,N: measure layers K, K+N, K+2N, ... (shard K of N, "
               "round-robin), write table-out and allocate nothing">,
    Option<"tableOut", "table-out", "std::string", /*default=*/"",
           "Write the measured sensitivities to this file (JSON)">,
    ListOption<"tables", "tables", "std::string",
               "Sensitivity tables (table-out files) to allocate from "
               "instead of measuring; together they cover every layer "
               "once">
  ];
  let statistics = [
    Statistic<"numLayers", "num-layers", "Number of layers allocated">
  ];
}

def QntAdaRound : Pass<"qnt-adaround", "::mlir::ModuleOp"> {
  let summary = "Learned up/down rounding of the weights qnt-quantize will "
                "quantize (AdaRound)";
  let description = [{
    AdaRound (Nagel et al. 2020), layer by layer: for every layer
    `qnt-quantize` with the same options will quantize (conv with group 1,
    gemm, 2-D matmul with a constant f32 weight and a calibrated input; for
    int8 also an output range; not named in `keep-float`; `qnt.weight_bits`
    32 excluded), the pass

    1. runs the float model on the samples of `data` and accumulates the
       second moment H = E[x x^T] of the layer's input patches x (a conv's
       im2col columns, a gemm/matmul's input rows) and their mean;
    2. computes each weight's scale as `qnt-quantize` will (int8 symmetric
       per channel or per tensor, `granularity`; int4 group-wise,
       `group-size`; `weight-bits` or the op's `qnt.weight_bits`);
    3. chooses for each weight floor or ceil of w / s by minimizing the
       layer's output error E[((w_q - w) x)^2] per output channel (the
       relaxation, regularizer and Adam steps of
       quant/Quantization/AdaRound.h; `iterations`, `regularization`,
       `learning-rate`), with 1% of H's mean diagonal added to its
       diagonal (dampening, as GPTQ's: H is singular when a layer has
       more input features than patches were seen);
    4. replaces the float weight by the chosen grid values s * q, so that
       `qnt-quantize`'s round-to-nearest reproduces them exactly (the
       largest weight of each scale group keeps its value, so the scales
       do not change).

    With `bias-correction`, layers with a bias are optimized on the
    covariance E[x x^T] - E[x] E[x]^T instead, and the bias absorbs the
    mean error: b -= (w_q - w) E[x] (bias correction, exact for the
    chosen weights; `qnt-bias-correct` is then not needed).

    The inputs are the float model's (not those of the model with the
    earlier layers already rounded). The pass prints one line per layer to
    stderr: the reconstruction error with nearest rounding and with
    AdaRound, and how many weights moved. See docs/AdaRound.md.
  }];
  let options = [
    Option<"dataDir", "data", "std::string", /*default=*/"",
           "Folder of .npy calibration samples (required)">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"0",
           "Use at most this many samples, in file-name order (0: all)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight width of layers without qnt.weight_bits: 8 or 4 (as "
           "qnt-quantize's)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"32",
           "int4 group size, as qnt-quantize's">,
    Qnt_GranularityOption<"int8 weight scales, as qnt-quantize's">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "ONNX node names qnt-quantize keeps float (left alone)">,
    Option<"iterations", "iterations", "int64_t", /*default=*/"500",
           "Adam steps per layer">,
    Option<"regularization", "regularization", "double", /*default=*/"10.0",
           "Weight of the regularizer that drives each choice to 0 or 1">,
    Option<"learningRate", "learning-rate", "double", /*default=*/"0.1",
           "Adam step size">,
    Option<"biasCorrection", "bias-correction", "bool", /*default=*/"false",
           "Optimize on the input covariance and correct the bias with the "
           "mean error">
  ];
  let statistics = [
    Statistic<"numLayers", "num-layers", "Number of layers rounded">,
    Statistic<"numMoved", "num-moved",
              "Weights rounded the other way than to nearest">
  ];
}

def QntGptq : Pass<"qnt-gptq", "::mlir::ModuleOp"> {
  let summary = "GPTQ: round the weights qnt-quantize will quantize one "
                "input feature at a time, with error feedback";
  let description = [{
    GPTQ (Frantar et al. 2023) for every layer `qnt-quantize` with the
    same options will quantize (the layers `qnt-adaround` takes):

    1. runs the float model on the samples of `data` and accumulates the
       second moment H = E[x x^T] of the layer's input patches x (a conv's
       im2col columns, a gemm/matmul's input rows);
    2. computes each weight's scale as `qnt-quantize` would from the
       original weights (int8 per channel or per tensor, `granularity`;
       int4 group-wise, `group-size`; `weight-bits` or `qnt.weight_bits`);
    3. quantizes the input features in order (or by decreasing activity,
       `act-order`), spreading each one's rounding error onto the features
       not yet quantized through the Cholesky factor of the dampened
       inverse H (`dampening` x mean diagonal; quant/Quantization/Gptq.h);
    4. replaces the float weight by the grid values s * q and records the
       scales in `qnt.weight_scales`, which `qnt-quantize` then uses, so it
       stores exactly these integers.

    With fewer input patches than input features H is rank-deficient
    and GPTQ partly fits the samples: the pass warns, and below 1/16 of
    the features it is an error (give more samples). The inputs are the float model's.
    The pass prints one line per layer to stderr: the output error on the
    samples, E[((w_q - w) x)^2] summed over output channels, with nearest
    rounding and with GPTQ. See docs/WeightAlgorithms.md.
  }];
  let options = [
    Option<"dataDir", "data", "std::string", /*default=*/"",
           "Folder of .npy calibration samples (required)">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"0",
           "Use at most this many samples, in file-name order (0: all)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"4",
           "Weight width of layers without qnt.weight_bits: 4 or 8 (as "
           "qnt-quantize's)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"32",
           "int4 group size, as qnt-quantize's">,
    Qnt_GranularityOption<"int8 weight scales, as qnt-quantize's">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "ONNX node names qnt-quantize keeps float (left alone)">,
    Option<"dampening", "dampening", "double", /*default=*/"0.01",
           "Added to H's diagonal, times its mean">,
    Option<"actOrder", "act-order", "bool", /*default=*/"false",
           "Quantize the most active input features first">
  ];
  let statistics = [
    Statistic<"numLayers", "num-layers", "Number of layers rounded">
  ];
}

def QntAwq : Pass<"qnt-awq", "::mlir::ModuleOp"> {
  let summary = "AWQ: activation-aware per-input-channel weight scaling "
                "and clipping for the gemm/matmul weights qnt-quantize will "
                "quantize";
  let description = [{
    AWQ (Lin et al. 2024) for every activation x read only by gemm/matmul
    layers (2-D constant weights) that `qnt-quantize` with the same
    options will quantize:

    1. runs the float model on the samples of `data`, accumulating the
       second moment H = E[x x^T] of x's rows and the mean magnitude
       m_k = E[|x_k|] of each input channel;
    2. for alpha in {0, 1/grid, ..., (grid-1)/grid}, s_k = m_k^alpha
       (normalized so that max(s) min(s) = 1) and the layers' output
       error on the samples, sum over output channels of d^T H d with
       d_k = Q(W_k s_k) / s_k - W_k (Q: `qnt-quantize`'s grid, int4
       group-wise or int8 per channel/tensor), is measured; the alpha with
       the least error wins (alpha = 0 is round-to-nearest, so the
       chosen error is never above it);
    3. rewrites x W = (x / s)(diag(s) W) (quant/Dialect/Qnt/Transforms/
       ChannelScaling.h: 1/s folds into a layer_norm or the linear op
       that makes x, else an explicit qnt.mul);
    4. int4 with `clip`: for each output channel and group, the clipping
       ratio r in {1, 0.95, ..., 0.5} of the scale r max|w| / 7 with the
       least error of that group on the scaled inputs; the scales go into
       `qnt.weight_scales`, which `qnt-quantize` keeps.

    The float function is unchanged up to f32 rounding; the activations'
    ranges change, so calibrate again before `qnt-quantize` (quant-ptq
    does). Prints one line per activation to stderr: the output error
    with round-to-nearest, with the chosen alpha and after clipping. See
    docs/WeightAlgorithms.md.
  }];
  let options = [
    Option<"dataDir", "data", "std::string", /*default=*/"",
           "Folder of .npy calibration samples (required)">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"0",
           "Use at most this many samples, in file-name order (0: all)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"4",
           "Weight width of layers without qnt.weight_bits: 4 or 8 (as "
           "qnt-quantize's)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"32",
           "int4 group size, as qnt-quantize's">,
    Qnt_GranularityOption<"int8 weight scales, as qnt-quantize's">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "ONNX node names qnt-quantize keeps float (left alone)">,
    Option<"grid", "grid", "int64_t", /*default=*/"20",
           "Number of alpha values tried">,
    Option<"clip", "clip", "bool", /*default=*/"true",
           "int4: search each group's clipping ratio">
  ];
  let statistics = [
    Statistic<"numScaled", "num-scaled", "Activations rescaled">,
    Statistic<"numExplicit", "num-explicit",
              "Rescalings that needed an explicit qnt.mul">
  ];
}

def QntQuantReport : Pass<"qnt-quant-report", "::mlir::ModuleOp"> {
  let summary = "Per-layer int8 error report: which layer loses the signal";
  let description = [{
    A quantization debugger for a calibrated float module (the input of
    `qnt-quantize`). For every layer `qnt-quantize` would make int8 (a
    conv, gemm or matmul with a constant weight and calibrated input and
    output ranges, with a following ReLU or clamp from 0 fused into its
    output grid as `qnt-quantize` fuses it), it measures on the samples of
    `data`:

    * **alone**: the SQNR of the layer's output when only this layer is
      quantized (its float input quantized to its input grid, its weights
      to int8 symmetric per channel or per tensor, its output to its output
      grid), against the float output;
    * **cumulative**: the SQNR of the same output when every reported layer
      up to it is quantized (errors propagate through the float ops in
      between), and of its input in that same run (**cumulative in**);
    * **noise added** (the harm in context): the noise-to-signal ratio of
      the cumulative output minus that of the cumulative input, i.e. what
      this layer adds to the error it receives;
    * the input and output ranges, scales and zero points, the fraction of
      float inputs and outputs outside their calibrated ranges (clipped),
      how many the int8 quantization saturates (round(x / scale) + zero
      point beyond [-128, 127]), and the weight scales.

    It also gives the model outputs' SQNR with every reported layer
    quantized. Quantization is simulated in float with `qnt.fake_quant`
    (what the QDQ model ONNX Runtime runs computes); the bias stays float,
    where the compiled int8 model rounds it to int32 and requantizes with
    a fixed-point multiplier, so the figures can differ from the compiled
    model's in the last bits. The module itself is not changed.

    The report goes to `dir` as `report.json` (every figure) and
    `report.md` (a table sorted by harm: most noise added first); without
    `dir` the table is printed to stderr. `utils/plot_quant_report.py
    DIR/report.json` draws the SQNRs along the graph (`report.png`). SQNR is
    10 log10(sum y^2 / sum (y_q - y)^2) over every element and sample.

    Accuracy-driven fallback: with `accuracy-target=DB`, while the model
    outputs' SQNR (all reported layers int8) is below DB, the layer that
    adds the most noise in context gets `qnt.weight_bits = 32` (so `qnt-quantize`
    keeps it float) and the rest is measured again; each step prints the
    layer it keeps and why. The report describes the final choice. This is
    the one change the pass makes to the module. A measurement of a set of
    float layers is made once and reused (the step after a candidate
    reuses that candidate's).

    In shards (docs/Distributed.md): every measurement is a set of exact
    sums over per-sample terms, so measurements of shards of the samples
    merge into the one of all of them. `measurement-out=FILE` measures the
    model once, with the layers `float-layers` names kept float, writes
    the sums and changes nothing else; `measurements=FILES` gives the
    search measurements made so, merged; with `pending-out=FILE` a search
    that needs a measurement it was not given writes the sets of float
    layers it needs (an empty list once it is complete) to FILE and stops
    there instead of measuring. A driver (the Python package's executor)
    alternates the two until the list is empty; the choices and report are
    then those of one process.
  }];
  let options = [
    Option<"dataDir", "data", "std::string", /*default=*/"",
           "Folder of .npy samples to measure on (required)">,
    Option<"maxSamples", "samples", "unsigned", /*default=*/"16",
           "Use at most this many samples (0: all)">,
    Option<"reportDir", "dir", "std::string", /*default=*/"",
           "Folder for report.json and report.md (created; empty: the "
           "table to stderr)">,
    Option<"accuracyTarget", "accuracy-target", "double", /*default=*/"0.0",
           "Model output SQNR (dB) to reach by keeping the most harmful "
           "layers float (0: off)">,
    Qnt_GranularityOption<"int8 weight scales, as qnt-quantize's">,
    ListOption<"measurements", "measurements", "std::string",
               "Measurement files (measurement-out) to use before measuring">,
    Option<"measurementOut", "measurement-out", "std::string",
           /*default=*/"",
           "Measure once (float-layers kept float), write the sums here and "
           "stop">,
    ListOption<"floatLayers", "float-layers", "std::string",
               "With measurement-out: the reported layers to keep float">,
    Option<"pendingOut", "pending-out", "std::string", /*default=*/"",
           "With measurements: write the sets of float layers the search "
           "still needs measured here, instead of measuring them">
  ];
  let statistics = [
    Statistic<"numLayers", "num-layers", "Number of layers reported">,
    Statistic<"numKeptFloat", "num-kept-float",
              "Number of layers the accuracy target keeps float">
  ];
}

#endif // QUANT_CALIBRATION_PASSES_TD
