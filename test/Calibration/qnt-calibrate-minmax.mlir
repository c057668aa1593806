// Min/max calibration on two samples, computed by hand: x is [-2, 1, 0.5, 3]
// then [-1, 3.5, 0, 0], so x spans [-2, 3.5] and relu(x) [0, 3.5]; the add
// of 1 shifts both by one. Constants are not observed.

// RUN: rm -rf %t && mkdir -p %t/data
// RUN: %python %S/Inputs/write_npy.py %t/data/0000.npy 1x4 -2 1 0.5 3
// RUN: %python %S/Inputs/write_npy.py %t/data/0001.npy 1x4 -1 3.5 0 0
// RUN: quant-opt %s --qnt-calibrate="data=%t/data" | FileCheck %s
// RUN: quant-opt %s --qnt-calibrate="data=%t/data samples=1" | FileCheck %s --check-prefix=ONE
// RUN: quant-opt %s --qnt-calibrate="data=%t/data per-channel=true stats=true" | FileCheck %s --check-prefix=CHANNEL
// The IR depends only on the model, the options and the files.
// RUN: quant-opt %s --qnt-calibrate="data=%t/data method=entropy" -o %t/a.mlir
// RUN: quant-opt %s --qnt-calibrate="data=%t/data method=entropy" -o %t/b.mlir
// RUN: cmp %t/a.mlir %t/b.mlir

// CHECK: module attributes {qnt.calibration = {method = "minmax", samples = 2 : i64}}
// CHECK-LABEL: func.func @main
// CHECK-SAME:    qnt.range = #qnt.range<-2.000000e+00, 3.500000e+00>
// CHECK:         qnt.constant
// CHECK-NOT:     qnt.range
// CHECK-SAME:    dense<1.0
// CHECK:         qnt.relu {{.*}}qnt.range = #qnt.range<0.000000e+00, 3.500000e+00>
// CHECK:         qnt.add {{.*}}qnt.range = #qnt.range<1.000000e+00, 4.500000e+00>

// samples=1 takes the first file in name order only.
// ONE:    qnt.calibration = {method = "minmax", samples = 1 : i64}
// ONE:    qnt.range = #qnt.range<-2.000000e+00, 3.000000e+00>
// ONE:    qnt.relu {{.*}}qnt.range = #qnt.range<0.000000e+00, 3.000000e+00>

// Per-channel ranges and means along the last axis of a rank-2 value, and
// the statistics: 8 values each; minmax keeps no histogram (bin_width 0).
// CHANNEL-LABEL: func.func @main
// CHANNEL-SAME:  qnt.channel_range = #qnt.channel_range<axis = 1, min = [-2.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00], max = [-1.000000e+00, 3.500000e+00, 5.000000e-01, 3.000000e+00], mean = [-1.500000e+00, 2.250000e+00, 2.500000e-01, 1.500000e+00]>
// CHANNEL-SAME:  qnt.stats = {bin_width = 0.000000e+00 : f64, count = 8 : i64, max = 3.500000e+00 : f64, min = -2.000000e+00 : f64, non_finite = 0 : i64}
// CHANNEL:       qnt.relu
// CHANNEL-SAME:  min = [0.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00], max = [0.000000e+00, 3.500000e+00, 5.000000e-01, 3.000000e+00], mean = [0.000000e+00, 2.250000e+00, 2.500000e-01, 1.500000e+00]
// CHANNEL-SAME:  qnt.range = #qnt.range<0.000000e+00, 3.500000e+00>

func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %one = qnt.constant dense<1.0> : tensor<1x4xf32>
  %0 = qnt.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %1 = qnt.add %0, %one : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}
