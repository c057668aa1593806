// An op outside qnt and the quant casts (here already lowered arith).
func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %s = arith.addf %a, %c : tensor<2xf32>
  return %s : tensor<2xf32>
}
