// One trans_b gemm with 128 input features and one input row per sample:
// qnt-gptq's sample-count checks.
func.func @main(%x: tensor<1x128xf32>) -> tensor<1x4xf32> {
  %w = qnt.constant dense<0.5> : tensor<4x128xf32>
  %0 = qnt.gemm %x, %w {trans_b = true} : (tensor<1x128xf32>, tensor<4x128xf32>) -> tensor<1x4xf32> loc("wide")
  return %0 : tensor<1x4xf32>
}
