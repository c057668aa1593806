// RUN: quant-opt %s --qnt-quantize=granularity=per-row -verify-diagnostics

// expected-error @+1 {{qnt-quantize: granularity=per-row is not per-channel or per-tensor}}
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
