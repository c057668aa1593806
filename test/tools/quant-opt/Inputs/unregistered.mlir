// Input for errors.test: frob is not a dialect anyone registers.

func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = frob.add %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
