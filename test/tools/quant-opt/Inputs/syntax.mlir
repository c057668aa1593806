// Input for errors.test: the type list is missing its colon.

func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = qnt.relu %a (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
