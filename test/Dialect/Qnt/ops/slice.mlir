// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// qnt.slice with clamped ONNX bounds: reverse, empty and strided slices.

// CHECK-LABEL: func.func @variants
func.func @variants(%x: tensor<10x4xf32>) {
  // The whole dim reversed (ONNX starts=-1, ends=-INT_MAX, steps=-1).
  // CHECK: qnt.slice {{.*}} -> tensor<10x4xf32>
  %0 = qnt.slice %x {starts = array<i64: 9, 0>, ends = array<i64: -1, 4>, steps = array<i64: -1, 1>}
      : (tensor<10x4xf32>) -> tensor<10x4xf32>
  // Every third element backwards from 8: 8, 5, 2.
  // CHECK: qnt.slice {{.*}} -> tensor<3x4xf32>
  %1 = qnt.slice %x {starts = array<i64: 8, 0>, ends = array<i64: 0, 4>, steps = array<i64: -3, 1>}
      : (tensor<10x4xf32>) -> tensor<3x4xf32>
  // start >= end with a positive step selects nothing.
  // CHECK: qnt.slice {{.*}} -> tensor<0x4xf32>
  %2 = qnt.slice %x {starts = array<i64: 7, 0>, ends = array<i64: 3, 4>, steps = array<i64: 1, 1>}
      : (tensor<10x4xf32>) -> tensor<0x4xf32>
  // A step larger than the dim takes one element.
  // CHECK: qnt.slice {{.*}} -> tensor<10x1xf32>
  %3 = qnt.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 10, 4>, steps = array<i64: 1, 100>}
      : (tensor<10x4xf32>) -> tensor<10x1xf32>
  return
}

// -----

// A negative start is not clamped yet (the importer normalizes it).
func.func @unclamped(%x: tensor<10x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{slice [-2, 10) step 1 is not clamped to dim 0 of size 10}}
  %0 = qnt.slice %x {starts = array<i64: -2, 0>, ends = array<i64: 10, 4>, steps = array<i64: 1, 1>}
      : (tensor<10x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
