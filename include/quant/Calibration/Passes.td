//===- Passes.td - Calibration passes -----------------------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_CALIBRATION_PASSES_TD
#define QUANT_CALIBRATION_PASSES_TD

include "mlir/Pass/PassBase.td"

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
    the histogram methods) a fixed-size histogram that coarsens its grid by
    integer factors instead of keeping raw data, so memory does not grow
    with the number of samples. The IR the pass writes depends only on the
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
           "Folder of .npy calibration samples (required)">,
    Option<"method", "method", "std::string", /*default=*/"\"minmax\"",
           "How ranges are chosen: minmax, percentile, entropy or mse">,
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
           "Also write the observed statistics as qnt.stats">
  ];
  let statistics = [
    Statistic<"numRanges", "num-ranges", "Number of qnt.range attributes "
              "written">,
    Statistic<"numSamples", "num-samples", "Number of samples run">
  ];
}

#endif // QUANT_CALIBRATION_PASSES_TD
