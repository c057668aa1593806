// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.gather: result shape data[:axis] + indices + data[axis+1:].

// CHECK-LABEL: func.func @variants
func.func @variants(%t: tensor<4x6x8xf32>, %s: tensor<i64>, %m: tensor<2x3xi32>) {
  // A scalar index removes the axis (x[:, 2, :]).
  // CHECK: qnt.gather {{.*}} {axis = 1 : i64} : (tensor<4x6x8xf32>, tensor<i64>) -> tensor<4x8xf32>
  %0 = qnt.gather %t, %s {axis = 1 : i64} : (tensor<4x6x8xf32>, tensor<i64>) -> tensor<4x8xf32>
  // Matrix indices (i32) along the last axis.
  // CHECK: qnt.gather {{.*}} {axis = 2 : i64} : (tensor<4x6x8xf32>, tensor<2x3xi32>) -> tensor<4x6x2x3xf32>
  %1 = qnt.gather %t, %m {axis = 2 : i64} : (tensor<4x6x8xf32>, tensor<2x3xi32>) -> tensor<4x6x2x3xf32>
  return
}

// -----

// The indices' shape replaces the gathered axis in place, not at the front.
func.func @misplaced(%t: tensor<4x6x8xf32>, %m: tensor<2xi64>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{result shape 2x4x8 does not match the computed shape 4x2x8}}
  %0 = qnt.gather %t, %m {axis = 1 : i64} : (tensor<4x6x8xf32>, tensor<2xi64>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}
