//===- Passes.td - Transformations on the qnt dialect -------*- tablegen -*-===//
//
// Part of the quant project: an MLIR-based quantization compiler.
//
//===----------------------------------------------------------------------===//

#ifndef QUANT_DIALECT_QNT_TRANSFORMS_PASSES_TD
#define QUANT_DIALECT_QNT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

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

#endif // QUANT_DIALECT_QNT_TRANSFORMS_PASSES_TD
