// A calibrated gemm whose @main also takes an i64 tensor, which the
// qnt-allocate-bits sensitivity runs cannot feed.
func.func @main(%x: tensor<1x4xf32> {qnt.range = #qnt.range<-4.0, 4.0>}, %i: tensor<1xi64>) -> (tensor<1x2xf32>, tensor<1xi64>) {
  %w = qnt.constant dense<[[0.5, -1.0], [0.25, 0.75], [-0.5, 1.0], [1.0, 0.125]]> : tensor<4x2xf32>
  %0 = qnt.gemm %x, %w {qnt.range = #qnt.range<-8.0, 8.0>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0, %i : tensor<1x2xf32>, tensor<1xi64>
}
