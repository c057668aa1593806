// RUN: quant-opt %s -split-input-file --qnt-fold-batch-norm | FileCheck %s
// RUN: quant-opt %s -split-input-file --qnt-fold-batch-norm --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// Conv + batch_norm: with gamma = [3, 1], var = [3, 0], eps = 1 the channel
// scales are s = [3/2, 1/1]; w' = w * s = [3, -4] and
// b' = (b - mean) * s + beta = [(1 - 1) * 1.5 + 0.25, (0.5 - 2) * 1 - 1].
// CHECK-LABEL: func.func @conv_bn
// CHECK-DAG:     %[[W:.*]] = qnt.constant dense<{{\[}}[{{\[}}[3.000000e+00]]], [{{\[}}[-4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<[2.500000e-01, -2.500000e+00]> : tensor<2xf32>
// CHECK:         %[[Y:.*]] = qnt.conv %arg0, %[[W]], %[[B]] {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-NOT:     qnt.batch_norm
// CHECK:         return %[[Y]]
// LOC-LABEL: func.func @conv_bn
// LOC:         qnt.conv {{.*}} loc(#[[FUSED:loc[0-9]+]])
// LOC:         #[[CONV:loc[0-9]+]] = loc("conv1")
// LOC:         #[[BN:loc[0-9]+]] = loc("bn1")
// LOC:         #[[FUSED]] = loc(fused[#[[CONV]], #[[BN]]])
func.func @conv_bn(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[2.0]]], [[[-4.0]]]]> : tensor<2x1x1x1xf32>
  %b = qnt.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %gamma = qnt.constant dense<[3.0, 1.0]> : tensor<2xf32>
  %beta = qnt.constant dense<[0.25, -1.0]> : tensor<2xf32>
  %mean = qnt.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = qnt.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %c = qnt.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                            dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32> loc("conv1")
  %y = qnt.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> tensor<1x2x2x2xf32> loc("bn1")
  return %y : tensor<1x2x2x2xf32>
}

// A conv without bias gets one: b' = (0 - mean) * s + beta.
// CHECK-LABEL: func.func @conv_no_bias_bn
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<[-1.250000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK:         qnt.conv %arg0, %{{.*}}, %[[B]]
// CHECK-NOT:     qnt.batch_norm
func.func @conv_no_bias_bn(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = qnt.constant dense<[[[[2.0]]], [[[-4.0]]]]> : tensor<2x1x1x1xf32>
  %gamma = qnt.constant dense<[3.0, 1.0]> : tensor<2xf32>
  %beta = qnt.constant dense<[0.25, 3.0]> : tensor<2xf32>
  %mean = qnt.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = qnt.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %c = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y = qnt.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Weights stored as a blob are read from it, and the folded weights (more than
// 16 elements) are written back as a blob: every weight 1 * s = 2.
// CHECK-LABEL: func.func @blob_weights
// CHECK:         %[[W:.*]] = qnt.constant dense_resource<[[NAME:.*]]> : tensor<4x5x1x1xf32>
// CHECK:         qnt.conv %arg0, %[[W]]
// CHECK:         [[NAME]]: "0x040000000000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040"
func.func @blob_weights(%x: tensor<1x5x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = qnt.constant dense_resource<w_in> : tensor<4x5x1x1xf32>
  %p = qnt.constant dense<[2.0, 2.0, 2.0, 2.0]> : tensor<4xf32>
  %z = qnt.constant dense<0.0> : tensor<4xf32>
  %one = qnt.constant dense<1.0> : tensor<4xf32>
  %c = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x5x2x2xf32>, tensor<4x5x1x1xf32>) -> tensor<1x4x2x2xf32>
  %y = qnt.batch_norm %c, %p, %z, %z, %one {epsilon = 0.0 : f32}
      : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
      -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w_in: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}

// -----

// Gemm with transposed B (N x K): row n of B scales by s[n] = [1, 0.5];
// c' = (beta * c - mean) * s + bias = [(0.5 - 0) * 1 + 0, (1 - 1) * 0.5 + 1]
// and beta becomes 1 (the default, so it is not printed).
// CHECK-LABEL: func.func @gemm_bn
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [2.000000e+00, 2.500000e+00, 3.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG:     %[[C:.*]] = qnt.constant dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK:         qnt.gemm %arg0, %[[B]], %[[C]] {alpha = 2.000000e+00 : f32, trans_b = true}
// CHECK-NOT:     qnt.batch_norm
func.func @gemm_bn(%a: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %b = qnt.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %c = qnt.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %gamma = qnt.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %beta = qnt.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = qnt.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = qnt.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %g = qnt.gemm %a, %b, %c {alpha = 2.0 : f32, beta = 0.5 : f32, trans_b = true}
      : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %y = qnt.batch_norm %g, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// Gemm with B as K x N: column n scales by s[n]; without C, c' = beta_bn - mean * s.
// CHECK-LABEL: func.func @gemm_bn_columns
// CHECK-DAG:     %[[B:.*]] = qnt.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG:     %[[C:.*]] = qnt.constant dense<[0.000000e+00, 5.000000e-01]> : tensor<2xf32>
// CHECK:         qnt.gemm %arg0, %[[B]], %[[C]] : (tensor<1x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
func.func @gemm_bn_columns(%a: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %b = qnt.constant dense<[[1.0, 4.0], [3.0, 8.0], [5.0, 12.0]]> : tensor<3x2xf32>
  %gamma = qnt.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %beta = qnt.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = qnt.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = qnt.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %g = qnt.gemm %a, %b : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  %y = qnt.batch_norm %g, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
