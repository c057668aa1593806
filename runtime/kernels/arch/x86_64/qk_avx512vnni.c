/*===- qk_avx512vnni.c - int8 kernels on AVX-512 VNNI ----------------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * vpdpbusd on zmm: an 8 x 48 register tile, 24 accumulators; a single-row
 * GEMM (a batch-1 fully connected layer) takes a 1 x 48 tile. vpdpbusd
 * multiplies u8 by s8 and accumulates modulo 2^32 without saturation.
 *
 *===----------------------------------------------------------------------===*/
#include "qk_common.h"

#include <immintrin.h>

#define QK_MR QUANT_AVX512VNNI_MR
#define QK_NC QUANT_AVX512VNNI_NC
#define QK_KG 4
#define QK_FLIP QK_FLIP_U8

/* `mr` rows (QK_MR, or 1) of the tile. The convolution's (gemm = 0): s8
   weights (broadcast) by u8 activations, k-group k at cols + off[k]; the
   GEMM's (gemm = 1): u8 activations (broadcast) by s8 weights, at
   cols + k * QK_NC * 4. */
QK_INLINE void qk_vnni512_tile(const uint8_t *rows, const uint8_t *cols,
                               const int64_t *off, int64_t kgs, int32_t *acc,
                               int mr, int gemm) {
  enum { NV = QK_NC / 16 };
  __m512i c[QK_MR][NV];
  for (int r = 0; r < mr; ++r)
    for (int v = 0; v < NV; ++v)
      c[r][v] = _mm512_setzero_si512();
  for (int64_t k = 0; k < kgs; ++k) {
    const uint8_t *ck = gemm ? cols + k * NV * 64 : cols + off[k];
    __m512i x[NV];
    for (int v = 0; v < NV; ++v)
      x[v] = _mm512_loadu_si512(ck + v * 64);
    for (int r = 0; r < mr; ++r) {
      __m512i b = _mm512_set1_epi32(qk_load4(rows + (k * QK_MR + r) * 4));
      for (int v = 0; v < NV; ++v)
        c[r][v] = gemm ? _mm512_dpbusd_epi32(c[r][v], b, x[v])
                       : _mm512_dpbusd_epi32(c[r][v], x[v], b);
    }
  }
  for (int r = 0; r < mr; ++r)
    for (int v = 0; v < NV; ++v)
      _mm512_store_si512(acc + r * QK_NC + v * 16, c[r][v]);
}

QK_INLINE void qk_tile_conv(const int8_t *rows, const uint8_t *cols,
                            const int64_t *off, int64_t kgs, int32_t *acc) {
  qk_vnni512_tile((const uint8_t *)rows, cols, off, kgs, acc, QK_MR, 0);
}

/* Partial row blocks other than a single row compute the padding rows. */
QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,
                            int64_t kgs, int32_t *acc, int64_t mr) {
  if (mr == 1)
    qk_vnni512_tile(rows, (const uint8_t *)cols, (const int64_t *)0, kgs, acc,
                    1, 1);
  else
    qk_vnni512_tile(rows, (const uint8_t *)cols, (const int64_t *)0, kgs, acc,
                    QK_MR, 1);
}

/* The depthwise loops (qk_dwconv_drivers.h). Windows (strides and
   dilations with sw + dw <= 5; others through a padded copy): 16 entries
   from one 64-byte load of the row (masked where it reaches past the
   row's ends, the zero point in those bytes; the masks computed once for
   all the rows of a call), vpermd (lane e takes the 16 bytes at 4*e*sw),
   vpshufb, and the XOR to u8. Rows: vpdpbusd of 16 u8 entries by the
   broadcast s8 weight quad, up to 4 vectors (64 outputs) at a time;
   requantization in 64-bit lanes (vpmuldq on the even and odd lanes, then
   merged by vpermt2d): the fast way (shift in [32, 53], qk_dw_requant)
   the high halves shifted right by shift - 32 (vpsrad), in general
   vpsraq on the accumulator clamped to [alo, ahi], + zp; 4 vectors packed
   to bytes with signed saturation, clamped to [QMIN, QMAX]. */
#define QK_DW_LANES 16

QK_INLINE void qk_dw_expand(uint8_t *dst, int64_t dstride, const int8_t *row,
                            int64_t rstride, int64_t rows, int64_t c,
                            int64_t iw, int8_t zs, int64_t n, int64_t cw,
                            int64_t sw, int64_t dw, const int8_t *base,
                            int64_t size) {
  (void)cw;
  (void)base;
  (void)size;
  if (sw + dw > 5) {
    for (int64_t m = 0; m < rows; ++m)
      qk_dw_expand_c(dst + m * dstride, row + m * rstride, c, iw, zs, n, sw, dw,
                     QK_FLIP);
    return;
  }
  uint8_t ctl[16];
  qk_dw_window_shuffle(ctl, sw, dw);
  __m512i shuf = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)ctl));
  __m512i lanes = _mm512_add_epi32(
      _mm512_set_epi32(3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0),
      _mm512_mullo_epi32(
          _mm512_set1_epi32((int)sw),
          _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0)));
  __m512i flip = _mm512_set1_epi8((char)QK_FLIP), pad = _mm512_set1_epi8(zs);
  /* Block b loads row bytes [a, a + 64), a = c + 16*b*sw: the columns
     inside the row are mask[b]'s (all of them: full). */
  uint64_t mask[(QK_DW_CHUNK + 15) / 16];
  int full[(QK_DW_CHUNK + 15) / 16];
  for (int64_t b = 0; b < n / 16; ++b) {
    int64_t a = c + 16 * b * sw;
    int64_t lo = a < 0 ? qk_min(-a, 64) : 0;
    int64_t hi = iw - a < 0 ? 0 : qk_min(iw - a, 64);
    mask[b] = hi > lo
                  ? (hi == 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1)
                  : 0;
    full[b] = a >= 0 && a + 64 <= iw;
  }
  for (int64_t m = 0; m < rows; ++m) {
    const int8_t *r = row + m * rstride;
    uint8_t *d = dst + m * dstride;
    for (int64_t b = 0; b < n / 16; ++b) {
      int64_t a = c + 16 * b * sw;
      /* Masked lanes are not read: the address may lie outside the row. */
      __m512i v = full[b] ? _mm512_loadu_si512(r + a)
                          : _mm512_mask_loadu_epi8(
                                pad, (__mmask64)mask[b],
                                (const void *)((uintptr_t)r + (uintptr_t)a));
      v = _mm512_shuffle_epi8(_mm512_permutexvar_epi32(lanes, v), shuf);
      _mm512_storeu_si512(d + 64 * b, _mm512_xor_si512(v, flip));
    }
  }
}

struct qk_dw512 {
  __m512i alo, ahi, mult, round, zp, high, low, order, qmin, qmax;
  __m128i shift, shift32;
};

/* The requantized accumulators before the clamp to [QMIN, QMAX], which
   fit int32: in general (see qk_dw_requant), or the fast way, where v + zp
   is the high halves of the 64-bit sums shifted right by shift - 32. */
QK_INLINE __m512i qk_dw512_requant(__m512i acc, const struct qk_dw512 *k,
                                   int fast) {
  __m512i a =
      fast ? acc : _mm512_max_epi32(_mm512_min_epi32(acc, k->ahi), k->alo);
  __m512i even = _mm512_add_epi64(_mm512_mul_epi32(a, k->mult), k->round);
  __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(a, 32), k->mult), k->round);
  if (fast)
    return _mm512_sra_epi32(_mm512_permutex2var_epi32(even, k->high, odd),
                            k->shift32);
  even = _mm512_sra_epi64(even, k->shift);
  odd = _mm512_sra_epi64(odd, k->shift);
  return _mm512_add_epi32(_mm512_permutex2var_epi32(even, k->low, odd), k->zp);
}

/* nv (<= 4) vectors of outputs from entry i0, n of them kept: packed to
   bytes with signed saturation (a clamp to [-128, 127]), then clamped to
   [QMIN, QMAX]. */
QK_INLINE void qk_dw512_block(const uint8_t *const *src, const int32_t *wt,
                              int64_t nt, int64_t i0, __m512i bias,
                              const struct qk_dw512 *k, int8_t *out, int64_t n,
                              int nv, int fast) {
  __m512i acc[4];
  for (int v = 0; v < nv; ++v)
    acc[v] = bias;
  for (int64_t t = 0; t < nt; ++t) {
    const uint8_t *e = src[t] + i0 * 4;
    __m512i w = _mm512_set1_epi32(wt[t]);
    for (int v = 0; v < nv; ++v)
      acc[v] = _mm512_dpbusd_epi32(acc[v], _mm512_loadu_si512(e + v * 64), w);
  }
  __m512i r[4];
  for (int v = 0; v < 4; ++v)
    r[v] = v < nv ? qk_dw512_requant(acc[v], k, fast) : _mm512_setzero_si512();
  __m512i b = _mm512_packs_epi16(_mm512_packs_epi32(r[0], r[1]),
                                 _mm512_packs_epi32(r[2], r[3]));
  b = _mm512_permutexvar_epi32(k->order, b);
  b = _mm512_min_epi8(_mm512_max_epi8(b, k->qmin), k->qmax);
  if (n >= 64)
    _mm512_storeu_si512(out, b);
  else
    _mm512_mask_storeu_epi8(out, (__mmask64)((1ull << n) - 1), b);
}

QK_INLINE void qk_dw512_row(const uint8_t *const *src, const int32_t *wt,
                            int64_t nt, __m512i b, const struct qk_dw512 *k,
                            int8_t *out, int64_t n, int fast) {
  int64_t nv = (n + 15) / 16, v = 0;
  for (; v + 4 <= nv; v += 4)
    qk_dw512_block(src, wt, nt, v * 16, b, k, out + v * 16, n - v * 16, 4,
                   fast);
  if (nv - v == 3)
    qk_dw512_block(src, wt, nt, v * 16, b, k, out + v * 16, n - v * 16, 3,
                   fast);
  else if (nv - v == 2)
    qk_dw512_block(src, wt, nt, v * 16, b, k, out + v * 16, n - v * 16, 2,
                   fast);
  else if (nv - v == 1)
    qk_dw512_block(src, wt, nt, v * 16, b, k, out + v * 16, n - v * 16, 1,
                   fast);
}

QK_INLINE void qk_dw_row(const uint8_t *const *src, const int32_t *wt,
                         int64_t nt, int32_t bias,
                         const struct qk_dw_requant *rq, int8_t *out,
                         int64_t n) {
  struct qk_dw512 k;
  k.alo = _mm512_set1_epi32(rq->alo);
  k.ahi = _mm512_set1_epi32(rq->ahi);
  k.mult = _mm512_set1_epi64(rq->mult);
  k.round = _mm512_set1_epi64(rq->fast ? rq->round_zp : rq->round);
  k.zp = _mm512_set1_epi32(rq->zp);
  /* The merges of the even and odd lanes' high or low halves, and the
     dword order of 4 vectors packed to bytes. */
  k.high = _mm512_set_epi32(31, 15, 29, 13, 27, 11, 25, 9, 23, 7, 21, 5, 19, 3,
                            17, 1);
  k.low = _mm512_set_epi32(30, 14, 28, 12, 26, 10, 24, 8, 22, 6, 20, 4, 18, 2,
                           16, 0);
  k.order =
      _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
  k.qmin = _mm512_set1_epi8((char)(rq->lo + rq->zp));
  k.qmax = _mm512_set1_epi8((char)(rq->hi + rq->zp));
  k.shift = _mm_cvtsi32_si128(rq->shift);
  k.shift32 = _mm_cvtsi32_si128(rq->shift - 32);
  __m512i b = _mm512_set1_epi32(bias);
  if (rq->fast)
    qk_dw512_row(src, wt, nt, b, &k, out, n, 1);
  else
    qk_dw512_row(src, wt, nt, b, &k, out, n, 0);
}

/* The W4A8 GEMM's inner product (qk_int4_drivers.h): one zmm load per
   k-quad of a block; its low nibbles (AND 0x0F) are channels 0-15, its
   high nibbles (16-bit shift right by 4, AND 0x0F) channels 16-31, as
   0..15 bytes; vpdpbusd by the row's quad XOR 0x80 (u8), broadcast.
   A single row (a GEMV: decode) keeps two accumulator pairs, even and odd
   quads, so that two vpdpbusd chains overlap their latency; the pairs add
   at the end (modulo 2^32, like every sum here). */
#define QK_W4_MR 4

QK_INLINE void qk_w4_dot_rows(const int8_t *x, int64_t k, const uint8_t *w,
                              int64_t quads, int32_t *dot, int mr) {
  const __m512i low = _mm512_set1_epi8(0x0F);
  __m512i lo[QK_W4_MR], hi[QK_W4_MR];
  for (int r = 0; r < mr; ++r)
    lo[r] = hi[r] = _mm512_setzero_si512();
  for (int64_t q = 0; q < quads; ++q) {
    __m512i v = _mm512_loadu_si512(w + q * 64);
    __m512i nl = _mm512_and_si512(v, low);
    __m512i nh = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
    for (int r = 0; r < mr; ++r) {
      __m512i u =
          _mm512_set1_epi32(qk_load4(x + r * k + q * 4) ^ (int32_t)0x80808080u);
      lo[r] = _mm512_dpbusd_epi32(lo[r], u, nl);
      hi[r] = _mm512_dpbusd_epi32(hi[r], u, nh);
    }
  }
  for (int r = 0; r < mr; ++r) {
    _mm512_storeu_si512(dot + r * QUANT_W4_NB, lo[r]);
    _mm512_storeu_si512(dot + r * QUANT_W4_NB + 16, hi[r]);
  }
}

QK_INLINE void qk_w4_dot_one(const int8_t *x, const uint8_t *w, int64_t quads,
                             int32_t *dot) {
  const __m512i low = _mm512_set1_epi8(0x0F);
  __m512i lo[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
  __m512i hi[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
  for (int64_t q = 0; q < quads; ++q) {
    int e = (int)(q & 1);
    __m512i v = _mm512_loadu_si512(w + q * 64);
    __m512i u = _mm512_set1_epi32(qk_load4(x + q * 4) ^ (int32_t)0x80808080u);
    lo[e] = _mm512_dpbusd_epi32(lo[e], u, _mm512_and_si512(v, low));
    hi[e] = _mm512_dpbusd_epi32(hi[e], u,
                                _mm512_and_si512(_mm512_srli_epi16(v, 4), low));
  }
  _mm512_storeu_si512(dot, _mm512_add_epi32(lo[0], lo[1]));
  _mm512_storeu_si512(dot + 16, _mm512_add_epi32(hi[0], hi[1]));
}

QK_INLINE void qk_w4_dot(const int8_t *x, int64_t k, const uint8_t *w,
                         int64_t quads, int64_t mr, int32_t *dot) {
  if (mr == 1)
    qk_w4_dot_one(x, w, quads, dot);
  else
    qk_w4_dot_rows(x, k, w, quads, dot, QK_W4_MR);
}

#include "qk_dwconv_drivers.h"
#include "qk_int4_drivers.h"
#include "qk_int8_drivers.h"
#include "qk_qbmm_drivers.h"

void _mlir_ciface_quant_qconv2d_avx512vnni(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qdwconv2d_avx512vnni(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qdwconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qgemm_avx512vnni(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qgemm(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_w4conv2d_avx512vnni(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_f32 *bias, quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4conv2d(input, weights, scales, bias, output, scratch, params);
}

void _mlir_ciface_quant_w4gemm_avx512vnni(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_i32 *corrections, quant_memref_f32 *bias,
    quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4gemm(input, weights, scales, corrections, bias, output, scratch, params);
}

void _mlir_ciface_quant_qbmm_avx512vnni(quant_memref_i8 *lhs,
                                        quant_memref_i8 *rhs,
                                        quant_memref_i8 *out,
                                        quant_memref_i64 *p) {
  qk_qbmm(QK_DATA(lhs), QK_DATA(rhs), QK_DATA(out), QK_DATA(p));
}
