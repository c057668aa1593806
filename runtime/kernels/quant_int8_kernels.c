/*===- quant_int8_kernels.c - int8 convolution and GEMM microkernels -------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * See quant_int8_kernels.h for the contract. This file is compiled to LLVM
 * bitcode (one per target architecture) and linked into each model by the
 * compiler, which re-targets the functions to the model's CPU; the VNNI
 * variants carry their own target attributes and are only called when the
 * model's CPU has those instructions.
 *
 * Integer arithmetic is exactly the reference lowering's: int32
 * accumulation wrapping modulo 2^32 (vpdpbusd, sdot, smmla, or uint32 in
 * C), then QuantMath's requantization. Signed right shifts are arithmetic
 * (clang, gcc on every target we build for).
 *
 * Built freestanding (no C library headers, so the AArch64 copies need no
 * cross sysroot): memcpy/memset are the compiler's builtins.
 *
 *===----------------------------------------------------------------------===*/
#include "quant_int8_kernels.h"

#include <stddef.h>

#if defined(QK_ISA_AVX512VNNI) || defined(QK_ISA_AVXVNNI)
#include <immintrin.h>
#endif
#if defined(QK_ISA_DOTPROD) || defined(QK_ISA_I8MM)
#include <arm_neon.h>
#endif

#define memcpy __builtin_memcpy
#define memset __builtin_memset

/* This copy's panel k-group (QK_KG bytes of one row or column together)
   and the byte activations are XORed with when packed: 0x80 shifts s8 to
   u8 for vpdpbusd's unsigned operand, 0 keeps s8 for sdot/smmla. */
#if defined(QK_ISA_I8MM)
#define QK_KG 8
#else
#define QK_KG 4
#endif
#if defined(QK_ISA_DOTPROD) || defined(QK_ISA_I8MM)
#define QK_FLIP 0
#else
#define QK_FLIP 0x80
#endif

#define QK_INLINE static inline __attribute__((always_inline, unused))

/* Work (multiply-accumulates) below which a kernel stays on one thread. */
#define QK_PARALLEL_MACS (1 << 18)

QK_INLINE int64_t qk_min(int64_t a, int64_t b) { return a < b ? a : b; }

QK_INLINE int32_t qk_load4(const void *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* QuantMath's requantize(): exact in 64-bit for every int32 accumulator. */
QK_INLINE int8_t qk_requantize(int32_t acc, int32_t mult, int32_t shift,
                               int32_t zp, int32_t qmin, int32_t qmax) {
  int64_t v = ((int64_t)acc * mult + ((int64_t)1 << (shift - 1))) >> shift;
  v += zp;
  v = v < qmin ? qmin : v;
  v = v > qmax ? qmax : v;
  return (int8_t)v;
}

QK_INLINE int32_t qk_wrapping_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

struct qk_epilogue {
  const int32_t *bias, *mult, *shift;
  int8_t *out;
  int64_t ldo; /* out row stride */
  int64_t rows, cols;
  int32_t zp, qmin, qmax;
  int channel_on_rows;
};

/* Requantizes the valid part of `count` columns of an mr-row accumulator
   tile (row stride `lda`) at (r0, c0). */
QK_INLINE void qk_store_tile(const int32_t *acc, int64_t lda, int64_t mr,
                             int64_t count, int64_t r0, int64_t c0,
                             const struct qk_epilogue *e) {
  int64_t nr = qk_min(mr, e->rows - r0), ncv = qk_min(count, e->cols - c0);
  for (int64_t r = 0; r < nr; ++r) {
    int8_t *o = e->out + (r0 + r) * e->ldo + c0;
    const int32_t *a = acc + r * lda;
    if (e->channel_on_rows) {
      int32_t b = e->bias[r0 + r], m = e->mult[r0 + r], s = e->shift[r0 + r];
      for (int64_t c = 0; c < ncv; ++c)
        o[c] = qk_requantize(qk_wrapping_add(a[c], b), m, s, e->zp, e->qmin,
                             e->qmax);
    } else {
      const int32_t *b = e->bias + c0, *m = e->mult + c0, *s = e->shift + c0;
      for (int64_t c = 0; c < ncv; ++c)
        o[c] = qk_requantize(qk_wrapping_add(a[c], b[c]), m[c], s[c], e->zp,
                             e->qmin, e->qmax);
    }
  }
}

/*===- Direct convolution (quant_int8_kernels.h) --------------------------===*
 * Each image is repacked once, in the layout quant_qconv_layout picks; a
 * cols panel's k-group (cg, y, x) is then NC consecutive QK_KG-byte columns
 * of the buffer at a fixed offset from the tile's first column,
 * off[(cg*KH + y)*KW + x] bytes. Tiles run over a flattened grid of rows
 * of d.vw columns (the padded grid OH x PW, or OH x OW for im2col), the
 * columns past OW computed and dropped, or (stride phases) one output row
 * at a time.
 *===----------------------------------------------------------------------===*/

struct qk_direct {
  int layout;                  /* QUANT_QCONV_PADDED, _PHASES or _IM2COL */
  int64_t cg, ph, pw, sw, pws; /* padded buffer geometry (sw = 1, pws = pw
                                  for QUANT_QCONV_PADDED) */
  int64_t kgs;                 /* k-groups: cg * KH * KW */
  int64_t vw;                  /* row length of a flattened tile grid */
  int64_t tiles, tiles_per_row;
};

QK_INLINE struct qk_direct qk_direct_geometry(const int64_t *p, int64_t nc) {
  struct qk_direct d;
  d.layout = quant_qconv_layout(p, nc);
  d.cg = (p[QUANT_QCONV_IC] + QK_KG - 1) / QK_KG;
  d.ph = quant_qconv_padded_h(p);
  d.pw = quant_qconv_padded_w(p);
  d.sw = p[QUANT_QCONV_SW];
  d.pws = (d.pw + d.sw - 1) / d.sw;
  d.kgs = d.cg * p[QUANT_QCONV_KH] * p[QUANT_QCONV_KW];
  d.vw = d.layout == QUANT_QCONV_IM2COL ? p[QUANT_QCONV_OW] : d.pw;
  d.tiles_per_row = (p[QUANT_QCONV_OW] + nc - 1) / nc;
  d.tiles = d.layout == QUANT_QCONV_PHASES
                ? p[QUANT_QCONV_OH] * d.tiles_per_row
                : (p[QUANT_QCONV_OH] * d.vw + nc - 1) / nc;
  return d;
}

/* The byte offset of each k-group from a tile's first column. */
QK_INLINE void qk_direct_offsets(const int64_t *p, const struct qk_direct *d,
                                 int64_t *off) {
  int64_t kh = p[QUANT_QCONV_KH], kw = p[QUANT_QCONV_KW];
  int64_t dh = p[QUANT_QCONV_DH], dw = p[QUANT_QCONV_DW];
  int64_t spatial = p[QUANT_QCONV_OH] * p[QUANT_QCONV_OW];
  for (int64_t g = 0, c = 0; c < d->cg; ++c)
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x, ++g)
        off[g] = (d->layout == QUANT_QCONV_IM2COL
                      ? g * spatial
                      : ((c * d->ph + y * dh) * d->sw + x * dw % d->sw) *
                                d->pws +
                            x * dw / d->sw) *
                 QK_KG;
}

/* `n` columns of channel group c: dst[x][i] = src[i * plane + x] ^ QK_FLIP,
   channels past IC read as channel IC - 1 (any value: their weights are
   0). */
QK_INLINE void qk_interleave(const int8_t *src, int64_t plane, int64_t c,
                             int64_t ic, uint8_t *dst, int64_t n) {
  const int8_t *s[QK_KG];
  for (int i = 0; i < QK_KG; ++i)
    s[i] = src + (c * QK_KG + i < ic ? i : ic - 1 - c * QK_KG) * plane;
#if QK_KG == 4
  const int8_t *s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
  for (int64_t x = 0; x < n; ++x) {
    dst[x * 4] = (uint8_t)(s0[x] ^ QK_FLIP);
    dst[x * 4 + 1] = (uint8_t)(s1[x] ^ QK_FLIP);
    dst[x * 4 + 2] = (uint8_t)(s2[x] ^ QK_FLIP);
    dst[x * 4 + 3] = (uint8_t)(s3[x] ^ QK_FLIP);
  }
#else
  for (int64_t x = 0; x < n; ++x)
    for (int i = 0; i < QK_KG; ++i)
      dst[x * QK_KG + i] = (uint8_t)(s[i][x] ^ QK_FLIP);
#endif
}

/* Whether the repacked image is the input's planes interleaved, nothing
   else: no padding read, unit strides, every input row and column read. */
QK_INLINE int qk_repack_is_plain(const int64_t *p, const struct qk_direct *d) {
  return p[QUANT_QCONV_PAD_TOP] == 0 && p[QUANT_QCONV_PAD_LEFT] == 0 &&
         d->layout == QUANT_QCONV_PADDED && d->ph == p[QUANT_QCONV_IH] &&
         d->pw == p[QUANT_QCONV_IW];
}

/* Channel group c of a plain repack (qk_repack_is_plain): one interleave
   over the whole plane. */
QK_INLINE void qk_repack_plane(const int8_t *in, uint8_t *buf,
                               const int64_t *p, int64_t c) {
  int64_t plane = p[QUANT_QCONV_IH] * p[QUANT_QCONV_IW];
  qk_interleave(in + c * QK_KG * plane, plane, c, p[QUANT_QCONV_IC],
                buf + c * plane * QK_KG, plane);
}

/* Padded row r of channel group c of the repacked buffer (all SW phases):
   input channels [c*KG, c*KG + KG) of image `in`, shifted by QK_FLIP, the
   zero point outside the image. */
QK_INLINE void qk_repack_row(const int8_t *in, uint8_t *buf, const int64_t *p,
                             const struct qk_direct *d, int64_t c,
                             int64_t r) {
  int64_t ic = p[QUANT_QCONV_IC], ih = p[QUANT_QCONV_IH],
          iw = p[QUANT_QCONV_IW], pl = p[QUANT_QCONV_PAD_LEFT];
  int64_t iy = r - p[QUANT_QCONV_PAD_TOP];
  uint8_t pad = (uint8_t)((int8_t)p[QUANT_QCONV_IN_ZP] ^ QK_FLIP);
  uint8_t *dst = buf + (c * d->ph + r) * d->sw * d->pws * QK_KG;
  int64_t bytes = d->sw * d->pws * QK_KG;
  if (iy < 0 || iy >= ih) {
    memset(dst, pad, (size_t)bytes);
    return;
  }
  /* Padded columns [lo, hi) are inside the image (hi > lo implies lo ==
     pl: padded column lo + x is input column x). */
  int64_t lo = qk_min(pl, d->pw), hi = qk_min(pl + iw, d->pw);
  hi = hi < lo ? lo : hi;
  const int8_t *src = in + (c * QK_KG * ih + iy) * iw;
  if (d->sw == 1) {
    memset(dst, pad, (size_t)(lo * QK_KG));
    qk_interleave(src, ih * iw, c, ic, dst + lo * QK_KG, hi - lo);
    memset(dst + hi * QK_KG, pad, (size_t)(bytes - hi * QK_KG));
    return;
  }
  /* Strided: column by column, phase by phase. */
  const int8_t *s[QK_KG];
  for (int i = 0; i < QK_KG; ++i)
    s[i] = src + (c * QK_KG + i < ic ? i : ic - 1 - c * QK_KG) * ih * iw;
  for (int64_t phase = 0; phase < d->sw; ++phase)
    for (int64_t j = 0; j < d->pws; ++j) {
      uint8_t *o = dst + (phase * d->pws + j) * QK_KG;
      int64_t x = j * d->sw + phase;
      int inside = x >= lo && x < hi;
      for (int i = 0; i < QK_KG; ++i)
        o[i] = inside ? (uint8_t)(s[i][x - pl] ^ QK_FLIP) : pad;
    }
}

/* Output row oy of k-group g = (c, y, x) of the im2col buffer (strided
   convolutions): OW columns of QK_KG channels, the zero point outside the
   image; channels past IC read channel IC - 1 (their weights are 0). */
QK_INLINE void qk_im2col_row(const int8_t *in, uint8_t *buf, const int64_t *p,
                             int64_t g, int64_t oy) {
  int64_t ic = p[QUANT_QCONV_IC], ih = p[QUANT_QCONV_IH],
          iw = p[QUANT_QCONV_IW], ow = p[QUANT_QCONV_OW],
          kh = p[QUANT_QCONV_KH], kw = p[QUANT_QCONV_KW],
          sw = p[QUANT_QCONV_SW];
  int64_t c = g / (kh * kw), y = g / kw % kh, x = g % kw;
  int64_t iy = oy * p[QUANT_QCONV_SH] - p[QUANT_QCONV_PAD_TOP] +
               y * p[QUANT_QCONV_DH];
  int64_t x0 = x * p[QUANT_QCONV_DW] - p[QUANT_QCONV_PAD_LEFT];
  uint8_t pad = (uint8_t)((int8_t)p[QUANT_QCONV_IN_ZP] ^ QK_FLIP);
  uint8_t *dst = buf + (g * p[QUANT_QCONV_OH] + oy) * ow * QK_KG;
  if (iy < 0 || iy >= ih) {
    memset(dst, pad, (size_t)(ow * QK_KG));
    return;
  }
  const int8_t *s[QK_KG];
  for (int i = 0; i < QK_KG; ++i)
    s[i] = in + ((c * QK_KG + i < ic ? c * QK_KG + i : ic - 1) * ih + iy) * iw;
  /* Columns [lo, hi) read inside the image: x0 + j * sw in [0, iw). */
  int64_t lo = qk_min(ow, x0 >= 0 ? 0 : (-x0 + sw - 1) / sw);
  int64_t hi = x0 >= iw ? 0 : qk_min(ow, (iw - x0 + sw - 1) / sw);
  hi = hi < lo ? lo : hi;
  memset(dst, pad, (size_t)(lo * QK_KG));
  memset(dst + hi * QK_KG, pad, (size_t)((ow - hi) * QK_KG));
  for (int64_t j = lo; j < hi; ++j)
    for (int i = 0; i < QK_KG; ++i)
      dst[j * QK_KG + i] = (uint8_t)(s[i][x0 + j * sw] ^ QK_FLIP);
}

/* Requantizes tile t's columns that are outputs: one output row's run
   (stride phases), or runs of one row each of the flattened grid (row
   length d->vw), columns ow >= OW dropped. */
QK_INLINE void qk_store_direct(const int32_t *acc, int64_t mr, int64_t nc,
                               int64_t r0, int64_t t, const int64_t *p,
                               const struct qk_direct *d,
                               const struct qk_epilogue *e) {
  int64_t oh = p[QUANT_QCONV_OH], ow = p[QUANT_QCONV_OW];
  if (d->layout == QUANT_QCONV_PHASES) {
    int64_t y = t / d->tiles_per_row, x0 = t % d->tiles_per_row * nc;
    qk_store_tile(acc, nc, mr, qk_min(nc, ow - x0), r0, y * ow + x0, e);
    return;
  }
  for (int64_t j = 0, q = t * nc; j < nc;) {
    int64_t y = q / d->vw, x = q % d->vw;
    int64_t run = qk_min(d->vw - x, nc - j);
    if (y >= oh)
      break;
    if (x < ow)
      qk_store_tile(acc + j, nc, mr, qk_min(run, ow - x), r0, y * ow + x, e);
    j += run;
    q += run;
  }
}

/* The buffer offset of tile t's first column. */
QK_INLINE int64_t qk_direct_base(int64_t t, int64_t nc, const int64_t *p,
                                 const struct qk_direct *d) {
  if (d->layout != QUANT_QCONV_PHASES)
    return t * nc * QK_KG;
  int64_t y = t / d->tiles_per_row, x0 = t % d->tiles_per_row * nc;
  return ((y * p[QUANT_QCONV_SH] * d->sw) * d->pws + x0) * QK_KG;
}

/* The activations of a GEMM [B][K] (XORed with QK_FLIP) as rows panels
   [B/MR][KGS][MR][KG]. */
QK_INLINE void qk_pack_rows(const int8_t *in, uint8_t *rows, int64_t b,
                            int64_t k, int64_t mr) {
  int64_t groups = (k + QK_KG - 1) / QK_KG, blocks = (b + mr - 1) / mr;
  memset(rows, 0, (size_t)(blocks * groups * mr * QK_KG));
  for (int64_t r = 0; r < b; ++r) {
    uint8_t *dst = rows + (r / mr) * groups * mr * QK_KG + (r % mr) * QK_KG;
    for (int64_t kk = 0; kk < k; ++kk)
      dst[(kk / QK_KG) * mr * QK_KG + kk % QK_KG] =
          (uint8_t)(in[r * k + kk] ^ QK_FLIP);
  }
}

/*===----------------------------------------------------------------------===*
 * Register tiles. tile_conv: rows s8 x cols u8; tile_gemm: rows u8 x cols s8.
 * `acc` receives MR x NC int32 (row stride NC); `mr` rows are computed.
 *===----------------------------------------------------------------------===*/

/* Portable tiles: 32-bit products, uint32 accumulation (wraps like the
   reference and like vpdpbusd). */
#define QK_SCALAR_TILE(NAME, ROWS_T, COLS_T, MR, NC, DIRECT)                   \
  QK_INLINE void NAME(const ROWS_T *rows, const COLS_T *cols,                 \
                      const int64_t *off, int64_t k4, int32_t *acc,            \
                      int64_t mr) {                                            \
    uint32_t c[MR][NC];                                                        \
    memset(c, 0, sizeof(c));                                                   \
    for (int64_t k = 0; k < k4; ++k) {                                         \
      const COLS_T *x = DIRECT ? cols + off[k] : cols + k * NC * 4;            \
      for (int64_t r = 0; r < mr; ++r) {                                       \
        const ROWS_T *w = rows + (k * MR + r) * 4;                             \
        int32_t w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];                    \
        for (int64_t j = 0; j < NC; ++j)                                       \
          c[r][j] += (uint32_t)(w0 * x[j * 4] + w1 * x[j * 4 + 1] +           \
                                w2 * x[j * 4 + 2] + w3 * x[j * 4 + 3]);        \
      }                                                                        \
    }                                                                          \
    memcpy(acc, c, sizeof(c));                                                 \
  }

/* The drivers: one convolution (per image: repack it, then every rows
   block against every tile of the implicit cols matrix) and one GEMM (pack
   the rows, then every cols panel), parallel over tiles and panels. */
#define QK_DRIVERS(ISA, MR, NC)                                                \
  void _mlir_ciface_quant_qconv2d_##ISA(                                       \
      quant_memref_i8 *input, quant_memref_i8 *weights,                        \
      quant_memref_i32 *bias, quant_memref_i32 *multiplier,                    \
      quant_memref_i32 *shift, quant_memref_i8 *output,                        \
      quant_memref_u8 *scratch, quant_memref_i64 *params) {                    \
    const int64_t *p = params->aligned + params->offset;                       \
    const int8_t *in = input->aligned + input->offset;                         \
    const int8_t *w = weights->aligned + weights->offset;                      \
    uint8_t *buf = scratch->aligned + scratch->offset;                         \
    int64_t *off = (int64_t *)(void *)(buf + (quant_qconv_buffer_bytes(        \
                                                  p, NC, QK_KG) + 7) / 8 * 8); \
    int64_t batch = p[QUANT_QCONV_BATCH], oc = p[QUANT_QCONV_OC];              \
    int64_t spatial = p[QUANT_QCONV_OH] * p[QUANT_QCONV_OW];                   \
    int64_t inImage = p[QUANT_QCONV_IC] * p[QUANT_QCONV_IH] *                  \
                      p[QUANT_QCONV_IW];                                       \
    struct qk_direct d = qk_direct_geometry(p, NC);                            \
    int64_t blocks = (oc + MR - 1) / MR;                                       \
    int parallel = p[QUANT_QCONV_PARALLEL] &&                                  \
                   oc * spatial * d.kgs * QK_KG >= QK_PARALLEL_MACS &&         \
                   d.tiles > 1;                                                \
    (void)parallel; /* without -fopenmp */                                     \
    qk_direct_offsets(p, &d, off);                                             \
    for (int64_t n = 0; n < batch; ++n) {                                      \
      struct qk_epilogue e = {                                                 \
          bias->aligned + bias->offset,                                        \
          multiplier->aligned + multiplier->offset,                            \
          shift->aligned + shift->offset,                                      \
          output->aligned + output->offset + n * oc * spatial,                 \
          spatial, oc, spatial,                                                \
          (int32_t)p[QUANT_QCONV_OUT_ZP], (int32_t)p[QUANT_QCONV_QMIN],        \
          (int32_t)p[QUANT_QCONV_QMAX], 1};                                    \
      const int8_t *image = in + n * inImage;                                  \
      if (d.layout == QUANT_QCONV_IM2COL) {                                    \
        int64_t oh = p[QUANT_QCONV_OH];                                        \
        _Pragma("omp parallel for schedule(static) if(parallel)")              \
        for (int64_t r = 0; r < d.kgs * oh; ++r)                               \
          qk_im2col_row(image, buf, p, r / oh, r % oh);                        \
      } else if (qk_repack_is_plain(p, &d)) {                                  \
        _Pragma("omp parallel for schedule(static) if(parallel)")              \
        for (int64_t c = 0; c < d.cg; ++c)                                     \
          qk_repack_plane(image, buf, p, c);                                   \
      } else {                                                                 \
        _Pragma("omp parallel for schedule(static) if(parallel)")              \
        for (int64_t r = 0; r < d.cg * d.ph; ++r)                              \
          qk_repack_row(image, buf, p, &d, r / d.ph, r % d.ph);                \
      }                                                                        \
      /* The slack the last tile reads (its extra results are dropped). */    \
      memset(buf + quant_qconv_buffer_bytes(p, NC, QK_KG) -                    \
                 quant_qconv_buffer_slack(p, NC, QK_KG),                       \
             0, (size_t)quant_qconv_buffer_slack(p, NC, QK_KG));               \
      _Pragma("omp parallel for schedule(static) if(parallel)")                \
      for (int64_t t = 0; t < d.tiles; ++t) {                                  \
        const uint8_t *cols = buf + qk_direct_base(t, NC, p, &d);              \
        int32_t acc[MR * NC] __attribute__((aligned(64)));                     \
        for (int64_t i = 0; i < blocks; ++i) {                                 \
          qk_tile_conv(w + i * d.kgs * MR * QK_KG, cols, off, d.kgs, acc, MR); \
          qk_store_direct(acc, MR, NC, i * MR, t, p, &d, &e);                  \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  }                                                                            \
  void _mlir_ciface_quant_qgemm_##ISA(                                  \
      quant_memref_i8 *input, quant_memref_i8 *weights,                        \
      quant_memref_i32 *bias, quant_memref_i32 *multiplier,                    \
      quant_memref_i32 *shift, quant_memref_i8 *output,                        \
      quant_memref_u8 *scratch, quant_memref_i64 *params) {                    \
    const int64_t *p = params->aligned + params->offset;                       \
    const int8_t *w = weights->aligned + weights->offset;                      \
    uint8_t *rows = scratch->aligned + scratch->offset;                        \
    int64_t b = p[QUANT_QGEMM_B], k = p[QUANT_QGEMM_K], n = p[QUANT_QGEMM_N];  \
    int64_t kgs = (k + QK_KG - 1) / QK_KG, panels = (n + NC - 1) / NC;         \
    int64_t blocks = (b + MR - 1) / MR;                                        \
    qk_pack_rows(input->aligned + input->offset, rows, b, k, MR);              \
    struct qk_epilogue e = {                                                   \
        bias->aligned + bias->offset,                                          \
        multiplier->aligned + multiplier->offset,                              \
        shift->aligned + shift->offset,                                        \
        output->aligned + output->offset,                                      \
        n, b, n,                                                               \
        (int32_t)p[QUANT_QGEMM_OUT_ZP], (int32_t)p[QUANT_QGEMM_QMIN],          \
        (int32_t)p[QUANT_QGEMM_QMAX], 0};                                      \
    int parallel = p[QUANT_QGEMM_PARALLEL] &&                                \
                   b * n * k >= QK_PARALLEL_MACS && panels > 1;                \
    (void)parallel;                                                            \
    _Pragma("omp parallel for schedule(static) if(parallel)")                  \
    for (int64_t j = 0; j < panels; ++j) {                                     \
      int32_t acc[MR * NC] __attribute__((aligned(64)));                       \
      for (int64_t i = 0; i < blocks; ++i) {                                   \
        qk_tile_gemm(rows + i * kgs * MR * QK_KG, w + j * kgs * NC * QK_KG,    \
                     (const int64_t *)0, kgs, acc, qk_min(MR, b - i * MR));    \
        qk_store_tile(acc, NC, MR, NC, i * MR, j * NC, &e);                    \
      }                                                                        \
    }                                                                          \
  }

/*===- The instruction set this copy is compiled for ----------------------===*
 * CMake compiles this file once per ISA with -DQK_ISA_<NAME> and the ISA's
 * -m flags (whole translation units, so OpenMP's outlined loop bodies get
 * the features too), and links the copies into one bitcode file.
 *===----------------------------------------------------------------------===*/

/* Activations are s8 on AArch64: the conv and GEMM tiles are both one
   s8 x s8 TILE(rows, cols, kgs, acc), all MR rows computed. */
#define QK_S8_TILES(TILE)                                                      \
  QK_INLINE void qk_tile_conv(const int8_t *rows, const uint8_t *cols,        \
                              const int64_t *off, int64_t kgs, int32_t *acc,   \
                              int64_t mr) {                                    \
    (void)mr;                                                                  \
    TILE(rows, (const int8_t *)cols, off, 1, kgs, acc);                        \
  }                                                                            \
  QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,        \
                              const int64_t *off, int64_t kgs, int32_t *acc,   \
                              int64_t mr) {                                    \
    (void)mr;                                                                  \
    TILE((const int8_t *)rows, cols, off, 0, kgs, acc);                        \
  }

#if defined(QK_ISA_AVX512VNNI)

/* vpdpbusd on zmm: 8 x 48 tile, 24 accumulators. MR_ rows (8, or 1 for a
   single-row GEMM, i.e. a batch-1 fully connected layer). */
#define QK_VNNI512_TILE(NAME, ROWS_ARE_U8, MR_, DIRECT)                        \
  QK_INLINE void NAME(const void *rowsp, const void *colsp,                    \
                      const int64_t *off, int64_t k4, int32_t *acc) {          \
    enum { MR = QUANT_AVX512VNNI_MR, NV = QUANT_AVX512VNNI_NC / 16 };          \
    const uint8_t *rows = (const uint8_t *)rowsp;                              \
    const uint8_t *cols = (const uint8_t *)colsp;                              \
    __m512i c[MR_][NV];                                                        \
    for (int r = 0; r < MR_; ++r)                                              \
      for (int v = 0; v < NV; ++v)                                             \
        c[r][v] = _mm512_setzero_si512();                                      \
    for (int64_t k = 0; k < k4; ++k) {                                         \
      const uint8_t *ck = DIRECT ? cols + off[k] : cols + k * NV * 64;         \
      __m512i x[NV];                                                           \
      for (int v = 0; v < NV; ++v)                                             \
        x[v] = _mm512_loadu_si512(ck + v * 64);                                \
      for (int r = 0; r < MR_; ++r) {                                          \
        __m512i b = _mm512_set1_epi32(qk_load4(rows + (k * MR + r) * 4));      \
        for (int v = 0; v < NV; ++v)                                           \
          c[r][v] = ROWS_ARE_U8 ? _mm512_dpbusd_epi32(c[r][v], b, x[v])        \
                                : _mm512_dpbusd_epi32(c[r][v], x[v], b);       \
      }                                                                        \
    }                                                                          \
    for (int r = 0; r < MR_; ++r)                                              \
      for (int v = 0; v < NV; ++v)                                             \
        _mm512_store_si512(acc + r * NV * 16 + v * 16, c[r][v]);               \
  }
QK_VNNI512_TILE(qk_tile_conv_8, 0, QUANT_AVX512VNNI_MR, 1)
QK_VNNI512_TILE(qk_tile_gemm_8, 1, QUANT_AVX512VNNI_MR, 0)
QK_VNNI512_TILE(qk_tile_gemm_1, 1, 1, 0)

QK_INLINE void qk_tile_conv(const int8_t *rows, const uint8_t *cols,
                            const int64_t *off, int64_t k4, int32_t *acc,
                            int64_t mr) {
  (void)mr;
  qk_tile_conv_8(rows, cols, off, k4, acc);
}
/* Partial row blocks other than a single row compute the padding rows. */
QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,
                            const int64_t *off, int64_t k4, int32_t *acc,
                            int64_t mr) {
  if (mr == 1)
    qk_tile_gemm_1(rows, cols, off, k4, acc);
  else
    qk_tile_gemm_8(rows, cols, off, k4, acc);
}
QK_DRIVERS(avx512vnni, QUANT_AVX512VNNI_MR, QUANT_AVX512VNNI_NC)

#elif defined(QK_ISA_AVXVNNI)

/* vpdpbusd on ymm: 4 x 24 tile, 12 accumulators (all 4 rows computed). */
#define QK_VNNI256_TILE(NAME, ROWS_ARE_U8, DIRECT)                             \
  QK_INLINE void NAME(const void *rowsp, const void *colsp,                    \
                      const int64_t *off, int64_t k4, int32_t *acc,            \
                      int64_t mr) {                                            \
    enum { MR = QUANT_AVXVNNI_MR, NV = QUANT_AVXVNNI_NC / 8 };                 \
    const uint8_t *rows = (const uint8_t *)rowsp;                              \
    const uint8_t *cols = (const uint8_t *)colsp;                              \
    __m256i c[MR][NV];                                                         \
    (void)mr;                                                                  \
    for (int r = 0; r < MR; ++r)                                               \
      for (int v = 0; v < NV; ++v)                                             \
        c[r][v] = _mm256_setzero_si256();                                      \
    for (int64_t k = 0; k < k4; ++k) {                                         \
      const uint8_t *ck = DIRECT ? cols + off[k] : cols + k * NV * 32;         \
      __m256i x[NV];                                                           \
      for (int v = 0; v < NV; ++v)                                             \
        x[v] = _mm256_loadu_si256((const __m256i *)(ck + v * 32));             \
      for (int r = 0; r < MR; ++r) {                                           \
        __m256i b = _mm256_set1_epi32(qk_load4(rows + (k * MR + r) * 4));      \
        for (int v = 0; v < NV; ++v)                                           \
          c[r][v] = ROWS_ARE_U8 ? _mm256_dpbusd_avx_epi32(c[r][v], b, x[v])    \
                                : _mm256_dpbusd_avx_epi32(c[r][v], x[v], b);   \
      }                                                                        \
    }                                                                          \
    for (int r = 0; r < MR; ++r)                                               \
      for (int v = 0; v < NV; ++v)                                             \
        _mm256_store_si256((__m256i *)(acc + r * NV * 8 + v * 8), c[r][v]);    \
  }
QK_VNNI256_TILE(qk_tile_conv, 0, 1)
QK_VNNI256_TILE(qk_tile_gemm, 1, 0)
QK_DRIVERS(avxvnni, QUANT_AVXVNNI_MR, QUANT_AVXVNNI_NC)

#elif defined(QK_ISA_AVX2)

/* 32-bit products (never vpmaddubsw, whose int16 pair sums saturate),
   vectorized by LLVM for the model's CPU. */
QK_SCALAR_TILE(qk_tile_conv, int8_t, uint8_t, QUANT_AVX2_MR, QUANT_AVX2_NC, 1)
QK_SCALAR_TILE(qk_tile_gemm, uint8_t, int8_t, QUANT_AVX2_MR, QUANT_AVX2_NC, 0)
QK_DRIVERS(avx2, QUANT_AVX2_MR, QUANT_AVX2_NC)

#elif defined(QK_ISA_DOTPROD)

/* sdot by lane: 8 x 12 tile, 24 accumulators. Each k-quad loads 3 vectors
   of 4 columns' quads and 2 vectors of 4 rows' quads; row r multiplies
   every column vector by its own quad (lane r % 4). */
#define QK_SDOT_ROW(R, ROWS, LANE)                                             \
  for (int v = 0; v < NV; ++v)                                                 \
    c[R][v] = vdotq_laneq_s32(c[R][v], x[v], ROWS, LANE);
QK_INLINE void qk_tile_sdot(const int8_t *rows, const int8_t *cols,
                            const int64_t *off, int direct, int64_t kgs,
                            int32_t *acc) {
  enum { MR = QUANT_DOTPROD_MR, NV = QUANT_DOTPROD_NC / 4 };
  int32x4_t c[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v)
      c[r][v] = vdupq_n_s32(0);
  for (int64_t k = 0; k < kgs; ++k) {
    const int8_t *ck = direct ? cols + off[k] : cols + k * NV * 16;
    int8x16_t x[NV];
    for (int v = 0; v < NV; ++v)
      x[v] = vld1q_s8(ck + v * 16);
    int8x16_t lo = vld1q_s8(rows + k * MR * 4);
    int8x16_t hi = vld1q_s8(rows + k * MR * 4 + 16);
    QK_SDOT_ROW(0, lo, 0) QK_SDOT_ROW(1, lo, 1)
    QK_SDOT_ROW(2, lo, 2) QK_SDOT_ROW(3, lo, 3)
    QK_SDOT_ROW(4, hi, 0) QK_SDOT_ROW(5, hi, 1)
    QK_SDOT_ROW(6, hi, 2) QK_SDOT_ROW(7, hi, 3)
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v)
      vst1q_s32(acc + r * NV * 4 + v * 4, c[r][v]);
}
QK_S8_TILES(qk_tile_sdot)
QK_DRIVERS(dotprod, QUANT_DOTPROD_MR, QUANT_DOTPROD_NC)

#elif defined(QK_ISA_I8MM)

/* smmla: 8 x 8 tile as 4 x 4 blocks of 2 x 2, 16 accumulators. A k-octet
   of a rows (cols) panel is 4 vectors, each two rows' (columns') 8 bytes,
   exactly smmla's 2 x 8 operands; block (i, j) holds rows 2i, 2i+1 by
   columns 2j, 2j+1 as [r0c0, r0c1, r1c0, r1c1]. */
QK_INLINE void qk_tile_smmla(const int8_t *rows, const int8_t *cols,
                             const int64_t *off, int direct, int64_t kgs,
                             int32_t *acc) {
  enum { MR = QUANT_I8MM_MR, NC = QUANT_I8MM_NC, RB = MR / 2, CB = NC / 2 };
  int32x4_t c[RB][CB];
  for (int i = 0; i < RB; ++i)
    for (int j = 0; j < CB; ++j)
      c[i][j] = vdupq_n_s32(0);
  for (int64_t k = 0; k < kgs; ++k) {
    int8x16_t a[RB], b[CB];
    for (int i = 0; i < RB; ++i)
      a[i] = vld1q_s8(rows + (k * RB + i) * 16);
    const int8_t *ck = direct ? cols + off[k] : cols + k * CB * 16;
    for (int j = 0; j < CB; ++j)
      b[j] = vld1q_s8(ck + j * 16);
    for (int i = 0; i < RB; ++i)
      for (int j = 0; j < CB; ++j)
        c[i][j] = vmmlaq_s32(c[i][j], a[i], b[j]);
  }
  for (int i = 0; i < RB; ++i)
    for (int j = 0; j < CB; ++j) {
      vst1_s32(acc + (2 * i) * NC + 2 * j, vget_low_s32(c[i][j]));
      vst1_s32(acc + (2 * i + 1) * NC + 2 * j, vget_high_s32(c[i][j]));
    }
}
QK_S8_TILES(qk_tile_smmla)
QK_DRIVERS(i8mm, QUANT_I8MM_MR, QUANT_I8MM_NC)

#else /* generic */

QK_SCALAR_TILE(qk_tile_conv, int8_t, uint8_t, QUANT_GENERIC_MR,
               QUANT_GENERIC_NC, 1)
QK_SCALAR_TILE(qk_tile_gemm, uint8_t, int8_t, QUANT_GENERIC_MR,
               QUANT_GENERIC_NC, 0)
QK_DRIVERS(generic, QUANT_GENERIC_MR, QUANT_GENERIC_NC)

#endif

/*===- int4 layers (docs/Numerics.md, "int4 weights") ---------------------===*
 * Portable C for every ISA (LLVM vectorizes the strips for the copy's
 * target). Weights stay packed: each is unpacked to a register right before
 * its multiply. The float steps are the reference's, in its order; this
 * file is compiled with -ffp-contract=off, so none is fused.
 *===----------------------------------------------------------------------===*/

#if defined(QK_ISA_AVX512VNNI)
#define QK_ISA_NAME avx512vnni
#elif defined(QK_ISA_AVXVNNI)
#define QK_ISA_NAME avxvnni
#elif defined(QK_ISA_AVX2)
#define QK_ISA_NAME avx2
#elif defined(QK_ISA_DOTPROD)
#define QK_ISA_NAME dotprod
#elif defined(QK_ISA_I8MM)
#define QK_ISA_NAME i8mm
#else
#define QK_ISA_NAME generic
#endif
#define QK_CAT2(a, b) a##b
#define QK_CAT(a, b) QK_CAT2(a, b)

/* Weight (o, k) of a packed [ceil(O/2)][K] matrix. */
QK_INLINE int32_t qk_w4(const int8_t *w, int64_t k, int64_t o, int64_t kk) {
  /* Shifts on the unsigned byte (a negative value shifted left is
     undefined in C); the int8_t conversions wrap (two's complement). */
  uint8_t byte = (uint8_t)w[(o >> 1) * k + kk];
  return (o & 1) ? (int32_t)((int8_t)byte >> 4)
                 : (int32_t)((int8_t)(uint8_t)(byte << 4) >> 4);
}

void QK_CAT(_mlir_ciface_quant_w4conv2d_, QK_ISA_NAME)(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_f32 *bias, quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  const int64_t *p = params->aligned + params->offset;
  const int8_t *in = input->aligned + input->offset;
  const int8_t *w = weights->aligned + weights->offset;
  const float *c = scales->aligned + scales->offset;
  const float *b = bias->aligned + bias->offset;
  float *out = output->aligned + output->offset;
  int16_t *cols = (int16_t *)(void *)(scratch->aligned + scratch->offset);
  int64_t ic = p[QUANT_QCONV_IC], ih = p[QUANT_QCONV_IH],
          iw = p[QUANT_QCONV_IW], oc = p[QUANT_QCONV_OC],
          ow = p[QUANT_QCONV_OW], kh = p[QUANT_QCONV_KH],
          kw = p[QUANT_QCONV_KW];
  int64_t spatial = p[QUANT_QCONV_OH] * ow, k = ic * kh * kw;
  int64_t gk = p[QUANT_W4CONV_GROUP_K], groups = k / gk;
  int32_t zp = (int32_t)p[QUANT_QCONV_IN_ZP];
  int64_t strips = (spatial + QUANT_W4_STRIP - 1) / QUANT_W4_STRIP;
  int parallel = p[QUANT_QCONV_PARALLEL] && oc * spatial * k >= QK_PARALLEL_MACS &&
                 strips > 1;
  (void)parallel;
  for (int64_t n = 0; n < p[QUANT_QCONV_BATCH]; ++n) {
    const int8_t *image = in + n * ic * ih * iw;
    float *result = out + n * oc * spatial;
    _Pragma("omp parallel for schedule(static) if(parallel)")
    for (int64_t s = 0; s < strips; ++s) {
      int16_t *col = cols + s * k * QUANT_W4_STRIP;
      int64_t p0 = s * QUANT_W4_STRIP;
      int64_t len = qk_min(QUANT_W4_STRIP, spatial - p0);
      /* im2col of the strip: x - zp, 0 in the padding. */
      for (int64_t kk = 0; kk < k; ++kk) {
        int64_t ci = kk / (kh * kw), r = kk / kw % kh, t = kk % kw;
        const int8_t *plane = image + ci * ih * iw;
        int16_t *dst = col + kk * QUANT_W4_STRIP;
        /* Output row by output row: one input row per run. */
        int64_t y = p0 / ow, x = p0 % ow;
        for (int64_t q = 0; q < len; x = 0, ++y) {
          int64_t run = qk_min(ow - x, len - q);
          int64_t iy = y * p[QUANT_QCONV_SH] - p[QUANT_QCONV_PAD_TOP] +
                       r * p[QUANT_QCONV_DH];
          int rowInside = iy >= 0 && iy < ih;
          const int8_t *src = plane + (rowInside ? iy : 0) * iw;
          for (int64_t i = 0; i < run; ++i) {
            int64_t ix = (x + i) * p[QUANT_QCONV_SW] -
                         p[QUANT_QCONV_PAD_LEFT] + t * p[QUANT_QCONV_DW];
            dst[q + i] = rowInside && ix >= 0 && ix < iw
                             ? (int16_t)(src[ix] - zp)
                             : 0;
          }
          q += run;
        }
        /* The last strip's tail: computed over full strips, never stored. */
        for (int64_t q = len; q < QUANT_W4_STRIP; ++q)
          col[kk * QUANT_W4_STRIP + q] = 0;
      }
      for (int64_t o = 0; o < oc; ++o) {
        float acc[QUANT_W4_STRIP];
        int32_t sum[QUANT_W4_STRIP];
        for (int64_t q = 0; q < QUANT_W4_STRIP; ++q)
          acc[q] = 0.0f;
        for (int64_t g = 0; g < groups; ++g) {
          for (int64_t q = 0; q < QUANT_W4_STRIP; ++q)
            sum[q] = 0;
          for (int64_t kk = g * gk; kk < (g + 1) * gk; ++kk) {
            int32_t wv = qk_w4(w, k, o, kk);
            const int16_t *row = col + kk * QUANT_W4_STRIP;
            for (int64_t q = 0; q < QUANT_W4_STRIP; ++q)
              sum[q] += wv * (int32_t)row[q];
          }
          float cg = c[o * groups + g];
          for (int64_t q = 0; q < QUANT_W4_STRIP; ++q)
            acc[q] = acc[q] + (float)sum[q] * cg;
        }
        float bo = b[o];
        for (int64_t q = 0; q < len; ++q)
          result[o * spatial + p0 + q] = acc[q] + bo;
      }
    }
  }
}

/* Rows per block and weights per unpacked chunk of the int4 GEMM. */
#define QK_W4_ROWS 64
#define QK_W4_CHUNK 256

void QK_CAT(_mlir_ciface_quant_w4gemm_, QK_ISA_NAME)(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_f32 *bias, quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  (void)scratch;
  const int64_t *p = params->aligned + params->offset;
  const int8_t *x = input->aligned + input->offset;
  const int8_t *w = weights->aligned + weights->offset;
  const float *c = scales->aligned + scales->offset;
  const float *bi = bias->aligned + bias->offset;
  float *out = output->aligned + output->offset;
  int64_t rows = p[QUANT_QGEMM_B], k = p[QUANT_QGEMM_K], n = p[QUANT_QGEMM_N];
  int64_t gk = p[QUANT_W4GEMM_GROUP_K], groups = k / gk;
  int32_t zp = (int32_t)p[QUANT_QGEMM_IN_ZP];
  int64_t blocks = (rows + QK_W4_ROWS - 1) / QK_W4_ROWS;
  int parallel = p[QUANT_QGEMM_PARALLEL] && rows * n * k >= QK_PARALLEL_MACS;
  (void)parallel;
  /* One output channel and block of rows at a time: each chunk of a group's
     weights is unpacked once (to 16-bit lanes) and serves every row. */
  _Pragma("omp parallel for schedule(static) if(parallel)")
  for (int64_t job = 0; job < n * blocks; ++job) {
    int64_t o = job / blocks, r0 = job % blocks * QK_W4_ROWS;
    int64_t nr = qk_min(QK_W4_ROWS, rows - r0);
    const int8_t *pair = w + (o >> 1) * k;
    int shift = (o & 1) ? 0 : 4;
    float acc[QK_W4_ROWS];
    int32_t sum[QK_W4_ROWS];
    int16_t unpacked[QK_W4_CHUNK];
    for (int64_t m = 0; m < nr; ++m)
      acc[m] = 0.0f;
    for (int64_t g = 0; g < groups; ++g) {
      for (int64_t m = 0; m < nr; ++m)
        sum[m] = 0;
      for (int64_t j0 = g * gk; j0 < (g + 1) * gk; j0 += QK_W4_CHUNK) {
        int64_t len = qk_min(QK_W4_CHUNK, (g + 1) * gk - j0);
        for (int64_t j = 0; j < len; ++j)
          unpacked[j] = (int16_t)(
              (int8_t)(uint8_t)((uint8_t)pair[j0 + j] << shift) >> 4);
        for (int64_t m = 0; m < nr; ++m) {
          const int8_t *row = x + (r0 + m) * k + j0;
          int32_t s = 0;
          for (int64_t j = 0; j < len; ++j)
            s += ((int32_t)row[j] - zp) * (int32_t)unpacked[j];
          sum[m] += s;
        }
      }
      float cg = c[o * groups + g];
      for (int64_t m = 0; m < nr; ++m)
        acc[m] = acc[m] + (float)sum[m] * cg;
    }
    for (int64_t m = 0; m < nr; ++m)
      out[(r0 + m) * n + o] = acc[m] + bi[o];
  }
}
