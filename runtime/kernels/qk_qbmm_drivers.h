/*===- qk_qbmm_drivers.h - int8 products of two activations ---------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * qk_qbmm: the static int8 product of two activations (attention's Q K^T
 * and P V; the QUANT_QBMM_* contract in quant_int8_kernels.h). Nothing is
 * packed: both operands are read where they are, each row of the result
 * is one pass over its lhs row, and the int32 sums are exact (no
 * wrapping: quant_qbmm_supported bounds K), so the order of the additions
 * is free and the result equals the reference loops bit for bit.
 *
 * Written once in C for every instruction set: each qk_<isa>.c includes
 * this header and is compiled with its ISA's flags, and LLVM vectorizes
 * the two inner loops (32-bit lanes: widen, multiply, add). For both
 * layouts the zero points leave the inner loop:
 *
 *   sum_k (a - za) (b - zb) = sum_k (a - za) b  -  zb * sum_k (a - za)
 *
 * where every partial sum stays below 2^31 in magnitude for K <=
 * QUANT_QBMM_MAX_K (|a - za| <= 255, |b| <= 128).
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_KERNELS_QK_QBMM_DRIVERS_H
#define QUANT_KERNELS_QK_QBMM_DRIVERS_H

#include "qk_common.h"

/* Output columns per block of the [K][N] form (its int32 sums live on
   the stack). */
#define QK_QBMM_NB 256

/* What every output of a row subtracts: zb * sum_k (a_k - za). */
QK_INLINE int32_t qk_qbmm_correction(const int8_t *a, int64_t k,
                                     const int64_t *p) {
  int32_t za = (int32_t)p[QUANT_QBMM_LHS_ZP];
  int32_t asum = 0;
  for (int64_t kk = 0; kk < k; ++kk)
    asum += (int32_t)a[kk] - za;
  return (int32_t)p[QUANT_QBMM_RHS_ZP] * asum;
}

/* One output from its exact sum sum_k (a - za) b - correction. */
QK_INLINE int8_t qk_qbmm_output(int32_t sum, const int64_t *p) {
  return qk_requantize(
      sum, (int32_t)p[QUANT_QBMM_MULT], (int32_t)p[QUANT_QBMM_SHIFT],
      (int32_t)p[QUANT_QBMM_OUT_ZP], (int32_t)p[QUANT_QBMM_QMIN],
      (int32_t)p[QUANT_QBMM_QMAX]);
}

/* One row of the result, rhs as [K][N]: every k adds (a_k - za) times
   row k of the rhs to the block's sums (a vector by matrix product). */
QK_INLINE void qk_qbmm_row_kn(const int8_t *a, const int8_t *b, int8_t *out,
                              int64_t k, int64_t n, const int64_t *p) {
  int32_t za = (int32_t)p[QUANT_QBMM_LHS_ZP];
  int32_t correction = qk_qbmm_correction(a, k, p);
  for (int64_t n0 = 0; n0 < n; n0 += QK_QBMM_NB) {
    int64_t nb = qk_min(QK_QBMM_NB, n - n0);
    int32_t acc[QK_QBMM_NB] __attribute__((aligned(64)));
    for (int64_t j = 0; j < nb; ++j)
      acc[j] = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      int32_t av = (int32_t)a[kk] - za;
      const int8_t *row = b + kk * n + n0;
      for (int64_t j = 0; j < nb; ++j)
        acc[j] += av * (int32_t)row[j];
    }
    for (int64_t j = 0; j < nb; ++j)
      out[n0 + j] = qk_qbmm_output(acc[j] - correction, p);
  }
}

/* One row of the result, rhs as [N][K]: one dot product of two
   contiguous rows per output (a transposed rhs read in place). */
QK_INLINE void qk_qbmm_row_nk(const int8_t *a, const int8_t *b, int8_t *out,
                              int64_t k, int64_t n, const int64_t *p) {
  int32_t za = (int32_t)p[QUANT_QBMM_LHS_ZP];
  int32_t correction = qk_qbmm_correction(a, k, p);
  for (int64_t j = 0; j < n; ++j) {
    const int8_t *col = b + j * k;
    int32_t dot = 0;
    for (int64_t kk = 0; kk < k; ++kk)
      dot += ((int32_t)a[kk] - za) * (int32_t)col[kk];
    out[j] = qk_qbmm_output(dot - correction, p);
  }
}

/* Every row of every batch, in parallel over rows when the product is
   large enough to pay for the threads. */
QK_INLINE void qk_qbmm(const int8_t *lhs, const int8_t *rhs, int8_t *out,
                       const int64_t *p) {
  int64_t batch = p[QUANT_QBMM_BATCH], m = p[QUANT_QBMM_M];
  int64_t k = p[QUANT_QBMM_K], n = p[QUANT_QBMM_N];
  int nk = p[QUANT_QBMM_RHS_NK] != 0;
  int64_t rows = batch * m;
  int parallel =
      p[QUANT_QBMM_PARALLEL] && rows * n * k >= QK_PARALLEL_MACS && rows > 1;
  (void)parallel; /* without -fopenmp */
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t r = 0; r < rows; ++r) {
    const int8_t *b = rhs + (r / m) * k * n;
    if (nk)
      qk_qbmm_row_nk(lhs + r * k, b, out + r * n, k, n, p);
    else
      qk_qbmm_row_kn(lhs + r * k, b, out + r * n, k, n, p);
  }
}

#endif /* QUANT_KERNELS_QK_QBMM_DRIVERS_H */
