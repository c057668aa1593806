/*===- qk_common.h - What every int8/int4 kernel file shares ---------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * Internal to runtime/kernels (quant_int8_kernels.h is the contract): the
 * requantization epilogue, the repacking of convolution inputs, the packing
 * of GEMM activations. Everything is a static inline function that takes
 * the instruction set's constants (k-group bytes `kg`, activation XOR
 * `flip`, tile sizes `mr`/`nc`) as arguments; the callers pass literals,
 * so each copy is specialised as if they were written in.
 *
 * Integer arithmetic is exactly the reference lowering's: int32
 * accumulation wrapping modulo 2^32, then QuantMath's requantization.
 * Signed right shifts are arithmetic (clang, gcc on every target we build
 * for).
 *
 * The kernels are built freestanding (no C library headers, so the AArch64
 * copies need no cross sysroot): memcpy/memset are the compiler's builtins.
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_KERNELS_QK_COMMON_H
#define QUANT_KERNELS_QK_COMMON_H

#include "quant_int8_kernels.h"

#include <stddef.h>

#define memcpy __builtin_memcpy
#define memset __builtin_memset

#define QK_INLINE static inline __attribute__((always_inline, unused))

/* The XOR applied to activations when they are packed: 0x80 shifts s8 to
   u8 for vpdpbusd's unsigned operand (x86-64 and the generic kernels), 0
   keeps s8 for sdot/smmla (QUANT_ISA_SIGNED_ACTIVATIONS). */
#define QK_FLIP_U8 0x80
#define QK_FLIP_S8 0

/* The largest k-group (i8mm). */
#define QK_MAX_KG 8

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

/* The first element of a 1-D memref descriptor. */
#define QK_DATA(m) ((m)->aligned + (m)->offset)

/* An int8 kernel's operands (quant_int8_kernel), out of their memref
   descriptors. */
struct qk_int8_operands {
  const int8_t *in, *w;
  const int32_t *bias, *mult, *shift;
  int8_t *out;
  uint8_t *scratch;
  const int64_t *p;
};

QK_INLINE struct qk_int8_operands
qk_unwrap_int8(quant_memref_i8 *input, quant_memref_i8 *weights,
               quant_memref_i32 *bias, quant_memref_i32 *multiplier,
               quant_memref_i32 *shift, quant_memref_i8 *output,
               quant_memref_u8 *scratch, quant_memref_i64 *params) {
  struct qk_int8_operands o = {
      QK_DATA(input), QK_DATA(weights), QK_DATA(bias),    QK_DATA(multiplier),
      QK_DATA(shift), QK_DATA(output),  QK_DATA(scratch), QK_DATA(params)};
  return o;
}

/*===- The epilogue -------------------------------------------------------===*/

struct qk_epilogue {
  const int32_t *bias, *mult, *shift;
  int8_t *out;
  int64_t ldo; /* out row stride */
  int64_t rows, cols;
  int32_t zp, qmin, qmax;
  int channel_on_rows;
};

/* The epilogue of the rows x cols output block `out` (row stride cols),
   its channel the row (a convolution) or the column (a GEMM); `grid` is
   the output zero point, qmin and qmax (consecutive in both kernels'
   params). */
QK_INLINE struct qk_epilogue qk_epilogue_at(const struct qk_int8_operands *o,
                                            int8_t *out, int64_t rows,
                                            int64_t cols, const int64_t *grid,
                                            int channel_on_rows) {
  struct qk_epilogue e = {o->bias, o->mult, o->shift, out, cols, rows, cols,
                          (int32_t)grid[0], (int32_t)grid[1],
                          (int32_t)grid[2], channel_on_rows};
  return e;
}

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
 * cols panel's k-group (cg, y, x) is then NC consecutive kg-byte columns
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

QK_INLINE struct qk_direct qk_direct_geometry(const int64_t *p, int64_t nc,
                                              int64_t kg) {
  struct qk_direct d;
  d.layout = quant_qconv_layout(p, nc);
  d.cg = (p[QUANT_QCONV_IC] + kg - 1) / kg;
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
                                 int64_t kg, int64_t *off) {
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
                 kg;
}

/* The kg input planes of channel group c (plane stride `plane` from
   `src`): channels past IC read as channel IC - 1 (any value: their
   weights are 0). */
QK_INLINE void qk_group_planes(const int8_t *src, int64_t plane, int64_t c,
                               int64_t ic, int64_t kg,
                               const int8_t *s[QK_MAX_KG]) {
  for (int64_t i = 0; i < kg; ++i)
    s[i] = src + (c * kg + i < ic ? i : ic - 1 - c * kg) * plane;
}

/* `n` columns of channel group c: dst[x][i] = src[i * plane + x] ^ flip. */
QK_INLINE void qk_interleave(const int8_t *src, int64_t plane, int64_t c,
                             int64_t ic, uint8_t *dst, int64_t n, int64_t kg,
                             int flip) {
  const int8_t *s[QK_MAX_KG];
  qk_group_planes(src, plane, c, ic, kg, s);
  if (kg == 4) {
    const int8_t *s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
    for (int64_t x = 0; x < n; ++x) {
      dst[x * 4] = (uint8_t)(s0[x] ^ flip);
      dst[x * 4 + 1] = (uint8_t)(s1[x] ^ flip);
      dst[x * 4 + 2] = (uint8_t)(s2[x] ^ flip);
      dst[x * 4 + 3] = (uint8_t)(s3[x] ^ flip);
    }
    return;
  }
  for (int64_t x = 0; x < n; ++x)
    for (int64_t i = 0; i < kg; ++i)
      dst[x * kg + i] = (uint8_t)(s[i][x] ^ flip);
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
                               const int64_t *p, int64_t c, int64_t kg,
                               int flip) {
  int64_t plane = p[QUANT_QCONV_IH] * p[QUANT_QCONV_IW];
  qk_interleave(in + c * kg * plane, plane, c, p[QUANT_QCONV_IC],
                buf + c * plane * kg, plane, kg, flip);
}

/* Padded row r of channel group c of the repacked buffer (all SW phases):
   input channels [c*kg, c*kg + kg) of image `in`, XORed with `flip`, the
   zero point outside the image. */
QK_INLINE void qk_repack_row(const int8_t *in, uint8_t *buf, const int64_t *p,
                             const struct qk_direct *d, int64_t c, int64_t r,
                             int64_t kg, int flip) {
  int64_t ic = p[QUANT_QCONV_IC], ih = p[QUANT_QCONV_IH],
          iw = p[QUANT_QCONV_IW], pl = p[QUANT_QCONV_PAD_LEFT];
  int64_t iy = r - p[QUANT_QCONV_PAD_TOP];
  uint8_t pad = (uint8_t)((int8_t)p[QUANT_QCONV_IN_ZP] ^ flip);
  uint8_t *dst = buf + (c * d->ph + r) * d->sw * d->pws * kg;
  int64_t bytes = d->sw * d->pws * kg;
  if (iy < 0 || iy >= ih) {
    memset(dst, pad, (size_t)bytes);
    return;
  }
  /* Padded columns [lo, hi) are inside the image (hi > lo implies lo ==
     pl: padded column lo + x is input column x). */
  int64_t lo = qk_min(pl, d->pw), hi = qk_min(pl + iw, d->pw);
  hi = hi < lo ? lo : hi;
  const int8_t *src = in + (c * kg * ih + iy) * iw;
  if (d->sw == 1) {
    memset(dst, pad, (size_t)(lo * kg));
    qk_interleave(src, ih * iw, c, ic, dst + lo * kg, hi - lo, kg, flip);
    memset(dst + hi * kg, pad, (size_t)(bytes - hi * kg));
    return;
  }
  /* Strided: column by column, phase by phase. */
  const int8_t *s[QK_MAX_KG];
  qk_group_planes(src, ih * iw, c, ic, kg, s);
  for (int64_t phase = 0; phase < d->sw; ++phase)
    for (int64_t j = 0; j < d->pws; ++j) {
      uint8_t *o = dst + (phase * d->pws + j) * kg;
      int64_t x = j * d->sw + phase;
      int inside = x >= lo && x < hi;
      for (int64_t i = 0; i < kg; ++i)
        o[i] = inside ? (uint8_t)(s[i][x - pl] ^ flip) : pad;
    }
}

/* Output row oy of k-group g = (c, y, x) of the im2col buffer (strided
   convolutions): OW columns of kg channels, the zero point outside the
   image; channels past IC read channel IC - 1 (their weights are 0). */
QK_INLINE void qk_im2col_row(const int8_t *in, uint8_t *buf, const int64_t *p,
                             int64_t g, int64_t oy, int64_t kg, int flip) {
  int64_t ic = p[QUANT_QCONV_IC], ih = p[QUANT_QCONV_IH],
          iw = p[QUANT_QCONV_IW], ow = p[QUANT_QCONV_OW],
          kh = p[QUANT_QCONV_KH], kw = p[QUANT_QCONV_KW],
          sw = p[QUANT_QCONV_SW];
  int64_t c = g / (kh * kw), y = g / kw % kh, x = g % kw;
  int64_t iy = oy * p[QUANT_QCONV_SH] - p[QUANT_QCONV_PAD_TOP] +
               y * p[QUANT_QCONV_DH];
  int64_t x0 = x * p[QUANT_QCONV_DW] - p[QUANT_QCONV_PAD_LEFT];
  uint8_t pad = (uint8_t)((int8_t)p[QUANT_QCONV_IN_ZP] ^ flip);
  uint8_t *dst = buf + (g * p[QUANT_QCONV_OH] + oy) * ow * kg;
  if (iy < 0 || iy >= ih) {
    memset(dst, pad, (size_t)(ow * kg));
    return;
  }
  const int8_t *s[QK_MAX_KG];
  qk_group_planes(in + (c * kg * ih + iy) * iw, ih * iw, c, ic, kg, s);
  /* Columns [lo, hi) read inside the image: x0 + j * sw in [0, iw). */
  int64_t lo = qk_min(ow, x0 >= 0 ? 0 : (-x0 + sw - 1) / sw);
  int64_t hi = x0 >= iw ? 0 : qk_min(ow, (iw - x0 + sw - 1) / sw);
  hi = hi < lo ? lo : hi;
  memset(dst, pad, (size_t)(lo * kg));
  memset(dst + hi * kg, pad, (size_t)((ow - hi) * kg));
  for (int64_t j = lo; j < hi; ++j)
    for (int64_t i = 0; i < kg; ++i)
      dst[j * kg + i] = (uint8_t)(s[i][x0 + j * sw] ^ flip);
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
                                 const struct qk_direct *d, int64_t kg) {
  if (d->layout != QUANT_QCONV_PHASES)
    return t * nc * kg;
  int64_t y = t / d->tiles_per_row, x0 = t % d->tiles_per_row * nc;
  return ((y * p[QUANT_QCONV_SH] * d->sw) * d->pws + x0) * kg;
}

/*===- Depthwise convolution (qk_dwconv_drivers.h) ------------------------===*
 * Window expansion helpers (a window entry holds the 4 inputs that taps
 * 4g .. 4g+3 of one output column read) and the requantization constants
 * of the vector row loops.
 *===----------------------------------------------------------------------===*/

/* Output columns per chunk of a row, and the widest vector of a row loop
   (in outputs). */
#define QK_DW_CHUNK 256
#define QK_DW_MAX_LANES 16
/* Bytes a window expansion of n entries may read from the first entry's
   first tap on: n * sw + 3 * dw + QK_DW_READ_SLACK (qk_dw_inside). */
#define QK_DW_READ_SLACK 64
/* Bytes of a padded line (qk_dw_expand_c). */
#define QK_DW_MAX_LINE                                                         \
  ((QK_DW_CHUNK + QK_DW_MAX_LANES) * QUANT_QDWCONV_MAX_SW +                    \
   3 * QUANT_QDWCONV_MAX_DW + 1)

/* The windows of n entries of 4 bytes from src, in plain C:
   dst[4i + t] = src[i*sw + t*dw] ^ flip. */
QK_INLINE void qk_dw_windows_c(uint8_t *dst, const int8_t *src, int64_t n,
                               int64_t sw, int64_t dw, int flip) {
  if (sw == 1 && dw == 1) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < 4; ++t)
        dst[4 * i + t] = (uint8_t)(src[i + t] ^ flip);
  } else if (sw == 2 && dw == 1) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < 4; ++t)
        dst[4 * i + t] = (uint8_t)(src[2 * i + t] ^ flip);
  } else {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < 4; ++t)
        dst[4 * i + t] = (uint8_t)(src[i * sw + t * dw] ^ flip);
  }
}

/* n entries of the window of input row `row` from column c (any integer)
   on, the row padded with zs, through a padded copy of the row: for rows
   whose vector expansion would read outside the input tensor, and strides
   and dilations the vector expansions do not take. */
QK_INLINE void qk_dw_expand_c(uint8_t *dst, const int8_t *row, int64_t c,
                              int64_t iw, int8_t zs, int64_t n, int64_t sw,
                              int64_t dw, int flip) {
  int8_t line[QK_DW_MAX_LINE];
  int64_t span = (n - 1) * sw + 3 * dw + 1;
  /* line[j] = row[c + j]: inside the row for j in [lo, hi). */
  int64_t lo = qk_min(span, c < 0 ? -c : 0);
  int64_t hi = qk_min(span, iw - c);
  hi = hi < lo ? lo : hi;
  memset(line, zs, (size_t)lo);
  if (hi > lo)
    memcpy(line + lo, row + c + lo, (size_t)(hi - lo));
  memset(line + hi, zs, (size_t)(span - hi));
  qk_dw_windows_c(dst, line, n, sw, dw, flip);
}

/* Whether the tensor of `size` elements from `base` holds the bytes a
   window expansion of n entries may read from column c of `row` on: it
   may then read past the row's ends, into the neighbouring rows, and
   mend the entries that reach outside the row (qk_dw_edges,
   qk_dw_patch). */
QK_INLINE int qk_dw_inside(const int8_t *row, int64_t c, int64_t n, int64_t sw,
                           int64_t dw, const int8_t *base, int64_t size) {
  int64_t at = (row - base) + c;
  return at >= 0 && at + n * sw + 3 * dw + QK_DW_READ_SLACK <= size;
}

/* The blocks of `lanes` entries (of n) whose taps reach outside columns
   [0, iw) of a row, windows from column c on: edge[b] says whether block b
   does, and then mask[b * lanes * 4 + 4e + t] is 0xff where its entry e's
   tap t does (those bytes take the padding), 0 elsewhere. */
QK_INLINE void qk_dw_edges(uint8_t *mask, uint8_t *edge, int64_t c, int64_t iw,
                           int64_t n, int64_t sw, int64_t dw, int64_t lanes) {
  for (int64_t b = 0; b < n / lanes; ++b) {
    int64_t first = c + b * lanes * sw,
            last = first + (lanes - 1) * sw + 3 * dw;
    edge[b] = first < 0 || last >= iw;
    if (!edge[b])
      continue;
    for (int64_t e = 0; e < lanes; ++e)
      for (int64_t t = 0; t < 4; ++t) {
        int64_t x = first + e * sw + t * dw;
        mask[(b * lanes + e) * 4 + t] = x < 0 || x >= iw ? 0xff : 0;
      }
  }
}

/* After windows were expanded from the row as if it went on both ways:
   the taps of entries i < n outside columns [0, iw) get the padding's
   stored value (the entries whose first tap is left of the row, and those
   whose fourth is right of it). */
QK_INLINE void qk_dw_patch(uint8_t *dst, int64_t c, int64_t iw, uint8_t pad,
                           int64_t n, int64_t sw, int64_t dw) {
  for (int64_t i = 0; i < n && c + i * sw < 0; ++i)
    for (int64_t t = 0; t < 4; ++t)
      if (c + i * sw + t * dw < 0 || c + i * sw + t * dw >= iw)
        dst[4 * i + t] = pad;
  for (int64_t i = n - 1; i >= 0 && c + i * sw + 3 * dw >= iw; --i)
    for (int64_t t = 0; t < 4; ++t)
      if (c + i * sw + t * dw < 0 || c + i * sw + t * dw >= iw)
        dst[4 * i + t] = pad;
}

/* The byte shuffle that expands 4 window entries from the 16 row bytes
   from the first entry's on (sw + dw <= 5): byte 4e + t is byte
   e*sw + t*dw. */
QK_INLINE void qk_dw_window_shuffle(uint8_t ctl[16], int64_t sw, int64_t dw) {
  for (int64_t e = 0; e < 4; ++e)
    for (int64_t t = 0; t < 4; ++t)
      ctl[4 * e + t] = (uint8_t)(e * sw + t * dw);
}

/* The requantization of one channel, for vector epilogues. In general:
   the accumulator clamped to [alo, ahi], which changes no result (out of
   it, the result saturates either way) and makes
   v = (acc * mult + round) >> shift fit int32; v clamped to
   [lo, hi] = [QMIN - zp, QMAX - zp]; zp added. With `fast` (shift in
   [32, 53]) no accumulator clamp is needed, and the zero point can be
   folded into the rounding term: (acc * mult + round_zp) >> shift, with
   round_zp = round + zp * 2^shift (|acc * mult| + |round_zp| < 2^63), is
   v + zp, which fits int32; it is clamped to [QMIN, QMAX]. Either way
   equal to qk_requantize for every accumulator. */
struct qk_dw_requant {
  int32_t mult, shift;
  int64_t round, round_zp;
  int32_t alo, ahi;
  int32_t lo, hi, zp;
  int fast;
};

QK_INLINE struct qk_dw_requant qk_dw_requant_at(int32_t mult, int32_t shift,
                                                const int64_t *p) {
  struct qk_dw_requant r;
  int64_t zp = p[QUANT_QCONV_OUT_ZP];
  r.mult = mult;
  r.shift = shift;
  r.round = (int64_t)1 << (shift - 1);
  r.lo = (int32_t)(p[QUANT_QCONV_QMIN] - zp);
  r.hi = (int32_t)(p[QUANT_QCONV_QMAX] - zp);
  r.zp = (int32_t)zp;
  r.fast = shift >= 32 && shift <= 53;
  r.round_zp = r.fast ? r.round + zp * ((int64_t)1 << shift) : r.round;
  r.alo = -2147483647 - 1;
  r.ahi = 2147483647;
  /* With shift >= 32 every v fits int32: |acc * mult| <= 2^62. Below,
     outside +-a = ceil(b * 2^shift / |mult|), with b > |lo|, |hi|, every v
     has magnitude >= b and the sign of acc * mult: it saturates, as v at
     +-a does; inside, |v| <= b + 2^30 + 1. Where a would not fit int32,
     |v| <= b + 1 everywhere. */
  if (shift < 32 && mult != 0) {
    int64_t b = (r.lo < 0 ? -(int64_t)r.lo : r.lo);
    int64_t bh = (r.hi < 0 ? -(int64_t)r.hi : r.hi);
    b = (b > bh ? b : bh) + 1;
    int64_t m = mult < 0 ? -(int64_t)mult : mult;
    int64_t a = ((b << shift) + m - 1) / m;
    if (a <= 2147483647) {
      r.alo = (int32_t)-a;
      r.ahi = (int32_t)a;
    }
  }
  return r;
}

/*===- GEMM ---------------------------------------------------------------===*/

/* The activations of a GEMM [B][K] (XORed with `flip`) as rows panels
   [B/MR][KGS][MR][KG]. */
QK_INLINE void qk_pack_rows(const int8_t *in, uint8_t *rows, int64_t b,
                            int64_t k, int64_t mr, int64_t kg, int flip) {
  int64_t groups = (k + kg - 1) / kg, blocks = (b + mr - 1) / mr;
  memset(rows, 0, (size_t)(blocks * groups * mr * kg));
  for (int64_t r = 0; r < b; ++r) {
    uint8_t *dst = rows + (r / mr) * groups * mr * kg + (r % mr) * kg;
    for (int64_t kk = 0; kk < k; ++kk)
      dst[(kk / kg) * mr * kg + kk % kg] = (uint8_t)(in[r * k + kk] ^ flip);
  }
}

#endif /* QUANT_KERNELS_QK_COMMON_H */
