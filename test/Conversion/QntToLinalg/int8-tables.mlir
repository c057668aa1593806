// RUN: quant-opt %s --qnt-int8-tables -split-input-file | FileCheck %s

// A hardswish between int8 values becomes a table: the 256 int8 codes of
// the input grid (as [1, 1, 256], the input's rank, so that the scalar
// constants broadcast as before), dequantized, through a clone of the
// chain, quantized to the output grid, collapsed to [256]; each element
// reads it at x + 128. The float chain, read by nothing else, is gone.
// CHECK-LABEL: func.func @hardswish
// CHECK:         %[[CODES:.*]] = qnt.constant dense<"0x808182{{[0-9A-F]*}}7D7E7F"> : tensor<1x1x256xi8>
// CHECK:         %[[Q:.*]] = quant.scast %[[CODES]] : tensor<1x1x256xi8> to tensor<1x1x256x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK:         %[[F:.*]] = quant.dcast %[[Q]] : {{.*}} to tensor<1x1x256xf32>
// CHECK:         %[[A:.*]] = qnt.add %[[F]], %{{.*}} : (tensor<1x1x256xf32>, tensor<f32>) -> tensor<1x1x256xf32>
// CHECK:         %[[C:.*]] = qnt.clamp %[[A]] {{.*}} -> tensor<1x1x256xf32>
// CHECK:         %[[M:.*]] = qnt.mul %[[F]], %[[C]] : (tensor<1x1x256xf32>, tensor<1x1x256xf32>) -> tensor<1x1x256xf32>
// CHECK:         %[[D:.*]] = qnt.div %[[M]], %{{.*}} -> tensor<1x1x256xf32>
// CHECK:         %[[TQ:.*]] = quant.qcast %[[D]] : tensor<1x1x256xf32> to tensor<1x1x256x!quant.uniform<i8:f32, 3.000000e-02:-118>>
// CHECK:         %[[TS:.*]] = quant.scast %[[TQ]] : {{.*}} to tensor<1x1x256xi8>
// CHECK:         %[[T:.*]] = tensor.collapse_shape %[[TS]] {{\[\[}}0, 1, 2]] : tensor<1x1x256xi8> into tensor<256xi8>
// CHECK:         %[[XS:.*]] = quant.scast %arg0 : {{.*}} to tensor<4x8x8xi8>
// CHECK:         %[[L:.*]] = linalg.generic {{.*}} ins(%[[XS]] : tensor<4x8x8xi8>)
// CHECK:           arith.extsi
// CHECK:           arith.constant 128 : i32
// CHECK:           tensor.extract %[[T]]
// CHECK:         %[[Y:.*]] = quant.scast %[[L]] : tensor<4x8x8xi8> to tensor<4x8x8x!quant.uniform<i8:f32, 3.000000e-02:-118>>
// CHECK:         return %[[Y]]
// CHECK-NOT:     qnt.div
func.func @hardswish(%x: tensor<4x8x8x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<4x8x8x!quant.uniform<i8:f32, 0.03:-118>> {
  %c3 = qnt.constant dense<3.0> : tensor<f32>
  %c6 = qnt.constant dense<6.0> : tensor<f32>
  %f = quant.dcast %x : tensor<4x8x8x!quant.uniform<i8:f32, 0.05:-3>> to tensor<4x8x8xf32>
  %a = qnt.add %f, %c3 : (tensor<4x8x8xf32>, tensor<f32>) -> tensor<4x8x8xf32>
  %c = qnt.clamp %a {max = 6.0 : f32, min = 0.0 : f32} : (tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %m = qnt.mul %f, %c : (tensor<4x8x8xf32>, tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %d = qnt.div %m, %c6 : (tensor<4x8x8xf32>, tensor<f32>) -> tensor<4x8x8xf32>
  %q = quant.qcast %d : tensor<4x8x8xf32> to tensor<4x8x8x!quant.uniform<i8:f32, 0.03:-118>>
  return %q : tensor<4x8x8x!quant.uniform<i8:f32, 0.03:-118>>
}

// -----

// A float reader keeps the float chain; the qcast still becomes a lookup.
// CHECK-LABEL: func.func @shared
// CHECK:         %[[S:.*]] = qnt.sigmoid {{.*}} : (tensor<256xf32>) -> tensor<256xf32>
// CHECK:         qnt.sigmoid {{.*}} -> tensor<256xf32>
// CHECK:         tensor.extract
// CHECK:         return {{.*}}, %[[S]]
func.func @shared(%x: tensor<256x!quant.uniform<i8:f32, 0.05>>) -> (tensor<256x!quant.uniform<i8:f32, 0.0039215686>>, tensor<256xf32>) {
  %f = quant.dcast %x : tensor<256x!quant.uniform<i8:f32, 0.05>> to tensor<256xf32>
  %s = qnt.sigmoid %f : (tensor<256xf32>) -> tensor<256xf32>
  %q = quant.qcast %s : tensor<256xf32> to tensor<256x!quant.uniform<i8:f32, 0.0039215686>>
  return %q, %s : tensor<256x!quant.uniform<i8:f32, 0.0039215686>>, tensor<256xf32>
}

// -----

// Not tables: a residual add of two int8 tensors (two inputs), an add of a
// constant with more than one element, a chain through a max_pool (not
// element-wise), a per-axis input grid, and a chain on fewer than 256 elements (a table
// would cost more than it saves).
// CHECK-LABEL: func.func @not_tables
// CHECK-NOT:     tensor.extract
// CHECK:         return
func.func @not_tables(%x: tensor<1x1x16x16x!quant.uniform<i8:f32, 0.05>>, %y: tensor<1x1x16x16x!quant.uniform<i8:f32, 0.05>>, %z: tensor<1x2x16x16x!quant.uniform<i8:f32:1, {0.05, 0.1}>>, %small: tensor<2x2x!quant.uniform<i8:f32, 0.05>>)
    -> (tensor<1x1x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<1x1x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<1x1x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<1x2x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<2x2x!quant.uniform<i8:f32, 0.1>>) {
  %fx = quant.dcast %x : tensor<1x1x16x16x!quant.uniform<i8:f32, 0.05>> to tensor<1x1x16x16xf32>
  %fy = quant.dcast %y : tensor<1x1x16x16x!quant.uniform<i8:f32, 0.05>> to tensor<1x1x16x16xf32>
  %0 = qnt.add %fx, %fy : (tensor<1x1x16x16xf32>, tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %q0 = quant.qcast %0 : tensor<1x1x16x16xf32> to tensor<1x1x16x16x!quant.uniform<i8:f32, 0.1>>
  %k = qnt.constant dense<1.0> : tensor<1x1x16x16xf32>
  %1 = qnt.add %fx, %k : (tensor<1x1x16x16xf32>, tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %q1 = quant.qcast %1 : tensor<1x1x16x16xf32> to tensor<1x1x16x16x!quant.uniform<i8:f32, 0.1>>
  %p = qnt.max_pool %fx {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %2 = qnt.relu %p : (tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %q2 = quant.qcast %2 : tensor<1x1x16x16xf32> to tensor<1x1x16x16x!quant.uniform<i8:f32, 0.1>>
  %fz = quant.dcast %z : tensor<1x2x16x16x!quant.uniform<i8:f32:1, {0.05, 0.1}>> to tensor<1x2x16x16xf32>
  %4 = qnt.tanh %fz : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %q4 = quant.qcast %4 : tensor<1x2x16x16xf32> to tensor<1x2x16x16x!quant.uniform<i8:f32, 0.1>>
  %s = quant.dcast %small : tensor<2x2x!quant.uniform<i8:f32, 0.05>> to tensor<2x2xf32>
  %5 = qnt.sigmoid %s : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %q5 = quant.qcast %5 : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32, 0.1>>
  return %q0, %q1, %q2, %q4, %q5 : tensor<1x1x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<1x1x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<1x1x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<1x2x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<2x2x!quant.uniform<i8:f32, 0.1>>
}

// -----

// A qcast right after a dcast, to another grid (qnt-quantize's
// requantization of a concat operand onto the concat's grid): a table of
// the 256 codes dequantized and quantized again, no ops between. To the
// same grid it is left alone (qnt-quantize folds it).
// CHECK-LABEL: func.func @requantize
// CHECK:         %[[F:.*]] = quant.dcast %{{.*}} : tensor<1x1x256x!quant.uniform<i8:f32, 5.000000e-02:3>> to tensor<1x1x256xf32>
// CHECK-NEXT:    %[[TQ:.*]] = quant.qcast %[[F]] : tensor<1x1x256xf32> to tensor<1x1x256x!quant.uniform<i8:f32, 1.000000e-01:-7>>
// CHECK:         tensor.extract
// CHECK:         %[[SAME:.*]] = quant.qcast %{{.*}} : tensor<1x16x16xf32> to tensor<1x16x16x!quant.uniform<i8:f32, 5.000000e-02>>
// CHECK:         return %{{.*}}, %[[SAME]]
func.func @requantize(%x: tensor<1x16x16x!quant.uniform<i8:f32, 0.05:3>>, %y: tensor<1x16x16x!quant.uniform<i8:f32, 0.05>>) -> (tensor<1x16x16x!quant.uniform<i8:f32, 0.1:-7>>, tensor<1x16x16x!quant.uniform<i8:f32, 0.05>>) {
  %f = quant.dcast %x : tensor<1x16x16x!quant.uniform<i8:f32, 0.05:3>> to tensor<1x16x16xf32>
  %q = quant.qcast %f : tensor<1x16x16xf32> to tensor<1x16x16x!quant.uniform<i8:f32, 0.1:-7>>
  %g = quant.dcast %y : tensor<1x16x16x!quant.uniform<i8:f32, 0.05>> to tensor<1x16x16xf32>
  %p = quant.qcast %g : tensor<1x16x16xf32> to tensor<1x16x16x!quant.uniform<i8:f32, 0.05>>
  return %q, %p : tensor<1x16x16x!quant.uniform<i8:f32, 0.1:-7>>, tensor<1x16x16x!quant.uniform<i8:f32, 0.05>>
}

// -----

// Constants that vary along one dim of x (a batch norm exported as a
// per-channel Mul and Add, here [1, 4, 1, 1] and [4, 1, 1], which
// broadcast to axis 1) give one table per channel: the codes as
// [1, 4, 1, 256] (every channel all 256 values, so the constants broadcast
// as before), through the chain, collapsed to [4][256]; each element reads
// row c (its index along axis 1) at x + 128.
// CHECK-LABEL: func.func @per_channel
// CHECK:         %[[CODES:.*]] = qnt.constant dense<"0x808182{{[0-9A-F]*}}7D7E7F808182{{[0-9A-F]*}}7D7E7F"> : tensor<1x4x1x256xi8>
// CHECK:         qnt.mul %{{.*}}, %{{.*}} : (tensor<1x4x1x256xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x1x256xf32>
// CHECK:         qnt.add %{{.*}}, %{{.*}} : (tensor<1x4x1x256xf32>, tensor<4x1x1xf32>) -> tensor<1x4x1x256xf32>
// CHECK:         qnt.sigmoid %{{.*}} -> tensor<1x4x1x256xf32>
// CHECK:         %[[T:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<1x4x1x256xi8> into tensor<4x256xi8>
// CHECK:         linalg.generic
// CHECK:           %[[C:.*]] = linalg.index 1 : index
// CHECK:           %[[E:.*]] = arith.index_cast
// CHECK:           tensor.extract %[[T]][%[[C]], %[[E]]] : tensor<4x256xi8>
// CHECK-NOT:     tensor<1x4x16x16xf32>
func.func @per_channel(%x: tensor<1x4x16x16x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<1x4x16x16x!quant.uniform<i8:f32, 0.03:-118>> {
  %a = qnt.constant dense<[[[[0.75]], [[-0.5]], [[1.25]], [[0.3]]]]> : tensor<1x4x1x1xf32>
  %b = qnt.constant dense<[[[-0.25]], [[0.4]], [[0.0]], [[1.1]]]> : tensor<4x1x1xf32>
  %f = quant.dcast %x : tensor<1x4x16x16x!quant.uniform<i8:f32, 0.05:-3>> to tensor<1x4x16x16xf32>
  %m = qnt.mul %f, %a : (tensor<1x4x16x16xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x16x16xf32>
  %v = qnt.add %m, %b : (tensor<1x4x16x16xf32>, tensor<4x1x1xf32>) -> tensor<1x4x16x16xf32>
  %s = qnt.sigmoid %v : (tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
  %q = quant.qcast %s : tensor<1x4x16x16xf32> to tensor<1x4x16x16x!quant.uniform<i8:f32, 0.03:-118>>
  return %q : tensor<1x4x16x16x!quant.uniform<i8:f32, 0.03:-118>>
}

// -----

// Channels on the last dim ([1, 300, 8], constants [8]): the codes as
// [1, 256, 8] (the 256 values on the dim before), so the table is
// [256][8], read at [x + 128][c].
// CHECK-LABEL: func.func @channels_last
// CHECK:         %[[CODES:.*]] = qnt.constant dense<"0x80808080808080808181818181818181{{[0-9A-F]*}}7F7F7F7F7F7F7F7F"> : tensor<1x256x8xi8>
// CHECK:         %[[T:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x256x8xi8> into tensor<256x8xi8>
// CHECK:         linalg.generic
// CHECK:           %[[C:.*]] = linalg.index 2 : index
// CHECK:           %[[E:.*]] = arith.index_cast
// CHECK:           tensor.extract %[[T]][%[[E]], %[[C]]] : tensor<256x8xi8>
func.func @channels_last(%x: tensor<1x300x8x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<1x300x8x!quant.uniform<i8:f32, 0.03:-118>> {
  %a = qnt.constant dense<[0.5, 1.0, 1.5, 2.0, -0.5, -1.0, 0.25, 3.0]> : tensor<8xf32>
  %f = quant.dcast %x : tensor<1x300x8x!quant.uniform<i8:f32, 0.05:-3>> to tensor<1x300x8xf32>
  %m = qnt.mul %f, %a : (tensor<1x300x8xf32>, tensor<8xf32>) -> tensor<1x300x8xf32>
  %t = qnt.tanh %m : (tensor<1x300x8xf32>) -> tensor<1x300x8xf32>
  %q = quant.qcast %t : tensor<1x300x8xf32> to tensor<1x300x8x!quant.uniform<i8:f32, 0.03:-118>>
  return %q : tensor<1x300x8x!quant.uniform<i8:f32, 0.03:-118>>
}

// -----

// Not per-channel tables: constants along two different dims, and a
// per-channel chain on fewer than 256 elements per channel ([1, 4, 4, 4]:
// 4 tables of 256 entries would cost more than the 64 elements).
// CHECK-LABEL: func.func @not_per_channel
// CHECK-NOT:     tensor.extract
// CHECK:         return
func.func @not_per_channel(%x: tensor<1x4x16x16x!quant.uniform<i8:f32, 0.05>>, %small: tensor<1x4x4x4x!quant.uniform<i8:f32, 0.05>>) -> (tensor<1x4x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<1x4x4x4x!quant.uniform<i8:f32, 0.1>>) {
  %a = qnt.constant dense<[[[[0.75]], [[-0.5]], [[1.25]], [[0.3]]]]> : tensor<1x4x1x1xf32>
  %rows = qnt.constant dense<2.0> : tensor<1x1x16x1xf32>
  %f = quant.dcast %x : tensor<1x4x16x16x!quant.uniform<i8:f32, 0.05>> to tensor<1x4x16x16xf32>
  %m = qnt.mul %f, %a : (tensor<1x4x16x16xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x16x16xf32>
  %r = qnt.mul %m, %rows : (tensor<1x4x16x16xf32>, tensor<1x1x16x1xf32>) -> tensor<1x4x16x16xf32>
  %q = quant.qcast %r : tensor<1x4x16x16xf32> to tensor<1x4x16x16x!quant.uniform<i8:f32, 0.1>>
  %fs = quant.dcast %small : tensor<1x4x4x4x!quant.uniform<i8:f32, 0.05>> to tensor<1x4x4x4xf32>
  %ms = qnt.mul %fs, %a : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %qs = quant.qcast %ms : tensor<1x4x4x4xf32> to tensor<1x4x4x4x!quant.uniform<i8:f32, 0.1>>
  return %q, %qs : tensor<1x4x16x16x!quant.uniform<i8:f32, 0.1>>, tensor<1x4x4x4x!quant.uniform<i8:f32, 0.1>>
}
