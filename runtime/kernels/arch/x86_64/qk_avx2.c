/*===- qk_avx2.c - int8 kernels on AVX2 ------------------------------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * vpmaddwd on bytes widened to 16 bits: a 4 x 16 register tile, 8
 * accumulators; a single-row GEMM (a batch-1 fully connected layer) takes
 * a 1 x 16 tile. Each 4-byte k-group of a column or row splits into its
 * even bytes (0, 2) and odd bytes (1, 3), zero- (u8) or sign-extended (s8)
 * in place to two int16 per 32-bit lane; vpmaddwd of the even halves plus
 * vpmaddwd of the odd halves is the k-group's dot product in each 32-bit
 * lane. Every product (u8 x s8) and pair sum is exact in int32, and the
 * accumulators add modulo 2^32, so the sums equal vpdpbusd's and the
 * reference's. vpmaddubsw, the usual AVX2 route, is not used: its int16
 * pair sums saturate.
 *
 *===----------------------------------------------------------------------===*/
#include "qk_common.h"

#include <immintrin.h>

#define QK_MR QUANT_AVX2_MR
#define QK_NC QUANT_AVX2_NC
#define QK_KG 4
#define QK_FLIP QK_FLIP_U8

/* The bytes (b0, b1, b2, b3) of each 32-bit lane of v as the int16 pairs
   even = (b0, b2) and odd = (b1, b3), sign- or zero-extended. */
QK_INLINE void qk_avx2_split(__m256i v, int is_signed, __m256i *even,
                             __m256i *odd) {
  if (is_signed) {
    *even = _mm256_srai_epi16(_mm256_slli_epi16(v, 8), 8);
    *odd = _mm256_srai_epi16(v, 8);
  } else {
    *even = _mm256_and_si256(v, _mm256_set1_epi16(0xff));
    *odd = _mm256_srli_epi16(v, 8);
  }
}

/* `mr` rows (QK_MR, or 1) of the tile. The convolution's (gemm = 0): s8
   weights (broadcast) by u8 activations, k-group k at cols + off[k]; the
   GEMM's (gemm = 1): u8 activations (broadcast) by s8 weights, at
   cols + k * QK_NC * 4. */
QK_INLINE void qk_avx2_tile(const uint8_t *rows, const uint8_t *cols,
                            const int64_t *off, int64_t kgs, int32_t *acc,
                            int mr, int gemm) {
  enum { NV = QK_NC / 8 };
  __m256i c[QK_MR][NV];
  for (int r = 0; r < mr; ++r)
    for (int v = 0; v < NV; ++v)
      c[r][v] = _mm256_setzero_si256();
  for (int64_t k = 0; k < kgs; ++k) {
    const uint8_t *ck = gemm ? cols + k * NV * 32 : cols + off[k];
    __m256i xe[NV], xo[NV];
    for (int v = 0; v < NV; ++v)
      qk_avx2_split(_mm256_loadu_si256((const __m256i *)(ck + v * 32)), gemm,
                    &xe[v], &xo[v]);
    for (int r = 0; r < mr; ++r) {
      __m256i we, wo;
      qk_avx2_split(_mm256_set1_epi32(qk_load4(rows + (k * QK_MR + r) * 4)),
                    !gemm, &we, &wo);
      for (int v = 0; v < NV; ++v)
        c[r][v] = _mm256_add_epi32(
            c[r][v], _mm256_add_epi32(_mm256_madd_epi16(xe[v], we),
                                      _mm256_madd_epi16(xo[v], wo)));
    }
  }
  for (int r = 0; r < mr; ++r)
    for (int v = 0; v < NV; ++v)
      _mm256_store_si256((__m256i *)(acc + r * QK_NC + v * 8), c[r][v]);
}

QK_INLINE void qk_tile_conv(const int8_t *rows, const uint8_t *cols,
                            const int64_t *off, int64_t kgs, int32_t *acc) {
  qk_avx2_tile((const uint8_t *)rows, cols, off, kgs, acc, QK_MR, 0);
}

/* Partial row blocks other than a single row compute the padding rows. */
QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,
                            int64_t kgs, int32_t *acc, int64_t mr) {
  if (mr == 1)
    qk_avx2_tile(rows, (const uint8_t *)cols, (const int64_t *)0, kgs, acc, 1,
                 1);
  else
    qk_avx2_tile(rows, (const uint8_t *)cols, (const int64_t *)0, kgs, acc,
                 QK_MR, 1);
}

/* The depthwise loops on ymm (qk_dwconv_avx2.h): vpmaddwd on the even
   and odd bytes. */
#define QK_DW_VNNI 0
#include "qk_dwconv_avx2.h"

/* The W4A8 GEMM's inner product (qk_w4_avx2.h). */
#define QK_W4_VNNI 0
#include "qk_w4_avx2.h"

#include "qk_dwconv_drivers.h"
#include "qk_int4_drivers.h"
#include "qk_int8_drivers.h"
#include "qk_qbmm_drivers.h"

void _mlir_ciface_quant_qconv2d_avx2(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qdwconv2d_avx2(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qdwconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qgemm_avx2(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qgemm(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_w4conv2d_avx2(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_f32 *bias, quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4conv2d(input, weights, scales, bias, output, scratch, params);
}

void _mlir_ciface_quant_w4gemm_avx2(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_i32 *corrections, quant_memref_f32 *bias,
    quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4gemm(input, weights, scales, corrections, bias, output, scratch, params);
}

void _mlir_ciface_quant_qbmm_avx2(quant_memref_i8 *lhs, quant_memref_i8 *rhs,
                                  quant_memref_i8 *out, quant_memref_i64 *p) {
  qk_qbmm(QK_DATA(lhs), QK_DATA(rhs), QK_DATA(out), QK_DATA(p));
}
