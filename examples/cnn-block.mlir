// A small CNN block in the qnt dialect, as the importer will produce it from
// ONNX: conv + batch_norm + relu twice, pooling and a classifier head.
// utils/demo.sh runs it through quant-opt; ONNX import replaces this
// hand-written file once quant-import exists.
func.func @main(%image: tensor<1x1x8x8xf32>) -> tensor<1x4xf32> {
  %w1 = qnt.constant dense<[[[[0.5, -0.5, 0.25]]], [[[1.0, 0.0, -1.0]]]]> : tensor<2x1x1x3xf32> loc("conv1.weight")
  %b1 = qnt.constant dense<[0.1, -0.2]> : tensor<2xf32> loc("conv1.bias")
  %g1 = qnt.constant dense<[1.5, 0.75]> : tensor<2xf32> loc("bn1.weight")
  %o1 = qnt.constant dense<[0.0, 0.5]> : tensor<2xf32> loc("bn1.bias")
  %m1 = qnt.constant dense<[0.25, -0.125]> : tensor<2xf32> loc("bn1.running_mean")
  %v1 = qnt.constant dense<[0.5, 2.0]> : tensor<2xf32> loc("bn1.running_var")
  %c1 = qnt.conv %image, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 1>,
                                   dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x8x8xf32>, tensor<2x1x1x3xf32>, tensor<2xf32>) -> tensor<1x2x8x8xf32> loc("/features/conv1/Conv")
  %n1 = qnt.batch_norm %c1, %g1, %o1, %m1, %v1 {epsilon = 1.0e-5 : f32}
      : (tensor<1x2x8x8xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
      -> tensor<1x2x8x8xf32> loc("/features/bn1/BatchNormalization")
  %r1 = qnt.relu %n1 : (tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32> loc("/features/relu1/Relu")
  %p1 = qnt.max_pool %r1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                          pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> loc("/features/pool1/MaxPool")
  %w2 = qnt.constant dense<0.125> : tensor<4x1x3x3xf32> loc("conv2.weight")
  %g2 = qnt.constant dense<[1.0, 2.0, 0.5, 1.0]> : tensor<4xf32> loc("bn2.weight")
  %o2 = qnt.constant dense<[0.0, 0.1, 0.2, 0.3]> : tensor<4xf32> loc("bn2.bias")
  %m2 = qnt.constant dense<0.0> : tensor<4xf32> loc("bn2.running_mean")
  %v2 = qnt.constant dense<1.0> : tensor<4xf32> loc("bn2.running_var")
  %c2 = qnt.conv %p1, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                           dilations = array<i64: 1, 1>, group = 2 : i64}
      : (tensor<1x2x4x4xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32> loc("/features/conv2/Conv")
  %n2 = qnt.batch_norm %c2, %g2, %o2, %m2, %v2
      : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
      -> tensor<1x4x4x4xf32> loc("/features/bn2/BatchNormalization")
  %r2 = qnt.clamp %n2 {min = 0.0 : f32, max = 6.0 : f32}
      : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("/features/relu2/Clip")
  %gap = qnt.global_average_pool %r2 : (tensor<1x4x4x4xf32>) -> tensor<1x4x1x1xf32> loc("/pool/GlobalAveragePool")
  %flat = qnt.reshape %gap : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32> loc("/Flatten")
  %wf = qnt.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0],
                            [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<4x4xf32> loc("fc.weight")
  %bf = qnt.constant dense<[0.0, 0.0, 0.0, 0.0]> : tensor<4xf32> loc("fc.bias")
  %fc = qnt.gemm %flat, %wf, %bf {trans_b = true}
      : (tensor<1x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<1x4xf32> loc("/fc/Gemm")
  %prob = qnt.softmax %fc {axis = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("/Softmax")
  return %prob : tensor<1x4xf32>
}
