/*===- qk_w4_udot.h - The W4A8 GEMM's inner product on NEON -----*- C -*-===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * qk_w4_dot (qk_int4_drivers.h) for the DotProd and I8MM copies: udot
 * (FEAT_DotProd, u8 x u8, modulo 2^32). Each k-quad of a block is four
 * 16-byte vectors; their low nibbles (AND 0x0F) are the block's channels
 * 0-15 and their high nibbles (USHR #4) channels 16-31, four per vector.
 * A row's quad, XOR 0x80 (u8), is duplicated to every lane. 8 accumulators
 * per row, 2 rows per tile.
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_KERNELS_QK_W4_UDOT_H
#define QUANT_KERNELS_QK_W4_UDOT_H

#define QK_W4_MR 2

QK_INLINE void qk_w4_dot_rows(const int8_t *x, int64_t k, const uint8_t *w,
                              int64_t quads, int32_t *dot, int mr) {
  const uint8x16_t low = vdupq_n_u8(0x0F);
  uint32x4_t acc[QK_W4_MR][8];
  for (int r = 0; r < mr; ++r)
    for (int v = 0; v < 8; ++v)
      acc[r][v] = vdupq_n_u32(0);
  for (int64_t q = 0; q < quads; ++q) {
    uint8x16_t n[8];
    for (int v = 0; v < 4; ++v) {
      uint8x16_t bytes = vld1q_u8(w + q * 64 + v * 16);
      n[v] = vandq_u8(bytes, low);
      n[4 + v] = vshrq_n_u8(bytes, 4);
    }
    for (int r = 0; r < mr; ++r) {
      uint8x16_t u = vreinterpretq_u8_u32(
          vdupq_n_u32((uint32_t)qk_load4(x + r * k + q * 4) ^ 0x80808080u));
      for (int v = 0; v < 8; ++v)
        acc[r][v] = vdotq_u32(acc[r][v], n[v], u);
    }
  }
  for (int r = 0; r < mr; ++r)
    for (int v = 0; v < 8; ++v)
      vst1q_u32((uint32_t *)(dot + r * QUANT_W4_NB + v * 4), acc[r][v]);
}

QK_INLINE void qk_w4_dot(const int8_t *x, int64_t k, const uint8_t *w,
                         int64_t quads, int64_t mr, int32_t *dot) {
  if (mr == 1)
    qk_w4_dot_rows(x, k, w, quads, dot, 1);
  else
    qk_w4_dot_rows(x, k, w, quads, dot, QK_W4_MR);
}

#endif /* QUANT_KERNELS_QK_W4_UDOT_H */
