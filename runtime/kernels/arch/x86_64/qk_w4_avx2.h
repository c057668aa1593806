/*===- qk_w4_avx2.h - The W4A8 GEMM's inner product on ymm ------*- C -*-===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * qk_w4_dot (qk_int4_drivers.h) for the AVX2 and AVX-VNNI copies. Each
 * k-quad of a block is 64 bytes: two ymm loads, whose low nibbles (AND
 * 0x0F) are the block's channels 0-7 and 8-15 and whose high nibbles
 * (16-bit shift right by 4, AND 0x0F) are 16-23 and 24-31, as 0..15 bytes.
 * A row's quad, XOR 0x80 (u8), is broadcast to every lane.
 * QK_W4_VNNI 1: vpdpbusd (u8 x s8, modulo 2^32). QK_W4_VNNI 0: vpmaddubsw
 * then vpmaddwd by 1. vpmaddubsw saturates its int16 pair sums, but here
 * a pair is at most 2 * 255 * 15 = 7650, so it is exact; the int32 lanes
 * then add modulo 2^32 like vpdpbusd.
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_KERNELS_QK_W4_AVX2_H
#define QUANT_KERNELS_QK_W4_AVX2_H

#define QK_W4_MR 2

QK_INLINE __m256i qk_w4_madd(__m256i acc, __m256i u, __m256i n) {
#if QK_W4_VNNI
  return _mm256_dpbusd_avx_epi32(acc, u, n);
#else
  return _mm256_add_epi32(
      acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, n), _mm256_set1_epi16(1)));
#endif
}

/* `mr` (a constant after inlining) rows. */
QK_INLINE void qk_w4_dot_rows(const int8_t *x, int64_t k, const uint8_t *w,
                              int64_t quads, int32_t *dot, int mr) {
  const __m256i low = _mm256_set1_epi8(0x0F);
  __m256i acc[QK_W4_MR][4];
  for (int r = 0; r < mr; ++r)
    for (int v = 0; v < 4; ++v)
      acc[r][v] = _mm256_setzero_si256();
  for (int64_t q = 0; q < quads; ++q) {
    __m256i a = _mm256_loadu_si256((const __m256i *)(w + q * 64));
    __m256i b = _mm256_loadu_si256((const __m256i *)(w + q * 64 + 32));
    __m256i n[4] = {_mm256_and_si256(a, low), _mm256_and_si256(b, low),
                    _mm256_and_si256(_mm256_srli_epi16(a, 4), low),
                    _mm256_and_si256(_mm256_srli_epi16(b, 4), low)};
    for (int r = 0; r < mr; ++r) {
      __m256i u =
          _mm256_set1_epi32(qk_load4(x + r * k + q * 4) ^ (int32_t)0x80808080u);
      for (int v = 0; v < 4; ++v)
        acc[r][v] = qk_w4_madd(acc[r][v], u, n[v]);
    }
  }
  for (int r = 0; r < mr; ++r)
    for (int v = 0; v < 4; ++v)
      _mm256_storeu_si256((__m256i *)(dot + r * QUANT_W4_NB + v * 8),
                          acc[r][v]);
}

QK_INLINE void qk_w4_dot(const int8_t *x, int64_t k, const uint8_t *w,
                         int64_t quads, int64_t mr, int32_t *dot) {
  if (mr == 1)
    qk_w4_dot_rows(x, k, w, quads, dot, 1);
  else
    qk_w4_dot_rows(x, k, w, quads, dot, QK_W4_MR);
}

#endif /* QUANT_KERNELS_QK_W4_AVX2_H */
