/*===- qk_generic.c - Portable int8/int4 kernels ---------------------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * The fallback for every CPU (built for x86-64 and for AArch64): a portable
 * C register tile that LLVM vectorizes for the model's CPU, 32-bit
 * products, uint32 accumulation (wraps like the reference and like
 * vpdpbusd). Activations are shifted to u8 as for the x86-64 kernels.
 *
 *===----------------------------------------------------------------------===*/
#include "qk_common.h"

#define QK_MR QUANT_GENERIC_MR
#define QK_NC QUANT_GENERIC_NC
#define QK_KG 4
#define QK_FLIP QK_FLIP_U8

/* `mr` rows of the tile. The convolution's (gemm = 0): s8 weights by u8
   activations, k-group k of the cols panel at cols + off[k]; the GEMM's
   (gemm = 1): u8 activations by s8 weights, at cols + k * QK_NC * 4. */
QK_INLINE void qk_generic_tile(const uint8_t *rows, const uint8_t *cols,
                               const int64_t *off, int64_t kgs, int32_t *acc,
                               int64_t mr, int gemm) {
  uint32_t c[QK_MR][QK_NC];
  memset(c, 0, sizeof(c));
  for (int64_t k = 0; k < kgs; ++k) {
    const uint8_t *xu = gemm ? cols + k * QK_NC * 4 : cols + off[k];
    const int8_t *xs = (const int8_t *)xu;
    for (int64_t r = 0; r < mr; ++r) {
      const uint8_t *wu = rows + (k * QK_MR + r) * 4;
      const int8_t *ws = (const int8_t *)wu;
      int32_t w0 = gemm ? wu[0] : ws[0], w1 = gemm ? wu[1] : ws[1],
              w2 = gemm ? wu[2] : ws[2], w3 = gemm ? wu[3] : ws[3];
      for (int64_t j = 0; j < QK_NC; ++j) {
        int32_t x0 = gemm ? xs[j * 4] : xu[j * 4],
                x1 = gemm ? xs[j * 4 + 1] : xu[j * 4 + 1],
                x2 = gemm ? xs[j * 4 + 2] : xu[j * 4 + 2],
                x3 = gemm ? xs[j * 4 + 3] : xu[j * 4 + 3];
        c[r][j] += (uint32_t)(w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3);
      }
    }
  }
  memcpy(acc, c, sizeof(c));
}

QK_INLINE void qk_tile_conv(const int8_t *rows, const uint8_t *cols,
                            const int64_t *off, int64_t kgs, int32_t *acc) {
  qk_generic_tile((const uint8_t *)rows, cols, off, kgs, acc, QK_MR, 0);
}

QK_INLINE void qk_tile_gemm(const uint8_t *rows, const int8_t *cols,
                            int64_t kgs, int32_t *acc, int64_t mr) {
  qk_generic_tile(rows, (const uint8_t *)cols, (const int64_t *)0, kgs, acc,
                  mr, 1);
}

/* The depthwise loops (qk_dwconv_drivers.h), in plain C: windows through
   the shared C helpers; rows in blocks of 64 outputs, each tap a loop
   over the block that LLVM vectorizes (u8 entries by s8 weight quads,
   uint32 accumulators that wrap like the reference's), then
   qk_requantize. */
#define QK_DW_LANES 16

QK_INLINE void qk_dw_expand(uint8_t *dst, int64_t dstride, const int8_t *row,
                            int64_t rstride, int64_t rows, int64_t c,
                            int64_t iw, int8_t zs, int64_t n, int64_t cw,
                            int64_t sw, int64_t dw, const int8_t *base,
                            int64_t size) {
  for (int64_t m = 0; m < rows; ++m) {
    const int8_t *r = row + m * rstride;
    uint8_t *d = dst + m * dstride;
    if (qk_dw_inside(r, c, n, sw, dw, base, size)) {
      qk_dw_windows_c(d, r + c, n, sw, dw, QK_FLIP);
      qk_dw_patch(d, c, iw, (uint8_t)(zs ^ QK_FLIP), cw, sw, dw);
    } else {
      qk_dw_expand_c(d, r, c, iw, zs, n, sw, dw, QK_FLIP);
    }
  }
}

/* The sums of `count` outputs from entry i0 (count <= 64), modulo 2^32. */
QK_INLINE void qk_dw_generic_sums(const uint8_t *const *src, const int32_t *wt,
                                  int64_t nt, int32_t bias, int64_t i0,
                                  int64_t count, uint32_t *acc) {
  for (int64_t l = 0; l < count; ++l)
    acc[l] = (uint32_t)bias;
  for (int64_t k = 0; k < nt; ++k) {
    const uint8_t *e = src[k] + i0 * 4;
    int8_t wb[4];
    memcpy(wb, &wt[k], 4);
    int32_t w0 = wb[0], w1 = wb[1], w2 = wb[2], w3 = wb[3];
    for (int64_t l = 0; l < count; ++l)
      acc[l] += (uint32_t)(e[4 * l] * w0 + e[4 * l + 1] * w1 +
                           e[4 * l + 2] * w2 + e[4 * l + 3] * w3);
  }
}

QK_INLINE void qk_dw_row(const uint8_t *const *src, const int32_t *wt,
                         int64_t nt, int32_t bias,
                         const struct qk_dw_requant *rq, int8_t *out,
                         int64_t n) {
  int32_t qmin = rq->lo + rq->zp, qmax = rq->hi + rq->zp;
  for (int64_t i0 = 0; i0 < n; i0 += 64) {
    uint32_t acc[64];
    int64_t m = qk_min(64, n - i0);
    if (m == 64)
      qk_dw_generic_sums(src, wt, nt, bias, i0, 64, acc);
    else
      qk_dw_generic_sums(src, wt, nt, bias, i0, m, acc);
    for (int64_t l = 0; l < m; ++l)
      out[i0 + l] = qk_requantize((int32_t)acc[l], rq->mult, rq->shift, rq->zp,
                                  qmin, qmax);
  }
}

/* The W4A8 GEMM's inner product (qk_int4_drivers.h): 32-bit products of
   u8 activations and the 0..15 nibbles, uint32 sums. */
#define QK_W4_MR 4
QK_INLINE void qk_w4_dot(const int8_t *x, int64_t k, const uint8_t *w,
                         int64_t quads, int64_t mr, int32_t *dot) {
  for (int64_t r = 0; r < mr; ++r) {
    uint32_t d[QUANT_W4_NB];
    memset(d, 0, sizeof(d));
    for (int64_t q = 0; q < quads; ++q) {
      const uint8_t *wq = w + q * 64;
      const uint8_t *xq = (const uint8_t *)x + r * k + q * 4;
      for (int64_t l = 0; l < 16; ++l)
        for (int64_t j = 0; j < 4; ++j) {
          uint32_t u = xq[j] ^ 0x80u, byte = wq[l * 4 + j];
          d[l] += u * (byte & 15u);
          d[16 + l] += u * (byte >> 4);
        }
    }
    for (int64_t i = 0; i < QUANT_W4_NB; ++i)
      dot[r * QUANT_W4_NB + i] = (int32_t)d[i];
  }
}

#include "qk_dwconv_drivers.h"
#include "qk_int4_drivers.h"
#include "qk_int8_drivers.h"
#include "qk_qbmm_drivers.h"

void _mlir_ciface_quant_qconv2d_generic(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qdwconv2d_generic(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qdwconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_qgemm_generic(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qgemm(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
}

void _mlir_ciface_quant_w4conv2d_generic(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_f32 *bias, quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4conv2d(input, weights, scales, bias, output, scratch, params);
}

void _mlir_ciface_quant_w4gemm_generic(
    quant_memref_i8 *input, quant_memref_i8 *weights, quant_memref_f32 *scales,
    quant_memref_i32 *corrections, quant_memref_f32 *bias,
    quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4gemm(input, weights, scales, corrections, bias, output, scratch, params);
}

void _mlir_ciface_quant_qbmm_generic(quant_memref_i8 *lhs, quant_memref_i8 *rhs,
                                     quant_memref_i8 *out,
                                     quant_memref_i64 *p) {
  qk_qbmm(QK_DATA(lhs), QK_DATA(rhs), QK_DATA(out), QK_DATA(p));
}
