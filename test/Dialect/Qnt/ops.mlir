// RUN: quant-opt %s | quant-opt | FileCheck %s
// RUN: quant-opt %s --mlir-print-op-generic | quant-opt | FileCheck %s

// Every qnt op once, printed and parsed back twice (custom and generic form).

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2xf32>, tensor<2x2xf32>, tensor<3xi64>) {
  // CHECK: qnt.constant dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>
  %0 = qnt.constant dense<[0.5, -1.0]> : tensor<2xf32>
  // CHECK: qnt.constant dense_resource<weight> : tensor<2x2xf32>
  %1 = qnt.constant dense_resource<weight> : tensor<2x2xf32>
  // CHECK: qnt.constant dense<[1, 2, 3]> : tensor<3xi64>
  %2 = qnt.constant dense<[1, 2, 3]> : tensor<3xi64>
  return %0, %1, %2 : tensor<2xf32>, tensor<2x2xf32>, tensor<3xi64>
}

// CHECK-LABEL: func.func @convolutions
func.func @convolutions(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>,
                        %b: tensor<8xf32>, %dw: tensor<4x1x3x3xf32>,
                        %tw: tensor<4x2x3x3xf32>)
    -> (tensor<1x8x4x4xf32>, tensor<1x4x8x8xf32>, tensor<1x2x16x16xf32>) {
  // CHECK: qnt.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %0 = qnt.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                            dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnt.conv %{{.*}}, %{{.*}} {{{.*}}group = 4 : i64{{.*}}} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = qnt.conv %x, %dw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                         dilations = array<i64: 1, 1>, group = 4 : i64}
      : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: qnt.conv_transpose %{{.*}}, %{{.*}} {{{.*}}output_padding = array<i64: 1, 1>{{.*}}} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x16x16xf32>
  %2 = qnt.conv_transpose %x, %tw {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
                                   dilations = array<i64: 1, 1>,
                                   output_padding = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x16x16xf32>
  return %0, %1, %2 : tensor<1x8x4x4xf32>, tensor<1x4x8x8xf32>, tensor<1x2x16x16xf32>
}

// CHECK-LABEL: func.func @linear
func.func @linear(%a: tensor<2x16x64xf32>, %b: tensor<64x32xf32>,
                  %x: tensor<1x128xf32>, %w: tensor<10x128xf32>, %c: tensor<10xf32>)
    -> (tensor<2x16x32xf32>, tensor<1x10xf32>) {
  // CHECK: qnt.matmul %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<64x32xf32>) -> tensor<2x16x32xf32>
  %0 = qnt.matmul %a, %b : (tensor<2x16x64xf32>, tensor<64x32xf32>) -> tensor<2x16x32xf32>
  // CHECK: qnt.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, trans_b = true} : (tensor<1x128xf32>, tensor<10x128xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  %1 = qnt.gemm %x, %w, %c {alpha = 0.5 : f32, trans_b = true}
      : (tensor<1x128xf32>, tensor<10x128xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  return %0, %1 : tensor<2x16x32xf32>, tensor<1x10xf32>
}

// CHECK-LABEL: func.func @normalization
func.func @normalization(%x: tensor<1x8x4x4xf32>, %p: tensor<8xf32>,
                         %t: tensor<1x16x64xf32>, %g: tensor<64xf32>)
    -> (tensor<1x8x4x4xf32>, tensor<1x16x64xf32>) {
  // CHECK: qnt.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-3 : f32}
      : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
      -> tensor<1x8x4x4xf32>
  // CHECK: qnt.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64}
  %1 = qnt.layer_norm %t, %g, %g {axis = 2 : i64}
      : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
  return %0, %1 : tensor<1x8x4x4xf32>, tensor<1x16x64xf32>
}

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<1x8x4x4xf32>, %b: tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  // CHECK: qnt.add %{{.*}}, %{{.*}} : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %0 = qnt.add %a, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnt.sub
  %1 = qnt.sub %0, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnt.mul
  %2 = qnt.mul %1, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnt.div
  %3 = qnt.div %2, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnt.pow
  %4 = qnt.pow %3, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnt.max
  %5 = qnt.max %4, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnt.min
  %6 = qnt.min %5, %b : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  return %6 : tensor<1x8x4x4xf32>
}

// CHECK-LABEL: func.func @compare_select
func.func @compare_select(%a: tensor<2x3xf32>, %t: tensor<f32>) -> tensor<2x3xf32> {
  // CHECK: qnt.compare %{{.*}}, %{{.*}} {predicate = #qnt.compare_predicate<ge>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>
  %c = qnt.compare %a, %t {predicate = #qnt.compare_predicate<ge>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>
  // CHECK: qnt.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %y = qnt.select %c, %a, %t : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: qnt.sqrt %{{.*}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %0 = qnt.sqrt %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.exp
  %1 = qnt.exp %0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.log
  %2 = qnt.log %1 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.erf
  %3 = qnt.erf %2 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.tanh
  %t4 = qnt.tanh %3 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.abs
  %4 = qnt.abs %t4 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.relu
  %5 = qnt.relu %4 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.sigmoid
  %6 = qnt.sigmoid %5 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.hard_swish
  %7 = qnt.hard_swish %6 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
  %8 = qnt.leaky_relu %7 {alpha = 0.1 : f32} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.clamp %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
  %9 = qnt.clamp %8 {min = 0.0 : f32, max = 6.0 : f32} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.hard_sigmoid %{{.*}} {alpha = 0.166666672 : f32}
  %10 = qnt.hard_sigmoid %9 {alpha = 0.166666672 : f32} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.gelu %{{.*}} {approximate = #qnt.gelu_approximation<tanh>}
  %11 = qnt.gelu %10 {approximate = #qnt.gelu_approximation<tanh>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: qnt.softmax %{{.*}} {axis = 1 : i64}
  %12 = qnt.softmax %11 {axis = 1 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %12 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<1x8x16x16xf32>)
    -> (tensor<1x8x8x8xf32>, tensor<1x8x16x16xf32>, tensor<1x8x1x1xf32>, tensor<1x8x32x32xf32>) {
  // CHECK: qnt.max_pool %{{.*}} {{{.*}}kernel_shape = array<i64: 2, 2>{{.*}}} : (tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32>
  %0 = qnt.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                        pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x8x16x16xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: qnt.average_pool %{{.*}} {count_include_pad = true{{.*}}}
  %1 = qnt.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>,
                            pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>,
                            count_include_pad = true}
      : (tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  // CHECK: qnt.global_average_pool %{{.*}} : (tensor<1x8x16x16xf32>) -> tensor<1x8x1x1xf32>
  %2 = qnt.global_average_pool %x : (tensor<1x8x16x16xf32>) -> tensor<1x8x1x1xf32>
  // CHECK: qnt.resize %{{.*}} {coordinate_transform = #qnt.coordinate_transform<asymmetric>, mode = #qnt.resize_mode<linear>, nearest_mode = #qnt.nearest_mode<floor>, scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>}
  %3 = qnt.resize %x {scales = array<f32: 1.0, 1.0, 2.0, 2.0>,
                      coordinate_transform = #qnt.coordinate_transform<asymmetric>,
                      mode = #qnt.resize_mode<linear>, nearest_mode = #qnt.nearest_mode<floor>}
      : (tensor<1x8x16x16xf32>) -> tensor<1x8x32x32xf32>
  return %0, %1, %2, %3 : tensor<1x8x8x8xf32>, tensor<1x8x16x16xf32>, tensor<1x8x1x1xf32>, tensor<1x8x32x32xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<1x8x2x2xf32>, %y: tensor<1x4x2x2xf32>,
                         %t: tensor<100x16xf32>, %ids: tensor<1x5xi64>)
    -> (tensor<1x12x2x2xf32>, tensor<1x32xf32>, tensor<1x2x2x8xf32>,
        tensor<1x4x2x1xf32>, tensor<1x5x16xf32>, tensor<1x8x4x4xf32>, tensor<1x8x2x2xf16>) {
  // CHECK: qnt.concat %{{.*}}, %{{.*}} {axis = 1 : i64}
  %0 = qnt.concat %x, %y {axis = 1 : i64}
      : (tensor<1x8x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x12x2x2xf32>
  // CHECK: qnt.reshape %{{.*}} : (tensor<1x8x2x2xf32>) -> tensor<1x32xf32>
  %1 = qnt.reshape %x : (tensor<1x8x2x2xf32>) -> tensor<1x32xf32>
  // CHECK: qnt.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>}
  %2 = qnt.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x2x2xf32>) -> tensor<1x2x2x8xf32>
  // CHECK: qnt.slice %{{.*}} {ends = array<i64: 1, 8, 2, 1>, starts = array<i64: 0, 0, 0, 0>, steps = array<i64: 1, 2, 1, 1>}
  %3 = qnt.slice %x {starts = array<i64: 0, 0, 0, 0>, ends = array<i64: 1, 8, 2, 1>,
                     steps = array<i64: 1, 2, 1, 1>}
      : (tensor<1x8x2x2xf32>) -> tensor<1x4x2x1xf32>
  // CHECK: qnt.gather %{{.*}}, %{{.*}} {axis = 0 : i64}
  %4 = qnt.gather %t, %ids {axis = 0 : i64} : (tensor<100x16xf32>, tensor<1x5xi64>) -> tensor<1x5x16xf32>
  // CHECK: qnt.pad %{{.*}} {mode = #qnt.pad_mode<edge>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
  %5 = qnt.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = #qnt.pad_mode<edge>}
      : (tensor<1x8x2x2xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qnt.cast %{{.*}} : (tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf16>
  %6 = qnt.cast %x : (tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf16>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<1x12x2x2xf32>, tensor<1x32xf32>, tensor<1x2x2x8xf32>,
      tensor<1x4x2x1xf32>, tensor<1x5x16xf32>, tensor<1x8x4x4xf32>, tensor<1x8x2x2xf16>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<1x8x4x4xf32>)
    -> (tensor<1x8x1x1xf32>, tensor<1x8xf32>, tensor<8x4x4xf32>) {
  // CHECK: qnt.reduce_mean %{{.*}} {axes = array<i64: 2, 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  %0 = qnt.reduce_mean %x {axes = array<i64: 2, 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  // CHECK: qnt.reduce_max %{{.*}} {axes = array<i64: 2, 3>, keepdims = false}
  %1 = qnt.reduce_max %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<1x8x4x4xf32>) -> tensor<1x8xf32>
  // CHECK: qnt.reduce_sum %{{.*}} {axes = array<i64: 0>, keepdims = false}
  %2 = qnt.reduce_sum %x {axes = array<i64: 0>, keepdims = false} : (tensor<1x8x4x4xf32>) -> tensor<8x4x4xf32>
  return %0, %1, %2 : tensor<1x8x1x1xf32>, tensor<1x8xf32>, tensor<8x4x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F0000004000004040000080C0"
    }
  }
#-}
