// RUN: quant-opt %s --quant-gpu-map-parallel-loops=block-size=64 -split-input-file -verify-diagnostics | FileCheck %s
// RUN: not quant-opt %s --quant-gpu-map-parallel-loops=block-size=2048 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: quant-gpu-map-parallel-loops: block-size must be in 1..1024, not 2048

// A 2-D loop (rows 1..7 step 2, columns 0..5): 3 x 5 = 15 iterations in one
// block of 64 threads; the thread's index is split row-major, the inner
// loop stays sequential in the thread.
// CHECK-LABEL: func.func @two_d
// CHECK:         %[[C64:.*]] = arith.constant 64 : index
// CHECK:         %[[CEIL:.*]] = arith.ceildivui %[[TOTAL:.*]], %[[C64]]
// CHECK:         %[[BLOCKS:.*]] = arith.maxui %[[CEIL]], %{{.*}}
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%[[BS:.*]] = %[[C64]],
// CHECK:           %[[B:.*]] = arith.muli %[[BX]], %[[BS]]
// CHECK:           %[[LIN:.*]] = arith.addi %[[B]], %[[TX]]
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[LIN]], %[[TOTAL]]
// CHECK:           scf.if %[[IN]] {
// CHECK:             %[[COL:.*]] = arith.remui %[[LIN]], %[[NCOLS:.*]] : index
// CHECK:             %[[REST:.*]] = arith.divui %[[LIN]], %[[NCOLS]] : index
// CHECK:             %[[ROWSTEP:.*]] = arith.muli %[[REST]], %c2
// CHECK:             %[[ROW:.*]] = arith.addi %c1, %[[ROWSTEP]]
// CHECK:             scf.for
// CHECK:               memref.store {{.*}}[%[[ROW]], {{.*}}]
// CHECK:           gpu.terminator
// CHECK-NOT:     scf.parallel
func.func @two_d(%m: memref<8x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c1, %c0) to (%c7, %c5) step (%c2, %c1) {
    scf.for %k = %c0 to %c3 step %c1 {
      %v = memref.load %m[%i, %j] : memref<8x5xf32>
      %w = arith.addf %v, %f : f32
      memref.store %w, %m[%i, %j] : memref<8x5xf32>
    }
    scf.reduce
  }
  return
}

// -----

// A nested scf.parallel is not mapped on its own: it runs inside the
// outer loop's thread.
// CHECK-LABEL: func.func @nested
// CHECK-COUNT-1: gpu.launch
// CHECK:           scf.parallel
func.func @nested(%m: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      memref.store %f, %m[%i, %j] : memref<4x4xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}

// -----

// Trip counts clamp at zero (an upper bound below the lower one), and an
// empty space still launches one block, whose threads find nothing to do.
// CHECK-LABEL: func.func @empty
// CHECK:         %[[SPAN:.*]] = arith.subi %c1, %c3 : index
// CHECK:         %[[CLAMPED:.*]] = arith.maxsi %[[SPAN]], %[[ZERO:.*]] : index
// CHECK:         %[[CEIL:.*]] = arith.ceildivui %[[TOTAL:.*]], %{{.*}}
// CHECK:         %[[BLOCKS:.*]] = arith.maxui %[[CEIL]], %[[ONE:.*]] : index
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %[[BLOCKS]],
// CHECK:           arith.cmpi ult, %{{.*}}, %[[TOTAL]] : index
func.func @empty(%m: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c3) to (%c1) step (%c1) {
    memref.store %f, %m[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

func.func @reduction(%m: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{quant-gpu-map-parallel-loops: reductions (scf.parallel with results) are not mapped}}
  %r = scf.parallel (%i) = (%c0) to (%c4) step (%c1) init (%zero) -> f32 {
    %v = memref.load %m[%i] : memref<4xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %r : f32
}
