// RUN: quant-opt %s --quant-gpu-device-constants | FileCheck %s

// Host code reading a 3 x 4 f32 weight (48 bytes) gets the runtime's device
// copy; the string constant and the gpu.module's code are left alone.
// CHECK-LABEL: llvm.func @host
// CHECK:         %[[A:.*]] = llvm.mlir.addressof @weights : !llvm.ptr
// CHECK:         %[[N:.*]] = llvm.mlir.constant(48 : i64) : i64
// CHECK:         %[[D:.*]] = llvm.call @quant_cuda_constant(%[[A]], %[[N]]) : (!llvm.ptr, i64) -> !llvm.ptr
// CHECK:         llvm.load %[[D]]
// CHECK:         %[[S:.*]] = llvm.mlir.addressof @name : !llvm.ptr
// CHECK-NEXT:    llvm.load %[[S]]
// CHECK:       gpu.module @kernels
// CHECK:         %[[T:.*]] = llvm.mlir.addressof @table
// CHECK-NEXT:    llvm.load %[[T]]
// CHECK:       llvm.func @quant_cuda_constant(!llvm.ptr, i64) -> !llvm.ptr
module attributes {gpu.container_module} {
  llvm.mlir.global private constant @weights(dense<1.0> : tensor<3x4xf32>) {addr_space = 0 : i32} : !llvm.array<3 x array<4 x f32>>
  llvm.mlir.global private constant @name("kernel\00") {addr_space = 0 : i32}
  llvm.func @host() -> f32 {
    %0 = llvm.mlir.addressof @weights : !llvm.ptr
    %1 = llvm.load %0 : !llvm.ptr -> f32
    %2 = llvm.mlir.addressof @name : !llvm.ptr
    %3 = llvm.load %2 : !llvm.ptr -> i8
    llvm.return %1 : f32
  }
  gpu.module @kernels {
    llvm.mlir.global private constant @table(dense<2> : tensor<4xi32>) {addr_space = 0 : i32} : !llvm.array<4 x i32>
    llvm.func @device() -> i32 {
      %0 = llvm.mlir.addressof @table : !llvm.ptr
      %1 = llvm.load %0 : !llvm.ptr -> i32
      llvm.return %1 : i32
    }
  }
}
