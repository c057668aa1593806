// Input for errors.test: a bad reshape carrying an ONNX node name.
func.func @f(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  %0 = qnt.reshape %x : (tensor<2x3xf32>) -> tensor<7xf32> loc("/features/Reshape_3")
  return %0 : tensor<7xf32>
}
