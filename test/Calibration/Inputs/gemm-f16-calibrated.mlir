// A calibrated f16 gemm: qnt-quant-report measures f32 layers only.
func.func @main(%x: tensor<1x4xf16> {qnt.range = #qnt.range<-4.0, 4.0>}) -> tensor<1x2xf16> {
  %w = qnt.constant dense<[[0.5, -1.0], [0.25, 0.75], [-0.5, 1.0], [1.0, 0.125]]> : tensor<4x2xf16>
  %0 = qnt.gemm %x, %w {qnt.range = #qnt.range<-8.0, 8.0>} : (tensor<1x4xf16>, tensor<4x2xf16>) -> tensor<1x2xf16> loc("fc")
  return %0 : tensor<1x2xf16>
}
