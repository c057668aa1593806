// RUN: not quant-opt %s --qnt-quantize=granularity=per-row 2>&1 | FileCheck %s --check-prefix=GRAN
// GRAN: quant-opt: for the --granularity option: Cannot find option named 'per-row'!

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
