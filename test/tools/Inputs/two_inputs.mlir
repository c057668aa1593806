func.func @main(%a: tensor<2xf32> {onnx.name = "a"}, %b: tensor<2xf32> {onnx.name = "b"}) -> (tensor<2xf32> {onnx.name = "sum"}) {
  %0 = qnt.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
