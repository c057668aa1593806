func.func @main(%x: tensor<1x701xf32>) -> tensor<1x701xf32> {
  %0 = qnt.relu %x : (tensor<1x701xf32>) -> tensor<1x701xf32>
  return %0 : tensor<1x701xf32>
}
