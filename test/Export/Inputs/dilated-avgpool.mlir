// average_pool with dilations: ONNX AveragePool has them from opset 19 only.
func.func @main(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %y = qnt.average_pool %x {dilations = array<i64: 2, 2>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> loc("pool")
  return %y : tensor<1x1x3x3xf32>
}
