// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// Attribute syntax: #qnt.range takes two float literals (a constant range
// is fine); enums print their case names.

// CHECK-LABEL: func.func @ranges
// CHECK-SAME:    r0 = #qnt.range<-3.000000e+00, 5.000000e+00>
// CHECK-SAME:    r1 = #qnt.range<0.000000e+00, 0.000000e+00>
// CHECK-SAME:    r2 = #qnt.range<-1.000000e+30, 1.000000e+30>
// CHECK-SAME:    r3 = #qnt.pad_mode<reflect>
func.func @ranges() attributes {r0 = #qnt.range<-3.0, 5.0>, r1 = #qnt.range<0.0, 0.0>,
                                r2 = #qnt.range<-1.0e30, 1.0e30>, r3 = #qnt.pad_mode<reflect>} {
  return
}

// -----

// Bounds are float literals, as everywhere in MLIR.
// expected-note @+2 {{add a trailing dot to make the literal a float}}
// expected-error @+1 {{unexpected decimal integer literal for a floating point value}}
func.func @integer_bounds() attributes {r = #qnt.range<-3, 5>} { return }

// -----

// A range needs both bounds.
// expected-error @+1 {{expected ','}}
func.func @one_bound() attributes {r = #qnt.range<1.0>} { return }

// -----

// An unknown enum case names the valid ones.
// expected-error @+2 {{expected ::mlir::qnt::PadMode to be one of: constant, reflect, edge}}
// expected-error @+1 {{failed to parse Qnt_PadModeAttr parameter 'value'}}
func.func @bad_case() attributes {r = #qnt.pad_mode<wrap>} { return }

// -----

// What calibration writes: per-channel ranges, statistics, and the module's
// calibration record.
// CHECK: module attributes {qnt.calibration = {method = "minmax", samples = 2 : i64}}
// CHECK-LABEL: func.func @calibrated
// CHECK-SAME:    qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.000000e+00, 0.000000e+00], max = [2.000000e+00, 5.000000e-01], mean = [2.500000e-01, 1.250000e-01]>
// CHECK-SAME:    qnt.stats = {count = 4 : i64}
module attributes {qnt.calibration = {method = "minmax", samples = 2 : i64}} {
  func.func @calibrated(%x: tensor<1x2xf32> {qnt.channel_range = #qnt.channel_range<axis = 1, min = [-1.0, 0.0], max = [2.0, 0.5], mean = [0.25, 0.125]>, qnt.stats = {count = 4 : i64}}) {
    return
  }
}
