// RUN: quant-opt %s --quant-gpu-launch-kernel-calls -split-input-file -verify-diagnostics | FileCheck %s

// A call of a launch declaration becomes the launch, with the call's
// operands; the declaration goes; other calls stay.
// CHECK-NOT:   @__launch
// CHECK:       func.func private @other
// CHECK-LABEL: func.func @f
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK:         gpu.launch_func  @kernels::@k blocks in (%[[C3]], %[[C2]], %[[C1]]) threads in (%[[C64]], %{{.*}}, %{{.*}})  args(%{{.*}} : memref<?xi8>)
// CHECK:         call @other(%{{.*}})
// CHECK-NOT:   @__launch
module attributes {gpu.container_module} {
  func.func private @__launch(memref<?xi8>) attributes {quant.launch_kernel = @kernels::@k, quant.launch_grid = array<i64: 3, 2, 1>, quant.launch_block = array<i64: 64, 1, 1>}
  func.func private @other(memref<?xi8>)
  func.func @f(%m: memref<?xi8>) {
    call @__launch(%m) : (memref<?xi8>) -> ()
    call @other(%m) : (memref<?xi8>) -> ()
    return
  }
  gpu.module @kernels {
    gpu.func @k(%m: memref<?xi8>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  // expected-error @+1 {{quant-gpu-launch-kernel-calls: expected quant.launch_kernel, quant.launch_grid and quant.launch_block (3 sizes each)}}
  func.func private @__launch(memref<?xi8>) attributes {quant.launch_kernel = @kernels::@k, quant.launch_grid = array<i64: 3, 2>}
  func.func @f(%m: memref<?xi8>) {
    call @__launch(%m) : (memref<?xi8>) -> ()
    return
  }
}
