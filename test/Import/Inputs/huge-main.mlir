// @main whose argument holds 2^66 bytes: test/Import/errors-tensor-size.test.
func.func @main(%x: tensor<4611686018427387904x4xf32> {onnx.name = "x"}) -> tensor<4611686018427387904x4xf32> {
  return %x : tensor<4611686018427387904x4xf32>
}
