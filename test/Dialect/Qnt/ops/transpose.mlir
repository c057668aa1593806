// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.transpose: result dim i is input dim perm[i].

// CHECK-LABEL: func.func @layouts
func.func @layouts(%x: tensor<1x3x4x5xf32>, %v: tensor<7xf32>) {
  // NCHW to NHWC.
  // CHECK: qnt.transpose {{.*}} -> tensor<1x4x5x3xf32>
  %0 = qnt.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x5xf32>) -> tensor<1x4x5x3xf32>
  // NHWC back to NCHW uses the inverse permutation.
  // CHECK: qnt.transpose {{.*}} -> tensor<1x3x4x5xf32>
  %1 = qnt.transpose %0 {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x4x5x3xf32>) -> tensor<1x3x4x5xf32>
  // Rank 1 only admits the identity.
  // CHECK: qnt.transpose {{.*}} : (tensor<7xf32>) -> tensor<7xf32>
  %2 = qnt.transpose %v {perm = array<i64: 0>} : (tensor<7xf32>) -> tensor<7xf32>
  return
}

// -----

// An out-of-range entry is not a permutation.
func.func @out_of_range(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{expects 'perm' to be a permutation of [0, 2), got [1, 2]}}
  %0 = qnt.transpose %x {perm = array<i64: 1, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
