/*===- qk_dotprod.c - int8 kernels on AArch64 DotProd ---------------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * sdot by lane (FEAT_DotProd): an 8 x 12 register tile, 24 accumulators.
 * Activations stay s8 (the compiler folds -zp * sum w into the bias);
 * sdot accumulates modulo 2^32 without saturation.
 *
 *===----------------------------------------------------------------------===*/
#include "qk_common.h"

#include <arm_neon.h>

#define QK_MR QUANT_DOTPROD_MR
#define QK_NC QUANT_DOTPROD_NC
#define QK_KG 4
#define QK_FLIP QK_FLIP_S8

/* Each k-group loads 3 vectors of 4 columns' quads and 2 vectors of 4
   rows' quads; row r multiplies every column vector by its own quad (lane
   r % 4, an immediate). The convolution's cols (gemm = 0): k-group k at
   cols + off[k]; the GEMM's (gemm = 1): at cols + k * QK_NC * 4. */
QK_INLINE void qk_sdot_tile(const int8_t *rows, const int8_t *cols,
                            const int64_t *off, int64_t kgs, int32_t *acc,
                            int gemm) {
  enum { NV = QK_NC / 4 };
  int32x4_t c[QK_MR][NV];
  for (int r = 0; r < QK_MR; ++r)
    for (int v = 0; v < NV; ++v)
      c[r][v] = vdupq_n_s32(0);
  for (int64_t k = 0; k < kgs; ++k) {
    const int8_t *ck = gemm ? cols + k * NV * 16 : cols + off[k];
    int8x16_t x[NV];
    for (int v = 0; v < NV; ++v)
      x[v] = vld1q_s8(ck + v * 16);
    int8x16_t lo = vld1q_s8(rows + k * QK_MR * 4);
    int8x16_t hi = vld1q_s8(rows + k * QK_MR * 4 + 16);
    for (int v = 0; v < NV; ++v) {
      c[0][v] = vdotq_laneq_s32(c[0][v], x[v], lo, 0);
      c[1][v] = vdotq_laneq_s32(c[1][v], x[v], lo, 1);
      c[2][v] = vdotq_laneq_s32(c[2][v], x[v], lo, 2);
      c[3][v] = vdotq_laneq_s32(c[3][v], x[v], lo, 3);
      c[4][v] = vdotq_laneq_s32(c[4][v], x[v], hi, 0);
      c[5][v] = vdotq_laneq_s32(c[5][v], x[v], hi, 1);
      c[6][v] = vdotq_laneq_s32(c[6][v], x[v], hi, 2);
      c[7][v] = vdotq_laneq_s32(c[7][v], x[v], hi, 3);
    }
  }
  for (int r = 0; r < QK_MR; ++r)
    for (int v = 0; v < NV; ++v)
      vst1q_s32(acc + r * QK_NC + v * 4, c[r][v]);
}

/* Activations are s8: the convolution's and the GEMM's tiles are both
   TILE(s8 rows, s8 cols), all QK_MR rows computed. */
QK_INLINE void qk_tile_conv(const int8_t *rows, const uint8_t *cols,
                            const int64_t *off, int64_t kgs, int32_t *acc) {
  qk_sdot_tile(rows, (const int8_t *)cols, off, kgs, acc, 0);
}

QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,
                            int64_t kgs, int32_t *acc, int64_t mr) {
  (void)mr;
  qk_sdot_tile((const int8_t *)rows, cols, (const int64_t *)0, kgs, acc, 1);
}

/* The depthwise loops (qk_dwconv_sdot.h): sdot. */
#include "qk_dwconv_sdot.h"

/* The W4A8 GEMM's inner product (qk_w4_udot.h). */
#include "qk_w4_udot.h"

#include "qk_dwconv_drivers.h"
#include "qk_int4_drivers.h"
#include "qk_int8_drivers.h"
#include "qk_qbmm_drivers.h"

void _mlir_ciface_quant_qconv2d_dotprod(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qdwconv2d_dotprod(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qdwconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qgemm_dotprod(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qgemm(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_w4conv2d_dotprod(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_f32 *bias, quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4conv2d(input, weights, scales, bias, output, scratch, params);
}

void _mlir_ciface_quant_w4gemm_dotprod(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_i32 *corrections, quant_memref_f32 *bias,
    quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4gemm(input, weights, scales, corrections, bias, output, scratch, params);
}

void _mlir_ciface_quant_qbmm_dotprod(quant_memref_i8 *lhs, quant_memref_i8 *rhs,
                                     quant_memref_i8 *out,
                                     quant_memref_i64 *p) {
  qk_qbmm(QK_DATA(lhs), QK_DATA(rhs), QK_DATA(out), QK_DATA(p));
}
