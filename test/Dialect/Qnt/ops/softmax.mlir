// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.softmax along any in-range axis (axes are non-negative in qnt).

// CHECK-LABEL: func.func @axes
func.func @axes(%x: tensor<2x4x8xf32>) {
  // CHECK: qnt.softmax %{{.*}} {axis = 0 : i64}
  %0 = qnt.softmax %x {axis = 0 : i64} : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  // CHECK: qnt.softmax %{{.*}} {axis = 2 : i64}
  %1 = qnt.softmax %x {axis = 2 : i64} : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// Softmax keeps the shape.
func.func @shape(%x: tensor<2x4x8xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = qnt.softmax %x {axis = 2 : i64} : (tensor<2x4x8xf32>) -> tensor<2x32xf32>
  return %0 : tensor<2x32xf32>
}
