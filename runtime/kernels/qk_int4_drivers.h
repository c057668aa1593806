/*===- qk_int4_drivers.h - The int4 convolution and GEMM kernels ----------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * int4 layers (docs/Numerics.md, "int4 weights"): portable C, which each
 * instruction set's kernel file (qk_<isa>.c) calls from its
 * `_mlir_ciface_quant_w4conv2d_<isa>` / `_mlir_ciface_quant_w4gemm_<isa>`,
 * so LLVM vectorizes the strips for that copy's target. Weights stay
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

/* Rows per block and weights per unpacked chunk of the int4 GEMM. */
#define QK_W4_ROWS 64
#define QK_W4_CHUNK 256

/* One GEMM, parallel over (output channel, block of rows) jobs. */
QK_INLINE void qk_w4gemm(quant_memref_i8 *input, quant_memref_i8 *weights,
                         quant_memref_f32 *scales, quant_memref_f32 *bias,
                         quant_memref_f32 *output, quant_memref_i8 *scratch,
                         quant_memref_i64 *params) {
  (void)scratch; /* the GEMM needs none */
  const int64_t *p = QK_DATA(params);
  const int8_t *x = QK_DATA(input), *w = QK_DATA(weights);
  const float *c = QK_DATA(scales), *bi = QK_DATA(bias);
  float *out = QK_DATA(output);
  int64_t rows = p[QUANT_QGEMM_B], k = p[QUANT_QGEMM_K], n = p[QUANT_QGEMM_N];
  int64_t gk = p[QUANT_W4GEMM_GROUP_K], groups = k / gk;
  int32_t zp = (int32_t)p[QUANT_QGEMM_IN_ZP];
  int64_t blocks = (rows + QK_W4_ROWS - 1) / QK_W4_ROWS;
  int parallel = p[QUANT_QGEMM_PARALLEL] && rows * n * k >= QK_PARALLEL_MACS;
  (void)parallel; /* without -fopenmp */
  /* One output channel and block of rows at a time: each chunk of a group's
     weights is unpacked once (to 16-bit lanes) and serves every row. */
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t job = 0; job < n * blocks; ++job) {
    int64_t o = job / blocks, r0 = job % blocks * QK_W4_ROWS;
    int64_t nr = qk_min(QK_W4_ROWS, rows - r0);
    const int8_t *pair = w + (o >> 1) * k;
    int shift = (o & 1) ? 0 : 4;
    float acc[QK_W4_ROWS];
    int32_t sum[QK_W4_ROWS];
    int16_t unpacked[QK_W4_CHUNK];
    qk_w4_start(acc, sum, nr);
    for (int64_t g = 0; g < groups; ++g) {
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
      qk_w4_end_group(acc, sum, nr, c[o * groups + g]);
    }
    for (int64_t m = 0; m < nr; ++m)
      out[(r0 + m) * n + o] = acc[m] + bi[o];
  }
}

#endif /* QUANT_KERNELS_QK_INT4_DRIVERS_H */
