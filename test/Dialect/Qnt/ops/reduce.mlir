// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// Reductions with and without keepdims, down to a scalar.

// CHECK-LABEL: func.func @variants
func.func @variants(%x: tensor<2x3x4xf32>) {
  // CHECK: qnt.reduce_sum {{.*}} {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  %0 = qnt.reduce_sum %x {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  // CHECK: qnt.reduce_max {{.*}} -> tensor<1x1x1xf32>
  %1 = qnt.reduce_max %x {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  // CHECK: qnt.reduce_mean {{.*}} {axes = array<i64: 0, 2>, keepdims = false} {{.*}} -> tensor<3xf32>
  %2 = qnt.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // CHECK: qnt.reduce_min {{.*}} {axes = array<i64: 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  %3 = qnt.reduce_min %x {axes = array<i64: 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  // CHECK: qnt.reduce_prod {{.*}} {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  %4 = qnt.reduce_prod %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Duplicate axes are rejected (the importer sorts and deduplicates).
func.func @duplicate(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{expects 'axes' sorted and unique, got [1, 1]}}
  %0 = qnt.reduce_mean %x {axes = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// arg_max/arg_min give i64 indices; keepdims and select_last_index default
// to true and false.
// CHECK-LABEL: func.func @arg
func.func @arg(%x: tensor<2x3xf32>) -> (tensor<2x1xi64>, tensor<3xi64>) {
  // CHECK: qnt.arg_max %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  %0 = qnt.arg_max %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  // CHECK: qnt.arg_min %{{.*}} {axis = 0 : i64, keepdims = false, select_last_index = true} : (tensor<2x3xf32>) -> tensor<3xi64>
  %1 = qnt.arg_min %x {axis = 0 : i64, keepdims = false, select_last_index = true} : (tensor<2x3xf32>) -> tensor<3xi64>
  return %0, %1 : tensor<2x1xi64>, tensor<3xi64>
}

// -----

func.func @arg_axis(%x: tensor<2x3xf32>) -> tensor<2x1xi64> {
  // expected-error @+1 {{'qnt.arg_max' op expects 'axis'}}
  %0 = qnt.arg_max %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

func.func @arg_shape(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{'qnt.arg_min' op}}
  %0 = qnt.arg_min %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// top_k gives k values of the input's type and their i64 indices, with k
// at the axis.
// CHECK-LABEL: func.func @top_k
func.func @top_k(%x: tensor<3x10xf32>, %i: tensor<5x2xi32>) {
  // CHECK: qnt.top_k %{{.*}} {axis = 1 : i64, k = 4 : i64} : (tensor<3x10xf32>) -> (tensor<3x4xf32>, tensor<3x4xi64>)
  %v, %idx = qnt.top_k %x {axis = 1 : i64, k = 4 : i64} : (tensor<3x10xf32>) -> (tensor<3x4xf32>, tensor<3x4xi64>)
  // CHECK: largest = false
  %w, %j = qnt.top_k %i {axis = 0 : i64, k = 5 : i64, largest = false} : (tensor<5x2xi32>) -> (tensor<5x2xi32>, tensor<5x2xi64>)
  return
}

// -----

func.func @top_k_too_many(%x: tensor<3x10xf32>) {
  // expected-error @+1 {{'qnt.top_k' op expects 1 <= k <= 10 (the size of axis 1), got 11}}
  %v, %i = qnt.top_k %x {axis = 1 : i64, k = 11 : i64} : (tensor<3x10xf32>) -> (tensor<3x11xf32>, tensor<3x11xi64>)
  return
}

// -----

func.func @top_k_shape(%x: tensor<3x10xf32>) {
  // expected-error @+1 {{'qnt.top_k' op expects results of shape 3x2, got 2x3}}
  %v, %i = qnt.top_k %x {axis = 1 : i64, k = 2 : i64} : (tensor<3x10xf32>) -> (tensor<3x2xf32>, tensor<2x3xi64>)
  return
}

// -----

func.func @top_k_type(%x: tensor<3x10xf32>) {
  // expected-error @+1 {{'qnt.top_k' op expects values of the input's element type}}
  %v, %i = qnt.top_k %x {axis = 1 : i64, k = 2 : i64} : (tensor<3x10xf32>) -> (tensor<3x2xi32>, tensor<3x2xi64>)
  return
}
