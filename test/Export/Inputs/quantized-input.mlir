// An entry that takes a quantized tensor: an ONNX graph input is a plain
// tensor, so there is no QDQ form for it.
func.func @main(%a: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf32> {
  %d = quant.dcast %a : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xf32>
  return %d : tensor<4xf32>
}
