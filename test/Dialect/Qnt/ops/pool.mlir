// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// Pooling output shapes: ceil_mode, dilation, asymmetric pads, 1-D and 3-D.

// CHECK-LABEL: func.func @variants
func.func @variants(%x: tensor<1x2x5x5xf32>, %x1: tensor<1x2x9xf32>, %x3: tensor<1x2x4x4x4xf32>) {
  // floor((5 - 2) / 2) + 1 = 2 ...
  // CHECK: qnt.max_pool {{.*}} -> tensor<1x2x2x2xf32>
  %0 = qnt.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                        pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x5x5xf32>) -> tensor<1x2x2x2xf32>
  // ... and ceil((5 - 2) / 2) + 1 = 3 with ceil_mode.
  // CHECK: qnt.max_pool {{.*}}ceil_mode = true{{.*}} -> tensor<1x2x3x3xf32>
  %1 = qnt.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                        pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true}
      : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  // Dilated max pool: extent 2*(3-1)+1 = 5 on 9 gives 5.
  // CHECK: qnt.max_pool {{.*}} -> tensor<1x2x5xf32>
  %2 = qnt.max_pool %x1 {kernel_shape = array<i64: 3>, strides = array<i64: 1>,
                         pads = array<i64: 0, 0>, dilations = array<i64: 2>}
      : (tensor<1x2x9xf32>) -> tensor<1x2x5xf32>
  // Average pool with SAME_UPPER-style asymmetric pads keeps 5.
  // CHECK: qnt.average_pool {{.*}} -> tensor<1x2x5x5xf32>
  %3 = qnt.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>,
                            pads = array<i64: 0, 0, 1, 1>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xf32>
  // 3-D average pool.
  // CHECK: qnt.average_pool {{.*}} -> tensor<1x2x2x2x2xf32>
  %4 = qnt.average_pool %x3 {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>,
                             pads = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>}
      : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
  // Global average pooling over 1-D and 3-D inputs.
  // CHECK: qnt.global_average_pool {{.*}} -> tensor<1x2x1xf32>
  %5 = qnt.global_average_pool %x1 : (tensor<1x2x9xf32>) -> tensor<1x2x1xf32>
  // CHECK: qnt.global_average_pool {{.*}} -> tensor<1x2x1x1x1xf32>
  %6 = qnt.global_average_pool %x3 : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x1x1x1xf32>
  return
}

// -----

// Without ceil_mode the partial window is dropped.
func.func @floor_mode(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{result shape 1x2x3x3 does not match the computed shape 1x2x2x2}}
  %0 = qnt.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                            pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
      : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}
