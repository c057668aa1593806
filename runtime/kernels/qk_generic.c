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

#include "qk_int4_drivers.h"
#include "qk_int8_drivers.h"

void _mlir_ciface_quant_qconv2d_generic(
    quant_memref_i8 *in, quant_memref_i8 *w, quant_memref_i32 *bias,
    quant_memref_i32 *mult, quant_memref_i32 *shift, quant_memref_i8 *out,
    quant_memref_u8 *scratch, quant_memref_i64 *p) {
  qk_qconv2d(qk_unwrap_int8(in, w, bias, mult, shift, out, scratch, p));
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
    quant_memref_f32 *bias, quant_memref_f32 *output, quant_memref_i8 *scratch,
    quant_memref_i64 *params) {
  qk_w4gemm(input, weights, scales, bias, output, scratch, params);
}
