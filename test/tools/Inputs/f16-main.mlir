// Input for quant-compile-errors.test: f16 has no runtime dtype.
func.func @main(%x: tensor<4xf16>) -> tensor<4xf16> {
  return %x : tensor<4xf16>
}
