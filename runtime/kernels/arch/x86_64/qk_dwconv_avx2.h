/*===- qk_dwconv_avx2.h - Depthwise loops on ymm (AVX2, AVX-VNNI) ----------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * qk_dw_expand and qk_dw_row (qk_dwconv_drivers.h) on 8-lane ymm vectors,
 * for qk_avx2.c (QK_DW_VNNI 0) and qk_avxvnni.c (QK_DW_VNNI 1), which
 * include this header before qk_dwconv_drivers.h.
 *
 * Windows (strides and dilations with sw + dw <= 5, rows whose windows the
 * input tensor holds): 8 entries from two 16-byte loads, vpshufb, the XOR
 * to u8; in the blocks that reach past the row's ends, the bytes outside it
 * blended with the padding (qk_dw_edges). Other rows go through a padded
 * copy.
 *
 * Rows: each tap's 8 u8 entries by the broadcast s8 weight quad, up to 4
 * vectors (32 outputs) at a time: one vpdpbusd (AVX-VNNI), or (AVX2) the
 * even bytes (0, 2) and odd bytes (1, 3) of each entry zero-extended to
 * int16 pairs, times the sign-extended weight pairs (w0, w2) and (w1, w3)
 * by vpmaddwd, both added: exact (products below 2^15, pair sums below
 * 2^16), never vpmaddubsw's saturating int16 sums.
 *
 * Requantization: vpmuldq on the even and odd lanes. The fast way (shift
 * in [32, 53], see qk_dw_requant): the high halves of the 64-bit sums
 * shifted right (vpsrad) by shift - 32, v + zp. In general, without a
 * 64-bit arithmetic shift: the sums biased by 2^63 (unsigned), shifted
 * right logically, their low halves less 2^(63 - shift) mod 2^32 (exact,
 * as v fits int32 once the accumulator is clamped to [alo, ahi]), + zp.
 * Then 4 vectors packed to bytes with signed saturation and clamped to
 * [QMIN, QMAX].
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_KERNELS_QK_DWCONV_AVX2_H
#define QUANT_KERNELS_QK_DWCONV_AVX2_H

#if !defined(QK_DW_VNNI) || !defined(QK_FLIP)
#error "define QK_DW_VNNI and QK_FLIP before qk_dwconv_avx2.h"
#endif

#include "qk_common.h"

#include <immintrin.h>

#define QK_DW_LANES 8

QK_INLINE void qk_dw_expand(uint8_t *dst, int64_t dstride, const int8_t *row,
                            int64_t rstride, int64_t rows, int64_t c,
                            int64_t iw, int8_t zs, int64_t n, int64_t cw,
                            int64_t sw, int64_t dw, const int8_t *base,
                            int64_t size) {
  (void)cw;
  if (sw + dw > 5) {
    for (int64_t m = 0; m < rows; ++m)
      qk_dw_expand_c(dst + m * dstride, row + m * rstride, c, iw, zs, n, sw, dw,
                     QK_FLIP);
    return;
  }
  uint8_t ctl[16], mask[QK_DW_CHUNK * 4], edge[QK_DW_CHUNK / 8];
  qk_dw_window_shuffle(ctl, sw, dw);
  qk_dw_edges(mask, edge, c, iw, n, sw, dw, 8);
  __m256i shuf =
      _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)ctl));
  __m256i flip = _mm256_set1_epi8((char)QK_FLIP);
  __m256i pad = _mm256_set1_epi8((char)(zs ^ QK_FLIP));
  for (int64_t m = 0; m < rows; ++m) {
    const int8_t *r = row + m * rstride;
    uint8_t *d = dst + m * dstride;
    if (!qk_dw_inside(r, c, n, sw, dw, base, size)) {
      qk_dw_expand_c(d, r, c, iw, zs, n, sw, dw, QK_FLIP);
      continue;
    }
    const int8_t *src = r + c;
    for (int64_t i = 0; i < n; i += 8) {
      __m128i lo = _mm_loadu_si128((const __m128i *)(src + i * sw));
      __m128i hi = _mm_loadu_si128((const __m128i *)(src + (i + 4) * sw));
      __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
      v = _mm256_xor_si256(_mm256_shuffle_epi8(v, shuf), flip);
      if (edge[i / 8])
        v = _mm256_blendv_epi8(
            v, pad, _mm256_loadu_si256((const __m256i *)(mask + 4 * i)));
      _mm256_storeu_si256((__m256i *)(void *)(d + 4 * i), v);
    }
  }
}

struct qk_dw256 {
  __m256i alo, ahi, mult, round, zp, fix, qmin, qmax, order;
  __m128i shift, shift32;
};

/* The requantized accumulators before the clamp to [QMIN, QMAX], which
   fit int32. */
QK_INLINE __m256i qk_dw256_requant(__m256i acc, const struct qk_dw256 *k,
                                   int fast) {
  __m256i a =
      fast ? acc : _mm256_max_epi32(_mm256_min_epi32(acc, k->ahi), k->alo);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(a, k->mult), k->round);
  __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(a, 32), k->mult), k->round);
  if (fast)
    return _mm256_sra_epi32(
        _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xaa), k->shift32);
  even = _mm256_srl_epi64(even, k->shift);
  odd = _mm256_srl_epi64(odd, k->shift);
  __m256i v = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
  return _mm256_add_epi32(_mm256_sub_epi32(v, k->fix), k->zp);
}

/* nv (<= 4) vectors of outputs from entry i0, n of them kept. */
QK_INLINE void qk_dw256_block(const uint8_t *const *src, const int32_t *wt,
                              int64_t nt, int64_t i0, __m256i bias,
                              const struct qk_dw256 *k, int8_t *out, int64_t n,
                              int nv, int fast) {
  __m256i acc[4];
  for (int v = 0; v < nv; ++v)
    acc[v] = bias;
  for (int64_t t = 0; t < nt; ++t) {
    const uint8_t *e = src[t] + i0 * 4;
    __m256i w = _mm256_set1_epi32(wt[t]);
#if QK_DW_VNNI
    for (int v = 0; v < nv; ++v)
      acc[v] = _mm256_dpbusd_avx_epi32(
          acc[v], _mm256_loadu_si256((const __m256i *)(e + v * 32)), w);
#else
    __m256i we = _mm256_srai_epi16(_mm256_slli_epi16(w, 8), 8);
    __m256i wo = _mm256_srai_epi16(w, 8);
    for (int v = 0; v < nv; ++v) {
      __m256i x = _mm256_loadu_si256((const __m256i *)(e + v * 32));
      __m256i xe = _mm256_and_si256(x, _mm256_set1_epi16(0xff));
      __m256i xo = _mm256_srli_epi16(x, 8);
      acc[v] =
          _mm256_add_epi32(acc[v], _mm256_add_epi32(_mm256_madd_epi16(xe, we),
                                                    _mm256_madd_epi16(xo, wo)));
    }
#endif
  }
  __m256i r[4];
  for (int v = 0; v < 4; ++v)
    r[v] = v < nv ? qk_dw256_requant(acc[v], k, fast) : _mm256_setzero_si256();
  __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]),
                                 _mm256_packs_epi32(r[2], r[3]));
  b = _mm256_permutevar8x32_epi32(b, k->order);
  b = _mm256_min_epi8(_mm256_max_epi8(b, k->qmin), k->qmax);
  if (n >= 32) {
    _mm256_storeu_si256((__m256i *)(void *)out, b);
  } else {
    uint8_t tmp[32];
    _mm256_storeu_si256((__m256i *)(void *)tmp, b);
    memcpy(out, tmp, (size_t)n);
  }
}

QK_INLINE void qk_dw256_row(const uint8_t *const *src, const int32_t *wt,
                            int64_t nt, __m256i b, const struct qk_dw256 *k,
                            int8_t *out, int64_t n, int fast) {
  int64_t nv = (n + 7) / 8, v = 0;
  for (; v + 4 <= nv; v += 4)
    qk_dw256_block(src, wt, nt, v * 8, b, k, out + v * 8, n - v * 8, 4, fast);
  if (nv - v == 3)
    qk_dw256_block(src, wt, nt, v * 8, b, k, out + v * 8, n - v * 8, 3, fast);
  else if (nv - v == 2)
    qk_dw256_block(src, wt, nt, v * 8, b, k, out + v * 8, n - v * 8, 2, fast);
  else if (nv - v == 1)
    qk_dw256_block(src, wt, nt, v * 8, b, k, out + v * 8, n - v * 8, 1, fast);
}

QK_INLINE void qk_dw_row(const uint8_t *const *src, const int32_t *wt,
                         int64_t nt, int32_t bias,
                         const struct qk_dw_requant *rq, int8_t *out,
                         int64_t n) {
  struct qk_dw256 k;
  k.alo = _mm256_set1_epi32(rq->alo);
  k.ahi = _mm256_set1_epi32(rq->ahi);
  k.mult = _mm256_set1_epi64x(rq->mult);
  /* The general way's sums are biased by 2^63 (a wrapping add). */
  k.round = _mm256_set1_epi64x(
      rq->fast ? rq->round_zp
               : (int64_t)((uint64_t)rq->round + ((uint64_t)1 << 63)));
  k.zp = _mm256_set1_epi32(rq->zp);
  k.fix = _mm256_set1_epi32(
      (int32_t)(uint32_t)(((uint64_t)1 << (63 - rq->shift)) & 0xffffffffu));
  k.qmin = _mm256_set1_epi8((char)(rq->lo + rq->zp));
  k.qmax = _mm256_set1_epi8((char)(rq->hi + rq->zp));
  k.order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  k.shift = _mm_cvtsi32_si128(rq->shift);
  k.shift32 = _mm_cvtsi32_si128(rq->shift - 32);
  __m256i b = _mm256_set1_epi32(bias);
  if (rq->fast)
    qk_dw256_row(src, wt, nt, b, &k, out, n, 1);
  else
    qk_dw256_row(src, wt, nt, b, &k, out, n, 0);
}

#endif /* QUANT_KERNELS_QK_DWCONV_AVX2_H */
