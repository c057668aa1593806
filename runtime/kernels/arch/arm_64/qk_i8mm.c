/*===- qk_i8mm.c - int8 kernels on AArch64 I8MM ---------------------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * smmla (FEAT_I8MM): an 8 x 8 register tile as 4 x 4 blocks of 2 x 2, 16
 * accumulators, 8-byte k-groups. Activations stay s8 (the compiler folds
 * -zp * sum w into the bias); smmla accumulates modulo 2^32 without
 * saturation.
 *
 *===----------------------------------------------------------------------===*/
#include "qk_common.h"

#include <arm_neon.h>

#define QK_MR QUANT_I8MM_MR
#define QK_NC QUANT_I8MM_NC
#define QK_KG 8
#define QK_FLIP QK_FLIP_S8

/* A k-octet of a rows (cols) panel is 4 vectors, each two rows' (columns')
   8 bytes, exactly smmla's 2 x 8 operands; block (i, j) holds rows 2i,
   2i+1 by columns 2j, 2j+1 as [r0c0, r0c1, r1c0, r1c1]. The
   convolution's cols (gemm = 0): k-group k at cols + off[k]; the GEMM's
   (gemm = 1): at cols + k * QK_NC * 8. */
QK_INLINE void qk_smmla_tile(const int8_t *rows, const int8_t *cols,
                             const int64_t *off, int64_t kgs, int32_t *acc,
                             int gemm) {
  enum { RB = QK_MR / 2, CB = QK_NC / 2 };
  int32x4_t c[RB][CB];
  for (int i = 0; i < RB; ++i)
    for (int j = 0; j < CB; ++j)
      c[i][j] = vdupq_n_s32(0);
  for (int64_t k = 0; k < kgs; ++k) {
    int8x16_t a[RB], b[CB];
    for (int i = 0; i < RB; ++i)
      a[i] = vld1q_s8(rows + (k * RB + i) * 16);
    const int8_t *ck = gemm ? cols + k * CB * 16 : cols + off[k];
    for (int j = 0; j < CB; ++j)
      b[j] = vld1q_s8(ck + j * 16);
    for (int i = 0; i < RB; ++i)
      for (int j = 0; j < CB; ++j)
        c[i][j] = vmmlaq_s32(c[i][j], a[i], b[j]);
  }
  for (int i = 0; i < RB; ++i)
    for (int j = 0; j < CB; ++j) {
      vst1_s32(acc + (2 * i) * QK_NC + 2 * j, vget_low_s32(c[i][j]));
      vst1_s32(acc + (2 * i + 1) * QK_NC + 2 * j, vget_high_s32(c[i][j]));
    }
}

/* Activations are s8: the convolution's and the GEMM's tiles are both
   TILE(s8 rows, s8 cols), all QK_MR rows computed. */
QK_INLINE void qk_tile_conv(const int8_t *rows, const uint8_t *cols,
                            const int64_t *off, int64_t kgs, int32_t *acc) {
  qk_smmla_tile(rows, (const int8_t *)cols, off, kgs, acc, 0);
}

QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,
                            int64_t kgs, int32_t *acc, int64_t mr) {
  (void)mr;
  qk_smmla_tile((const int8_t *)rows, cols, (const int64_t *)0, kgs, acc, 1);
}

/* The depthwise loops (qk_dwconv_sdot.h): sdot, as in qk_dotprod.c. */
#include "qk_dwconv_sdot.h"

/* The W4A8 GEMM's inner product: udot, as in the DotProd copy (FEAT_I8MM
   implies FEAT_DotProd). */
#include "qk_w4_udot.h"

#include "qk_dwconv_drivers.h"
#include "qk_int4_drivers.h"
#include "qk_int8_drivers.h"
#include "qk_qbmm_drivers.h"

void _mlir_ciface_quant_qconv2d_i8mm(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qdwconv2d_i8mm(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qdwconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qgemm_i8mm(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qgemm(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_w4conv2d_i8mm(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_f32 *bias, quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4conv2d(input, weights, scales, bias, output, scratch, params);
}

void _mlir_ciface_quant_w4gemm_i8mm(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_i32 *corrections, quant_memref_f32 *bias,
    quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4gemm(input, weights, scales, corrections, bias, output, scratch, params);
}

void _mlir_ciface_quant_qbmm_i8mm(quant_memref_i8 *lhs, quant_memref_i8 *rhs,
                                  quant_memref_i8 *out, quant_memref_i64 *p) {
  qk_qbmm(QK_DATA(lhs), QK_DATA(rhs), QK_DATA(out), QK_DATA(p));
}
