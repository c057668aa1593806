// A 4-bit weight: QuantizeLinear/DequantizeLinear have int4 from opset 21.
func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = qnt.constant dense<[[1, -2], [3, 4]]> : tensor<2x2xi4> loc("w4")
  %wq = quant.scast %w : tensor<2x2xi4> to tensor<2x2x!quant.uniform<i4:f32, 0.5>>
  %wf = quant.dcast %wq : tensor<2x2x!quant.uniform<i4:f32, 0.5>> to tensor<2x2xf32>
  %y = qnt.matmul %x, %wf : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32> loc("mm")
  return %y : tensor<1x2xf32>
}
