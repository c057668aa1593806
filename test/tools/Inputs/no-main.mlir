// Input for quant-compile-errors.test: the entry is not called main.
func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
