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

/* Requantizes the valid part of an mr x nc accumulator tile (row stride
   `nc`) at (r0, c0). */
QK_INLINE void qk_store_tile(const int32_t *acc, int64_t mr, int64_t nc,
                             int64_t r0, int64_t c0,
                             const struct qk_epilogue *e) {
  int64_t nr = qk_min(mr, e->rows - r0), ncv = qk_min(nc, e->cols - c0);
  for (int64_t r = 0; r < nr; ++r) {
    int8_t *o = e->out + (r0 + r) * e->ldo + c0;
    const int32_t *a = acc + r * nc;
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

/* The widest cols panel of any ISA (checked below). */
#define QK_PANEL_NC 48

/* Rows [k0, k0 + count) of the im2col matrix of image `in` (NCHW) for
   columns [p0, p0 + ncv) of OH*OW, raw i8, into tmp[count][nc]: taps
   outside the image and columns past ncv hold the input zero point, rows
   past K hold -128 (their weights are 0). Each output-row segment of a
   row is a memcpy (unit stride) or a strided gather. */
QK_INLINE void qk_im2col_rows(const int8_t *in, int8_t *tmp, const int64_t *p,
                              int64_t p0, int64_t nc, int64_t ncv,
                              int64_t k0, int64_t count) {
  int64_t ih = p[QUANT_QCONV_IH], iw = p[QUANT_QCONV_IW],
          ow = p[QUANT_QCONV_OW], kh = p[QUANT_QCONV_KH],
          kw = p[QUANT_QCONV_KW], sh = p[QUANT_QCONV_SH],
          sw = p[QUANT_QCONV_SW], dh = p[QUANT_QCONV_DH],
          dw = p[QUANT_QCONV_DW], pt = p[QUANT_QCONV_PAD_TOP],
          pl = p[QUANT_QCONV_PAD_LEFT];
  int64_t k = p[QUANT_QCONV_IC] * kh * kw;
  int8_t zp = (int8_t)p[QUANT_QCONV_IN_ZP];
  /* The panel's columns as segments of one output row each (computed once;
     the divisions are out of the per-row loop). */
  int64_t segC[QK_PANEL_NC], segOh[QK_PANEL_NC], segOw[QK_PANEL_NC],
      segRun[QK_PANEL_NC];
  int64_t segments = 0;
  for (int64_t c = 0, oh = p0 / ow, ow0 = p0 % ow; c < ncv; ++segments) {
    int64_t run = qk_min(ow - ow0, ncv - c);
    segC[segments] = c;
    segOh[segments] = oh;
    segOw[segments] = ow0;
    segRun[segments] = run;
    c += run;
    ow0 = 0;
    ++oh;
  }
  /* Row kk = (ci, y, x) of the kernel window, advanced incrementally. */
  int64_t ci = k0 / (kh * kw), y = k0 / kw % kh, x = k0 % kw;
  for (int64_t t = 0; t < count; ++t) {
    int8_t *row = tmp + t * nc;
    if (k0 + t >= k) {
      memset(row, 0x80, (size_t)nc);
      continue;
    }
    const int8_t *plane = in + ci * ih * iw;
    for (int64_t s = 0; s < segments; ++s) {
      int64_t run = segRun[s];
      int64_t r = segOh[s] * sh - pt + y * dh;
      int64_t base = segOw[s] * sw - pl + x * dw;
      int8_t *dst = row + segC[s];
      if (r < 0 || r >= ih) {
        memset(dst, zp, (size_t)run);
      } else if (sw == 1) {
        const int8_t *src = plane + r * iw;
        int64_t lo = base < 0 ? qk_min(-base, run) : 0;
        int64_t hi = qk_min(run, iw - base);
        hi = hi < lo ? lo : hi;
        if (lo)
          memset(dst, zp, (size_t)lo);
        memcpy(dst + lo, src + base + lo, (size_t)(hi - lo));
        if (run > hi)
          memset(dst + hi, zp, (size_t)(run - hi));
      } else {
        const int8_t *src = plane + r * iw;
        for (int64_t j = 0; j < run; ++j) {
          int64_t at = base + j * sw;
          dst[j] = at >= 0 && at < iw ? src[at] : zp;
        }
      }
    }
    if (nc > ncv)
      memset(row + ncv, zp, (size_t)(nc - ncv));
    if (++x == kw) {
      x = 0;
      if (++y == kh) {
        y = 0;
        ++ci;
      }
    }
  }
}

/* Interleaves QK_KG rows of nc bytes into one k-group of a cols panel:
   dst[c][i] = rows[i][c] ^ QK_FLIP. */
QK_INLINE void qk_interleave(const int8_t *const *rows, uint8_t *dst,
                             int64_t nc) {
#if QK_KG == 4
  const int8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3];
  for (int64_t c = 0; c < nc; ++c) {
    dst[c * 4] = (uint8_t)(r0[c] ^ QK_FLIP);
    dst[c * 4 + 1] = (uint8_t)(r1[c] ^ QK_FLIP);
    dst[c * 4 + 2] = (uint8_t)(r2[c] ^ QK_FLIP);
    dst[c * 4 + 3] = (uint8_t)(r3[c] ^ QK_FLIP);
  }
#else
  for (int64_t c = 0; c < nc; ++c)
    for (int i = 0; i < QK_KG; ++i)
      dst[c * QK_KG + i] = (uint8_t)(rows[i][c] ^ QK_FLIP);
#endif
}

/* One cols panel of the im2col matrix of image `in` (NCHW): columns
   [p0, p0 + nc) of OH*OW, XORed with QK_FLIP, built 64 rows at a time in a
   stack buffer (QK_PANEL_NC columns at most). */
#define QK_CHUNK_ROWS 64
_Static_assert(QUANT_GENERIC_NC <= QK_PANEL_NC && QUANT_AVX2_NC <= QK_PANEL_NC &&
                   QUANT_AVXVNNI_NC <= QK_PANEL_NC &&
                   QUANT_AVX512VNNI_NC <= QK_PANEL_NC &&
                   QUANT_DOTPROD_NC <= QK_PANEL_NC &&
                   QUANT_I8MM_NC <= QK_PANEL_NC,
               "panels wider than the packing buffer");
QK_INLINE void qk_pack_im2col_panel(const int8_t *in, uint8_t *panel,
                                    const int64_t *p, int64_t p0,
                                    int64_t nc) {
  int64_t ic = p[QUANT_QCONV_IC], ih = p[QUANT_QCONV_IH],
          iw = p[QUANT_QCONV_IW], oh = p[QUANT_QCONV_OH],
          ow = p[QUANT_QCONV_OW];
  int64_t k = ic * p[QUANT_QCONV_KH] * p[QUANT_QCONV_KW];
  int64_t groups = (k + QK_KG - 1) / QK_KG;
  int64_t ncv = qk_min(nc, oh * ow - p0);
  int pointwise = p[QUANT_QCONV_KH] == 1 && p[QUANT_QCONV_KW] == 1 &&
                  p[QUANT_QCONV_SH] == 1 && p[QUANT_QCONV_SW] == 1 &&
                  p[QUANT_QCONV_PAD_TOP] == 0 &&
                  p[QUANT_QCONV_PAD_LEFT] == 0 && ih == oh && iw == ow &&
                  ncv == nc;
  int8_t tmp[QK_CHUNK_ROWS * QK_PANEL_NC];
  static const int8_t lowest[QK_PANEL_NC] = {
      -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128,
      -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128,
      -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128,
      -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128};
  for (int64_t g0 = 0; g0 < groups; g0 += QK_CHUNK_ROWS / QK_KG) {
    int64_t count = qk_min(QK_CHUNK_ROWS / QK_KG, groups - g0);
    if (!pointwise)
      qk_im2col_rows(in, tmp, p, p0, nc, ncv, g0 * QK_KG, count * QK_KG);
    for (int64_t g = 0; g < count; ++g) {
      const int8_t *rows[QK_KG];
      for (int i = 0; i < QK_KG; ++i) {
        int64_t kk = (g0 + g) * QK_KG + i;
        if (!pointwise)
          rows[i] = tmp + (g * QK_KG + i) * nc;
        else
          rows[i] = kk < k ? in + kk * ih * iw + p0 : lowest;
      }
      qk_interleave(rows, panel + (g0 + g) * nc * QK_KG, nc);
    }
  }
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
#define QK_SCALAR_TILE(NAME, ROWS_T, COLS_T, MR, NC)                           \
  QK_INLINE void NAME(const ROWS_T *rows, const COLS_T *cols, int64_t k4,     \
                      int32_t *acc, int64_t mr) {                              \
    uint32_t c[MR][NC];                                                        \
    memset(c, 0, sizeof(c));                                                   \
    for (int64_t k = 0; k < k4; ++k) {                                         \
      const COLS_T *x = cols + k * NC * 4;                                     \
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

/* The drivers: one convolution (per image: pack a cols panel, then every
   rows block against it) and one GEMM (pack the rows, then every cols
   panel), parallel over panels. */
#define QK_DRIVERS(ISA, MR, NC)                  \
  void _mlir_ciface_quant_qconv2d_##ISA(                                \
      quant_memref_i8 *input, quant_memref_i8 *weights,                        \
      quant_memref_i32 *bias, quant_memref_i32 *multiplier,                    \
      quant_memref_i32 *shift, quant_memref_i8 *output,                        \
      quant_memref_u8 *scratch, quant_memref_i64 *params) {                    \
    const int64_t *p = params->aligned + params->offset;                       \
    const int8_t *in = input->aligned + input->offset;                         \
    const int8_t *w = weights->aligned + weights->offset;                      \
    uint8_t *cols = scratch->aligned + scratch->offset;                        \
    int64_t batch = p[QUANT_QCONV_BATCH], oc = p[QUANT_QCONV_OC];              \
    int64_t spatial = p[QUANT_QCONV_OH] * p[QUANT_QCONV_OW];                   \
    int64_t inImage = p[QUANT_QCONV_IC] * p[QUANT_QCONV_IH] *                  \
                      p[QUANT_QCONV_IW];                                       \
    int64_t k = p[QUANT_QCONV_IC] * p[QUANT_QCONV_KH] * p[QUANT_QCONV_KW];     \
    int64_t kgs = (k + QK_KG - 1) / QK_KG, panels = (spatial + NC - 1) / NC;   \
    int64_t blocks = (oc + MR - 1) / MR;                                       \
    int parallel = p[QUANT_QCONV_PARALLEL] &&                                \
                   oc * spatial * k >= QK_PARALLEL_MACS && panels > 1;         \
    (void)parallel; /* without -fopenmp */                                     \
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
      _Pragma("omp parallel for schedule(static) if(parallel)")                \
      for (int64_t j = 0; j < panels; ++j) {                                   \
        uint8_t *panel = cols + j * kgs * NC * QK_KG;                          \
        qk_pack_im2col_panel(image, panel, p, j * NC, NC);                     \
        int32_t acc[MR * NC] __attribute__((aligned(64)));                     \
        for (int64_t i = 0; i < blocks; ++i) {                                 \
          qk_tile_conv(w + i * kgs * MR * QK_KG, panel, kgs, acc, MR);         \
          qk_store_tile(acc, MR, NC, i * MR, j * NC, &e);                      \
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
                     kgs, acc,                                                 \
                  qk_min(MR, b - i * MR));                                     \
        qk_store_tile(acc, MR, NC, i * MR, j * NC, &e);                        \
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
                              int64_t kgs, int32_t *acc, int64_t mr) {         \
    (void)mr;                                                                  \
    TILE(rows, (const int8_t *)cols, kgs, acc);                                \
  }                                                                            \
  QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,        \
                              int64_t kgs, int32_t *acc, int64_t mr) {         \
    (void)mr;                                                                  \
    TILE((const int8_t *)rows, cols, kgs, acc);                                \
  }

#if defined(QK_ISA_AVX512VNNI)

/* vpdpbusd on zmm: 8 x 48 tile, 24 accumulators. MR_ rows (8, or 1 for a
   single-row GEMM, i.e. a batch-1 fully connected layer). */
#define QK_VNNI512_TILE(NAME, ROWS_ARE_U8, MR_)                                \
  QK_INLINE void NAME(const void *rowsp, const void *colsp, int64_t k4,        \
                      int32_t *acc) {                                          \
    enum { MR = QUANT_AVX512VNNI_MR, NV = QUANT_AVX512VNNI_NC / 16 };          \
    const uint8_t *rows = (const uint8_t *)rowsp;                              \
    const uint8_t *cols = (const uint8_t *)colsp;                              \
    __m512i c[MR_][NV];                                                        \
    for (int r = 0; r < MR_; ++r)                                              \
      for (int v = 0; v < NV; ++v)                                             \
        c[r][v] = _mm512_setzero_si512();                                      \
    for (int64_t k = 0; k < k4; ++k) {                                         \
      __m512i x[NV];                                                           \
      for (int v = 0; v < NV; ++v)                                             \
        x[v] = _mm512_loadu_si512(cols + (k * NV * 16 + v * 16) * 4);          \
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
QK_VNNI512_TILE(qk_tile_conv_8, 0, QUANT_AVX512VNNI_MR)
QK_VNNI512_TILE(qk_tile_gemm_8, 1, QUANT_AVX512VNNI_MR)
QK_VNNI512_TILE(qk_tile_gemm_1, 1, 1)

QK_INLINE void qk_tile_conv(const int8_t *rows, const uint8_t *cols,
                            int64_t k4, int32_t *acc, int64_t mr) {
  (void)mr;
  qk_tile_conv_8(rows, cols, k4, acc);
}
/* Partial row blocks other than a single row compute the padding rows. */
QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,
                            int64_t k4, int32_t *acc, int64_t mr) {
  if (mr == 1)
    qk_tile_gemm_1(rows, cols, k4, acc);
  else
    qk_tile_gemm_8(rows, cols, k4, acc);
}
QK_DRIVERS(avx512vnni, QUANT_AVX512VNNI_MR, QUANT_AVX512VNNI_NC)

#elif defined(QK_ISA_AVXVNNI)

/* vpdpbusd on ymm: 4 x 24 tile, 12 accumulators (all 4 rows computed). */
#define QK_VNNI256_TILE(NAME, ROWS_ARE_U8)                                     \
  QK_INLINE void NAME(const void *rowsp, const void *colsp, int64_t k4,        \
                      int32_t *acc, int64_t mr) {                              \
    enum { MR = QUANT_AVXVNNI_MR, NV = QUANT_AVXVNNI_NC / 8 };                 \
    const uint8_t *rows = (const uint8_t *)rowsp;                              \
    const uint8_t *cols = (const uint8_t *)colsp;                              \
    __m256i c[MR][NV];                                                         \
    (void)mr;                                                                  \
    for (int r = 0; r < MR; ++r)                                               \
      for (int v = 0; v < NV; ++v)                                             \
        c[r][v] = _mm256_setzero_si256();                                      \
    for (int64_t k = 0; k < k4; ++k) {                                         \
      __m256i x[NV];                                                           \
      for (int v = 0; v < NV; ++v)                                             \
        x[v] = _mm256_loadu_si256(                                             \
            (const __m256i *)(cols + (k * NV * 8 + v * 8) * 4));               \
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
QK_VNNI256_TILE(qk_tile_conv, 0)
QK_VNNI256_TILE(qk_tile_gemm, 1)
QK_DRIVERS(avxvnni, QUANT_AVXVNNI_MR, QUANT_AVXVNNI_NC)

#elif defined(QK_ISA_AVX2)

/* 32-bit products (never vpmaddubsw, whose int16 pair sums saturate),
   vectorized by LLVM for the model's CPU. */
QK_SCALAR_TILE(qk_tile_conv, int8_t, uint8_t, QUANT_AVX2_MR, QUANT_AVX2_NC)
QK_SCALAR_TILE(qk_tile_gemm, uint8_t, int8_t, QUANT_AVX2_MR, QUANT_AVX2_NC)
QK_DRIVERS(avx2, QUANT_AVX2_MR, QUANT_AVX2_NC)

#elif defined(QK_ISA_DOTPROD)

/* sdot by lane: 8 x 12 tile, 24 accumulators. Each k-quad loads 3 vectors
   of 4 columns' quads and 2 vectors of 4 rows' quads; row r multiplies
   every column vector by its own quad (lane r % 4). */
#define QK_SDOT_ROW(R, ROWS, LANE)                                             \
  for (int v = 0; v < NV; ++v)                                                 \
    c[R][v] = vdotq_laneq_s32(c[R][v], x[v], ROWS, LANE);
QK_INLINE void qk_tile_sdot(const int8_t *rows, const int8_t *cols,
                            int64_t kgs, int32_t *acc) {
  enum { MR = QUANT_DOTPROD_MR, NV = QUANT_DOTPROD_NC / 4 };
  int32x4_t c[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v)
      c[r][v] = vdupq_n_s32(0);
  for (int64_t k = 0; k < kgs; ++k) {
    int8x16_t x[NV];
    for (int v = 0; v < NV; ++v)
      x[v] = vld1q_s8(cols + (k * NV * 4 + v * 4) * 4);
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
                             int64_t kgs, int32_t *acc) {
  enum { MR = QUANT_I8MM_MR, NC = QUANT_I8MM_NC, RB = MR / 2, CB = NC / 2 };
  int32x4_t c[RB][CB];
  for (int i = 0; i < RB; ++i)
    for (int j = 0; j < CB; ++j)
      c[i][j] = vdupq_n_s32(0);
  for (int64_t k = 0; k < kgs; ++k) {
    int8x16_t a[RB], b[CB];
    for (int i = 0; i < RB; ++i)
      a[i] = vld1q_s8(rows + (k * RB + i) * 16);
    for (int j = 0; j < CB; ++j)
      b[j] = vld1q_s8(cols + (k * CB + j) * 16);
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
               QUANT_GENERIC_NC)
QK_SCALAR_TILE(qk_tile_gemm, uint8_t, int8_t, QUANT_GENERIC_MR,
               QUANT_GENERIC_NC)
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
