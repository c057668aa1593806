// RUN: quant-opt %s | quant-opt | FileCheck %s

// Compute ops take upstream !quant.uniform element types: per-tensor,
// per-axis and sub-channel, and mixed float/quantized operands that express
// the same float type (weight-only quantization).

!act = !quant.uniform<i8:f32, 0.05:-3>
!w_axis = !quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>
!w_group = !quant.uniform<i4:f32:{0:1, 1:2}, {{0.1, 0.2}, {0.3, 0.4}}>

// Per-tensor activations with per-axis (per output channel) weights.
// CHECK-LABEL: func.func @per_axis_conv
// CHECK: qnt.conv {{.*}} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>, tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {1.000000e-02,2.000000e-02}>>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
func.func @per_axis_conv(%x: tensor<1x2x4x4x!act>, %w: tensor<2x2x1x1x!w_axis>) -> tensor<1x2x4x4x!act> {
  %0 = qnt.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                        dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4x!act>, tensor<2x2x1x1x!w_axis>) -> tensor<1x2x4x4x!act>
  return %0 : tensor<1x2x4x4x!act>
}

// Weight-only: float activations, sub-channel (block-wise) int4 weights.
// CHECK-LABEL: func.func @weight_only_matmul
// CHECK: qnt.matmul {{.*}} : (tensor<3x2xf32>, tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{\{\{}}1.000000e-01, 2.000000e-01}, {3.000000e-01, 4.000000e-01}}>>) -> tensor<3x4xf32>
func.func @weight_only_matmul(%x: tensor<3x2xf32>, %w: tensor<2x4x!w_group>) -> tensor<3x4xf32> {
  %0 = qnt.matmul %x, %w : (tensor<3x2xf32>, tensor<2x4x!w_group>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// Element-wise ops may change quantization parameters (a requantizing add).
// CHECK-LABEL: func.func @requantizing_add
// CHECK: qnt.add {{.*}} -> tensor<4x!quant.uniform<i8:f32, 1.000000e-01>>
func.func @requantizing_add(%a: tensor<4x!act>, %b: tensor<4x!act>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  %0 = qnt.add %a, %b : (tensor<4x!act>, tensor<4x!act>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// Data movement keeps the quantized type; upstream quant.qcast/dcast mark
// the float boundary.
// CHECK-LABEL: func.func @boundaries
// CHECK: quant.qcast
// CHECK: qnt.max_pool {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK: qnt.reshape {{.*}} -> tensor<1x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK: quant.dcast
func.func @boundaries(%x: tensor<1x2x4x4xf32>) -> tensor<1x8xf32> {
  %q = quant.qcast %x : tensor<1x2x4x4xf32> to tensor<1x2x4x4x!act>
  %p = qnt.max_pool %q {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                        pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x4x4x!act>) -> tensor<1x2x2x2x!act>
  %r = qnt.reshape %p : (tensor<1x2x2x2x!act>) -> tensor<1x8x!act>
  %d = quant.dcast %r : tensor<1x8x!act> to tensor<1x8xf32>
  return %d : tensor<1x8xf32>
}

// Calibrated ranges live on ops and on function arguments.
// CHECK-LABEL: func.func @ranges
// CHECK-SAME:    {qnt.range = #qnt.range<-1.000000e+00, 1.000000e+00>}
// CHECK:         qnt.relu %{{.*}} {qnt.range = #qnt.range<0.000000e+00, 6.250000e+00>}
func.func @ranges(%x: tensor<4xf32> {qnt.range = #qnt.range<-1.0, 1.0>}) -> tensor<4xf32> {
  %0 = qnt.relu %x {qnt.range = #qnt.range<0.0, 6.25>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
