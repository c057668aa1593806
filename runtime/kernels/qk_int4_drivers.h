/*===- qk_int4_drivers.h - The int4 convolution and GEMM kernels ----------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * int4 layers (docs/Numerics.md, "int4 weights"): portable C, which each
 * instruction set's kernel file (qk_<isa>.c) calls from its
 * `_mlir_ciface_quant_w4conv2d_<isa>` / `_mlir_ciface_quant_w4gemm_<isa>`,
 * so LLVM vectorizes the strips for that copy's target; the GEMM's inner
 * product (qk_w4_dot) is the file's own, in its intrinsics. Weights stay
 * packed: each is unpacked to a register right before its multiply. The
 * float steps are the reference's, in its order; the kernels are compiled
 * with -ffp-contract=off, so none is fused.
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_KERNELS_QK_INT4_DRIVERS_H
#define QUANT_KERNELS_QK_INT4_DRIVERS_H

#include "qk_common.h"

/* Weight (o, k) of a packed [ceil(O/2)][K] matrix. */
QK_INLINE int32_t qk_w4(const int8_t *w, int64_t k, int64_t o, int64_t kk) {
  /* Shifts on the unsigned byte (a negative value shifted left is
     undefined in C); the int8_t conversions wrap (two's complement). */
  uint8_t byte = (uint8_t)w[(o >> 1) * k + kk];
  return (o & 1) ? (int32_t)((int8_t)byte >> 4)
                 : (int32_t)((int8_t)(uint8_t)(byte << 4) >> 4);
}

/* The f32 steps of docs/Numerics.md, "int4 weights", for n outputs: the
   accumulators and the group sums start at 0; after each group,
   acc = acc + f32(sum) * c (no fused multiply-add) and the sums restart. */
QK_INLINE void qk_w4_start(float *acc, int32_t *sum, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    acc[i] = 0.0f;
    sum[i] = 0;
  }
}
QK_INLINE void qk_w4_end_group(float *acc, int32_t *sum, int64_t n, float c) {
  for (int64_t i = 0; i < n; ++i) {
    acc[i] = acc[i] + (float)sum[i] * c;
    sum[i] = 0;
  }
}

/* One convolution: per image, strips of QUANT_W4_STRIP output positions
   (im2col of the strip as x - zp in int16, then every output channel),
   parallel over strips. */
QK_INLINE void qk_w4conv2d(quant_memref_i8 *input, quant_memref_i8 *weights,
                           quant_memref_f32 *scales, quant_memref_f32 *bias,
                           quant_memref_f32 *output, quant_memref_i8 *scratch,
                           quant_memref_i64 *params) {
  const int64_t *p = QK_DATA(params);
  const int8_t *in = QK_DATA(input), *w = QK_DATA(weights);
  const float *c = QK_DATA(scales), *b = QK_DATA(bias);
  float *out = QK_DATA(output);
  int16_t *cols = (int16_t *)(void *)QK_DATA(scratch);
  int64_t ic = p[QUANT_QCONV_IC], ih = p[QUANT_QCONV_IH],
          iw = p[QUANT_QCONV_IW], oc = p[QUANT_QCONV_OC],
          ow = p[QUANT_QCONV_OW], kh = p[QUANT_QCONV_KH],
          kw = p[QUANT_QCONV_KW];
  int64_t spatial = p[QUANT_QCONV_OH] * ow, k = ic * kh * kw;
  int64_t gk = p[QUANT_W4CONV_GROUP_K], groups = k / gk;
  int32_t zp = (int32_t)p[QUANT_QCONV_IN_ZP];
  int64_t strips = (spatial + QUANT_W4_STRIP - 1) / QUANT_W4_STRIP;
  int parallel = p[QUANT_QCONV_PARALLEL] &&
                 oc * spatial * k >= QK_PARALLEL_MACS && strips > 1;
  (void)parallel; /* without -fopenmp */
  for (int64_t n = 0; n < p[QUANT_QCONV_BATCH]; ++n) {
    const int8_t *image = in + n * ic * ih * iw;
    float *result = out + n * oc * spatial;
#pragma omp parallel for schedule(static) if (parallel)
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
        qk_w4_start(acc, sum, QUANT_W4_STRIP);
        for (int64_t g = 0; g < groups; ++g) {
          for (int64_t kk = g * gk; kk < (g + 1) * gk; ++kk) {
            int32_t wv = qk_w4(w, k, o, kk);
            const int16_t *row = col + kk * QUANT_W4_STRIP;
            for (int64_t q = 0; q < QUANT_W4_STRIP; ++q)
              sum[q] += wv * (int32_t)row[q];
          }
          qk_w4_end_group(acc, sum, QUANT_W4_STRIP, c[o * groups + g]);
        }
        float bo = b[o];
        for (int64_t q = 0; q < len; ++q)
          result[o * spatial + p0 + q] = acc[q] + bo;
      }
    }
  }
}

/* The W4A8 GEMM (quant_int8_kernels.h, "The GEMM ... the W4A8 layout").
   The instruction set's file defines, before including this header,
     QK_W4_MR   rows per tile, and
     qk_w4_dot(x, k, w, quads, mr, dot): for the rows r < mr of x (row r at
       x + r * k; 1 <= mr <= QK_W4_MR) and one block's weights w (from the
       group's first k-quad on), dot[r * NB + i] = sum over `quads` k-quads
       of u * n modulo 2^32, with u = x + 128 (x ^ 0x80) and n the nibble
       of output channel i (i < 16 low nibbles, i >= 16 high ones).
   Everything else is here: per row and group 8 * sum u (once, into
   scratch), then per output channel S = dot - 8 * sum u + corrections and
   the reference's f32 steps in group order, as in qk_w4_end_group.
   Parallel over (block of NB channels, tile of rows) jobs, blocks outer,
   so a thread's consecutive jobs share a block's weights. A batch-1 call
   (decode: a GEMV) has one tile per block; each block's weights are read
   once, 16 * K bytes. */
QK_INLINE void qk_w4gemm(quant_memref_i8 *input, quant_memref_i8 *weights,
                         quant_memref_f32 *scales,
                         quant_memref_i32 *corrections, quant_memref_f32 *bias,
                         quant_memref_f32 *output, quant_memref_i8 *scratch,
                         quant_memref_i64 *params) {
  enum { NB = QUANT_W4_NB };
  const int64_t *p = QK_DATA(params);
  const int8_t *x = QK_DATA(input);
  const uint8_t *w = (const uint8_t *)QK_DATA(weights);
  const float *c = QK_DATA(scales), *bi = QK_DATA(bias);
  const int32_t *corr = QK_DATA(corrections);
  float *out = QK_DATA(output);
  int32_t *usum = (int32_t *)(void *)QK_DATA(scratch);
  int64_t rows = p[QUANT_QGEMM_B], k = p[QUANT_QGEMM_K], n = p[QUANT_QGEMM_N];
  int64_t gk = p[QUANT_W4GEMM_GROUP_K], groups = k / gk, quads = gk / 4;
  int64_t blocks = (n + NB - 1) / NB;
  int64_t tiles = (rows + QK_W4_MR - 1) / QK_W4_MR;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < groups; ++g) {
      const int8_t *xg = x + r * k + g * gk;
      uint32_t s = 0;
      for (int64_t j = 0; j < gk; ++j)
        s += (uint8_t)xg[j] ^ 0x80u;
      usum[r * groups + g] = (int32_t)(8u * s);
    }
  int parallel = p[QUANT_QGEMM_PARALLEL] && rows * n * k >= QK_PARALLEL_MACS &&
                 blocks * tiles > 1;
  (void)parallel; /* without -fopenmp */
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t job = 0; job < blocks * tiles; ++job) {
    int64_t b = job / tiles, r0 = job % tiles * QK_W4_MR;
    int64_t mr = qk_min(QK_W4_MR, rows - r0);
    const uint8_t *wb = w + b * (k / 4) * 64;
    float acc[QK_W4_MR * NB];
    int32_t dot[QK_W4_MR * NB];
    for (int64_t i = 0; i < QK_W4_MR * NB; ++i)
      acc[i] = 0.0f;
    for (int64_t g = 0; g < groups; ++g) {
      qk_w4_dot(x + r0 * k + g * gk, k, wb + g * quads * 64, quads, mr, dot);
      const float *cg = c + (b * groups + g) * NB;
      const int32_t *kg = corr + (b * groups + g) * NB;
      for (int64_t r = 0; r < mr; ++r) {
        uint32_t u8 = (uint32_t)usum[(r0 + r) * groups + g];
        for (int64_t i = 0; i < NB; ++i) {
          int32_t sum =
              (int32_t)((uint32_t)dot[r * NB + i] + (uint32_t)kg[i] - u8);
          acc[r * NB + i] = acc[r * NB + i] + (float)sum * cg[i];
        }
      }
    }
    int64_t nb = qk_min(NB, n - b * NB);
    for (int64_t r = 0; r < mr; ++r)
      for (int64_t i = 0; i < nb; ++i)
        out[(r0 + r) * n + b * NB + i] = acc[r * NB + i] + bi[b * NB + i];
  }
}

#endif /* QUANT_KERNELS_QK_INT4_DRIVERS_H */
