// RUN: quant-opt %s --qnt-quantize=weight-bits=6 -verify-diagnostics

// expected-error @+1 {{qnt-quantize: weight-bits=6 is not 4 or 8}}
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
