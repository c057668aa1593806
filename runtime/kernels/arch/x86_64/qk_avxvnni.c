/*===- qk_avxvnni.c - int8 kernels on AVX-VNNI -----------------------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * vpdpbusd on ymm (the VEX encoding of AVX-VNNI): a 4 x 24 register tile,
 * 12 accumulators, all 4 rows computed (a partial GEMM row block computes
 * the padding rows). vpdpbusd multiplies u8 by s8 and accumulates modulo
 * 2^32 without saturation.
 *
 *===----------------------------------------------------------------------===*/
#include "qk_common.h"

#include <immintrin.h>

#define QK_MR QUANT_AVXVNNI_MR
#define QK_NC QUANT_AVXVNNI_NC
#define QK_KG 4
#define QK_FLIP QK_FLIP_U8

/* The convolution's tile (gemm = 0): s8 weights (broadcast) by u8
   activations, k-group k at cols + off[k]; the GEMM's (gemm = 1): u8
   activations (broadcast) by s8 weights, at cols + k * QK_NC * 4. */
QK_INLINE void qk_vnni256_tile(const uint8_t *rows, const uint8_t *cols,
                               const int64_t *off, int64_t kgs, int32_t *acc,
                               int gemm) {
  enum { NV = QK_NC / 8 };
  __m256i c[QK_MR][NV];
  for (int r = 0; r < QK_MR; ++r)
    for (int v = 0; v < NV; ++v)
      c[r][v] = _mm256_setzero_si256();
  for (int64_t k = 0; k < kgs; ++k) {
    const uint8_t *ck = gemm ? cols + k * NV * 32 : cols + off[k];
    __m256i x[NV];
    for (int v = 0; v < NV; ++v)
      x[v] = _mm256_loadu_si256((const __m256i *)(ck + v * 32));
    for (int r = 0; r < QK_MR; ++r) {
      __m256i b = _mm256_set1_epi32(qk_load4(rows + (k * QK_MR + r) * 4));
      for (int v = 0; v < NV; ++v)
        c[r][v] = gemm ? _mm256_dpbusd_avx_epi32(c[r][v], b, x[v])
                       : _mm256_dpbusd_avx_epi32(c[r][v], x[v], b);
    }
  }
  for (int r = 0; r < QK_MR; ++r)
    for (int v = 0; v < NV; ++v)
      _mm256_store_si256((__m256i *)(acc + r * QK_NC + v * 8), c[r][v]);
}

QK_INLINE void qk_tile_conv(const int8_t *rows, const uint8_t *cols,
                            const int64_t *off, int64_t kgs, int32_t *acc) {
  qk_vnni256_tile((const uint8_t *)rows, cols, off, kgs, acc, 0);
}

QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,
                            int64_t kgs, int32_t *acc, int64_t mr) {
  (void)mr;
  qk_vnni256_tile(rows, (const uint8_t *)cols, (const int64_t *)0, kgs, acc,
                  1);
}

/* The depthwise loops on ymm (qk_dwconv_avx2.h): vpdpbusd. */
#define QK_DW_VNNI 1
#include "qk_dwconv_avx2.h"

/* The W4A8 GEMM's inner product (qk_w4_avx2.h). */
#define QK_W4_VNNI 1
#include "qk_w4_avx2.h"

#include "qk_dwconv_drivers.h"
#include "qk_int4_drivers.h"
#include "qk_int8_drivers.h"
#include "qk_qbmm_drivers.h"

void _mlir_ciface_quant_qconv2d_avxvnni(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qdwconv2d_avxvnni(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qdwconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qgemm_avxvnni(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qgemm(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_w4conv2d_avxvnni(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_f32 *bias, quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4conv2d(input, weights, scales, bias, output, scratch, params);
}

void _mlir_ciface_quant_w4gemm_avxvnni(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_i32 *corrections, quant_memref_f32 *bias,
    quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4gemm(input, weights, scales, corrections, bias, output, scratch, params);
}

void _mlir_ciface_quant_qbmm_avxvnni(quant_memref_i8 *lhs, quant_memref_i8 *rhs,
                                     quant_memref_i8 *out,
                                     quant_memref_i64 *p) {
  qk_qbmm(QK_DATA(lhs), QK_DATA(rhs), QK_DATA(out), QK_DATA(p));
}
