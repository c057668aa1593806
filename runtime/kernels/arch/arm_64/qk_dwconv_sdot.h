/*===- qk_dwconv_sdot.h - Depthwise loops on AArch64 sdot -----------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * qk_dw_expand and qk_dw_row (qk_dwconv_drivers.h) on NEON with sdot
 * (FEAT_DotProd), for qk_dotprod.c and qk_i8mm.c, which include this
 * header before qk_dwconv_drivers.h. (smmla brings nothing to a depthwise
 * convolution, whose channels share no operand: the i8mm copy runs these
 * loops too, as every I8MM target the compiler picks also has DotProd.)
 *
 * Windows hold s8 (QK_FLIP_S8). Windows (strides and dilations with
 * sw + dw <= 5, rows whose windows the input tensor holds): 4 entries
 * from one 16-byte load and one tbl; in the blocks that reach past the
 * row's ends, the bytes outside it selected from the zero point
 * (qk_dw_edges). Other rows go through a padded copy.
 *
 * Rows: sdot of each tap's 4 s8 entries by the s8 weight quad duplicated
 * in every lane, up to 4 vectors (16 outputs) at a time. Requantization:
 * with shift >= 32 and mult != INT32_MIN, sqdmulh gives
 * h = floor(acc * mult / 2^31) exactly and srshl by -(shift - 31) the
 * rounded (h + 2^(shift - 32)) >> (shift - 31), which is
 * (acc * mult + 2^(shift - 1)) >> shift; otherwise smull to 64 bits and
 * srshl by -shift (the rounding add in infinite precision), then sqxtn
 * (saturating to int32 changes no clamped result). + zp (saturating),
 * then 4 vectors narrowed with signed saturation and clamped to
 * [QMIN, QMAX].
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_KERNELS_QK_DWCONV_SDOT_H
#define QUANT_KERNELS_QK_DWCONV_SDOT_H

#include "qk_common.h"

#include <arm_neon.h>

#if !defined(QK_FLIP) || QK_FLIP != QK_FLIP_S8
#error "qk_dwconv_sdot.h expects s8 activations (QK_FLIP_S8)"
#endif

#define QK_DW_LANES 4

QK_INLINE void qk_dw_expand(uint8_t *dst, int64_t dstride, const int8_t *row,
                            int64_t rstride, int64_t rows, int64_t c,
                            int64_t iw, int8_t zs, int64_t n, int64_t cw,
                            int64_t sw, int64_t dw, const int8_t *base,
                            int64_t size) {
  (void)cw;
  if (sw + dw > 5) {
    for (int64_t m = 0; m < rows; ++m)
      qk_dw_expand_c(dst + m * dstride, row + m * rstride, c, iw, zs, n, sw, dw,
                     QK_FLIP_S8);
    return;
  }
  uint8_t ctl[16], mask[QK_DW_CHUNK * 4], edge[QK_DW_CHUNK / 4];
  qk_dw_window_shuffle(ctl, sw, dw);
  qk_dw_edges(mask, edge, c, iw, n, sw, dw, 4);
  uint8x16_t shuf = vld1q_u8(ctl);
  int8x16_t pad = vdupq_n_s8(zs);
  for (int64_t m = 0; m < rows; ++m) {
    const int8_t *r = row + m * rstride;
    uint8_t *d = dst + m * dstride;
    if (!qk_dw_inside(r, c, n, sw, dw, base, size)) {
      qk_dw_expand_c(d, r, c, iw, zs, n, sw, dw, QK_FLIP_S8);
      continue;
    }
    const int8_t *src = r + c;
    for (int64_t i = 0; i < n; i += 4) {
      int8x16_t v = vqtbl1q_s8(vld1q_s8(src + i * sw), shuf);
      if (edge[i / 4])
        v = vbslq_s8(vld1q_u8(mask + 4 * i), pad, v);
      vst1q_s8((int8_t *)(void *)(d + 4 * i), v);
    }
  }
}

struct qk_dw_sdot {
  int32x4_t mult, zp;
  int32x4_t rshift32; /* -(shift - 31) */
  int64x2_t rshift64; /* -shift */
  int8x16_t qmin, qmax;
};

/* The requantized accumulators + zp, saturated to int32. */
QK_INLINE int32x4_t qk_dw_sdot_requant(int32x4_t acc,
                                       const struct qk_dw_sdot *k, int fast) {
  int32x4_t v;
  if (fast) {
    v = vrshlq_s32(vqdmulhq_s32(acc, k->mult), k->rshift32);
  } else {
    int64x2_t lo = vmull_s32(vget_low_s32(acc), vget_low_s32(k->mult));
    int64x2_t hi = vmull_high_s32(acc, k->mult);
    v = vqmovn_high_s64(vqmovn_s64(vrshlq_s64(lo, k->rshift64)),
                        vrshlq_s64(hi, k->rshift64));
  }
  return vqaddq_s32(v, k->zp);
}

/* nv (<= 4) vectors of outputs from entry i0, n of them kept. */
QK_INLINE void qk_dw_sdot_block(const uint8_t *const *src, const int32_t *wt,
                                int64_t nt, int64_t i0, int32x4_t bias,
                                const struct qk_dw_sdot *k, int8_t *out,
                                int64_t n, int nv, int fast) {
  int32x4_t acc[4];
  for (int v = 0; v < nv; ++v)
    acc[v] = bias;
  for (int64_t t = 0; t < nt; ++t) {
    const int8_t *e = (const int8_t *)src[t] + i0 * 4;
    int8x16_t w = vreinterpretq_s8_s32(vdupq_n_s32(wt[t]));
    for (int v = 0; v < nv; ++v)
      acc[v] = vdotq_s32(acc[v], vld1q_s8(e + v * 16), w);
  }
  int32x4_t r[4];
  for (int v = 0; v < 4; ++v)
    r[v] = v < nv ? qk_dw_sdot_requant(acc[v], k, fast) : vdupq_n_s32(0);
  int16x8_t h01 = vqmovn_high_s32(vqmovn_s32(r[0]), r[1]);
  int16x8_t h23 = vqmovn_high_s32(vqmovn_s32(r[2]), r[3]);
  int8x16_t b = vqmovn_high_s16(vqmovn_s16(h01), h23);
  b = vminq_s8(vmaxq_s8(b, k->qmin), k->qmax);
  if (n >= 16) {
    vst1q_s8(out, b);
  } else {
    int8_t tmp[16];
    vst1q_s8(tmp, b);
    memcpy(out, tmp, (size_t)n);
  }
}

QK_INLINE void qk_dw_sdot_row(const uint8_t *const *src, const int32_t *wt,
                              int64_t nt, int32x4_t b,
                              const struct qk_dw_sdot *k, int8_t *out,
                              int64_t n, int fast) {
  int64_t nv = (n + 3) / 4, v = 0;
  for (; v + 4 <= nv; v += 4)
    qk_dw_sdot_block(src, wt, nt, v * 4, b, k, out + v * 4, n - v * 4, 4, fast);
  if (nv - v == 3)
    qk_dw_sdot_block(src, wt, nt, v * 4, b, k, out + v * 4, n - v * 4, 3, fast);
  else if (nv - v == 2)
    qk_dw_sdot_block(src, wt, nt, v * 4, b, k, out + v * 4, n - v * 4, 2, fast);
  else if (nv - v == 1)
    qk_dw_sdot_block(src, wt, nt, v * 4, b, k, out + v * 4, n - v * 4, 1, fast);
}

QK_INLINE void qk_dw_row(const uint8_t *const *src, const int32_t *wt,
                         int64_t nt, int32_t bias,
                         const struct qk_dw_requant *rq, int8_t *out,
                         int64_t n) {
  struct qk_dw_sdot k;
  k.mult = vdupq_n_s32(rq->mult);
  k.zp = vdupq_n_s32(rq->zp);
  k.rshift32 = vdupq_n_s32(31 - rq->shift);
  k.rshift64 = vdupq_n_s64(-(int64_t)rq->shift);
  k.qmin = vdupq_n_s8((int8_t)(rq->lo + rq->zp));
  k.qmax = vdupq_n_s8((int8_t)(rq->hi + rq->zp));
  int32x4_t b = vdupq_n_s32(bias);
  if (rq->shift >= 32 && rq->mult != -2147483647 - 1)
    qk_dw_sdot_row(src, wt, nt, b, &k, out, n, 1);
  else
    qk_dw_sdot_row(src, wt, nt, b, &k, out, n, 0);
}

#endif /* QUANT_KERNELS_QK_DWCONV_SDOT_H */
