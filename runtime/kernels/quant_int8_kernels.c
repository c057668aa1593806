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
 * accumulation wrapping modulo 2^32 (vpdpbusd, or uint32 in C), then
 * QuantMath's requantization. Signed right shifts are arithmetic (clang,
 * gcc on every target we build for).
 *
 *===----------------------------------------------------------------------===*/
#include "quant_int8_kernels.h"

#include <string.h>

#if defined(QK_ISA_AVX512VNNI) || defined(QK_ISA_AVXVNNI)
#include <immintrin.h>
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
  for (int64_t t = 0; t < count; ++t) {
    int8_t *row = tmp + t * nc;
    int64_t kk = k0 + t;
    if (kk >= k) {
      memset(row, 0x80, (size_t)nc);
      continue;
    }
    int64_t ci = kk / (kh * kw), y = kk / kw % kh, x = kk % kw;
    const int8_t *plane = in + ci * ih * iw;
    for (int64_t c = 0; c < ncv;) {
      int64_t pos = p0 + c, oh = pos / ow, ow0 = pos % ow;
      int64_t run = qk_min(ow - ow0, ncv - c);
      int64_t r = oh * sh - pt + y * dh;
      int64_t base = ow0 * sw - pl + x * dw;
      int8_t *dst = row + c;
      if (r < 0 || r >= ih) {
        memset(dst, zp, (size_t)run);
      } else if (sw == 1) {
        const int8_t *src = plane + r * iw;
        int64_t lo = base < 0 ? qk_min(-base, run) : 0;
        int64_t hi = qk_min(run, iw - base);
        hi = hi < lo ? lo : hi;
        memset(dst, zp, (size_t)lo);
        memcpy(dst + lo, src + base + lo, (size_t)(hi - lo));
        memset(dst + hi, zp, (size_t)(run - hi));
      } else {
        const int8_t *src = plane + r * iw;
        for (int64_t j = 0; j < run; ++j) {
          int64_t s = base + j * sw;
          dst[j] = s >= 0 && s < iw ? src[s] : zp;
        }
      }
      c += run;
    }
    memset(row + ncv, zp, (size_t)(nc - ncv));
  }
}

/* Interleaves 4 rows of nc bytes into one k-quad of a cols panel:
   dst[c][i] = rows[i][c] + 128 (as u8). */
QK_INLINE void qk_interleave4(const int8_t *r0, const int8_t *r1,
                              const int8_t *r2, const int8_t *r3,
                              uint8_t *dst, int64_t nc) {
  for (int64_t c = 0; c < nc; ++c) {
    dst[c * 4] = (uint8_t)(r0[c] ^ 0x80);
    dst[c * 4 + 1] = (uint8_t)(r1[c] ^ 0x80);
    dst[c * 4 + 2] = (uint8_t)(r2[c] ^ 0x80);
    dst[c * 4 + 3] = (uint8_t)(r3[c] ^ 0x80);
  }
}

/* One cols panel of the im2col matrix of image `in` (NCHW): columns
   [p0, p0 + nc) of OH*OW, as u8 (x + 128), built 64 rows at a time in a
   stack buffer (QK_PANEL_NC columns at most). */
#define QK_PANEL_NC 48
#define QK_CHUNK_ROWS 64
_Static_assert(QUANT_GENERIC_NC <= QK_PANEL_NC && QUANT_AVX2_NC <= QK_PANEL_NC &&
                   QUANT_AVXVNNI_NC <= QK_PANEL_NC &&
                   QUANT_AVX512VNNI_NC <= QK_PANEL_NC,
               "panels wider than the packing buffer");
QK_INLINE void qk_pack_im2col_panel(const int8_t *in, uint8_t *panel,
                                    const int64_t *p, int64_t p0,
                                    int64_t nc) {
  int64_t ic = p[QUANT_QCONV_IC], ih = p[QUANT_QCONV_IH],
          iw = p[QUANT_QCONV_IW], oh = p[QUANT_QCONV_OH],
          ow = p[QUANT_QCONV_OW];
  int64_t k = ic * p[QUANT_QCONV_KH] * p[QUANT_QCONV_KW], k4 = (k + 3) / 4;
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
  for (int64_t q0 = 0; q0 < k4; q0 += QK_CHUNK_ROWS / 4) {
    int64_t quads = qk_min(QK_CHUNK_ROWS / 4, k4 - q0);
    if (!pointwise)
      qk_im2col_rows(in, tmp, p, p0, nc, ncv, q0 * 4, quads * 4);
    for (int64_t q = 0; q < quads; ++q) {
      const int8_t *rows[4];
      for (int i = 0; i < 4; ++i) {
        int64_t kk = (q0 + q) * 4 + i;
        if (!pointwise)
          rows[i] = tmp + (q * 4 + i) * nc;
        else
          rows[i] = kk < k ? in + kk * ih * iw + p0 : lowest;
      }
      qk_interleave4(rows[0], rows[1], rows[2], rows[3],
                     panel + (q0 + q) * nc * 4, nc);
    }
  }
}

/* The activations of a GEMM [B][K] as u8 rows panels [B/MR][K4][MR][4]. */
QK_INLINE void qk_pack_rows(const int8_t *in, uint8_t *rows, int64_t b,
                            int64_t k, int64_t mr) {
  int64_t k4 = (k + 3) / 4, blocks = (b + mr - 1) / mr;
  memset(rows, 0, (size_t)(blocks * k4 * mr * 4));
  for (int64_t r = 0; r < b; ++r) {
    uint8_t *dst = rows + (r / mr) * k4 * mr * 4 + (r % mr) * 4;
    for (int64_t kk = 0; kk < k; ++kk)
      dst[(kk / 4) * mr * 4 + kk % 4] = (uint8_t)(in[r * k + kk] ^ 0x80);
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
    int64_t k4 = (k + 3) / 4, panels = (spatial + NC - 1) / NC;                \
    int64_t blocks = (oc + MR - 1) / MR;                                       \
    int parallel = p[QUANT_QCONV_PARALLEL] &&                                \
                   oc * spatial * k >= QK_PARALLEL_MACS && panels > 1;         \
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
        uint8_t *panel = cols + j * k4 * NC * 4;                               \
        qk_pack_im2col_panel(image, panel, p, j * NC, NC);                     \
        int32_t acc[MR * NC] __attribute__((aligned(64)));                     \
        for (int64_t i = 0; i < blocks; ++i) {                                 \
          qk_tile_conv(w + i * k4 * MR * 4, panel, k4, acc, MR);                  \
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
    int64_t k4 = (k + 3) / 4, panels = (n + NC - 1) / NC;                      \
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
    _Pragma("omp parallel for schedule(static) if(parallel)")                  \
    for (int64_t j = 0; j < panels; ++j) {                                     \
      int32_t acc[MR * NC] __attribute__((aligned(64)));                       \
      for (int64_t i = 0; i < blocks; ++i) {                                   \
        qk_tile_gemm(rows + i * k4 * MR * 4, w + j * k4 * NC * 4, k4, acc,        \
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

#else /* generic */

QK_SCALAR_TILE(qk_tile_conv, int8_t, uint8_t, QUANT_GENERIC_MR,
               QUANT_GENERIC_NC)
QK_SCALAR_TILE(qk_tile_gemm, uint8_t, int8_t, QUANT_GENERIC_MR,
               QUANT_GENERIC_NC)
QK_DRIVERS(generic, QUANT_GENERIC_MR, QUANT_GENERIC_NC)

#endif
