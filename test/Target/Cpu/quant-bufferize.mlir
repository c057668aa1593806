// RUN: quant-opt %s --quant-bufferize --split-input-file | FileCheck %s

// Function boundaries get identity-layout memrefs (the runtime ABI's
// layout) and copies are linalg.copy, not memref.copy.
// CHECK-LABEL: func @pad(
// CHECK-SAME: %[[X:.*]]: memref<2x3xf32>) -> memref<4x5xf32>
// CHECK: %[[BUF:.*]] = memref.alloc() {{.*}} : memref<4x5xf32>
// CHECK: linalg.map
// CHECK: %[[VIEW:.*]] = memref.subview %[[BUF]][1, 1] [2, 3] [1, 1]
// CHECK: linalg.copy ins(%[[X]] : memref<2x3xf32>) outs(%[[VIEW]] :
// CHECK-NOT: memref.copy
func.func @pad(%x: tensor<2x3xf32>) -> tensor<4x5xf32> {
  %c = arith.constant 0.0 : f32
  %0 = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %c : f32
  } : tensor<2x3xf32> to tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Constants become memref.global.
// CHECK: memref.global "private" constant @{{.*}} : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK-LABEL: func @constant
// CHECK: memref.get_global
func.func @constant() -> tensor<2xf32> {
  %0 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
