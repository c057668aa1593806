func.func @main(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x4xf32> {onnx.name = "a"}, tensor<1x4xf32> {onnx.name = "b"}, tensor<1x4xf32> {onnx.name = "c"}) {
  %0 = qnt.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0, %0, %x : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>
}
