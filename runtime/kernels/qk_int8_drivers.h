/*===- qk_int8_drivers.h - The int8 convolution and GEMM drivers -----------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * qk_qconv2d and qk_qgemm: everything around the register tile, written
 * once. Each instruction set's kernel file (qk_<isa>.c) includes this
 * header once, after defining
 *
 *   QK_MR, QK_NC   its register tile: rows x columns (quant_int8_kernels.h),
 *   QK_KG          bytes per k-group of the panels (QUANT_ISA_KGROUP),
 *   QK_FLIP        QK_FLIP_U8 or QK_FLIP_S8 (QUANT_ISA_SIGNED_ACTIVATIONS),
 *   qk_tile_conv   (rows s8, cols: activations as packed, off, kgs, acc):
 *                  QK_MR rows x QK_NC columns of the direct convolution,
 *                  k-group k of the cols panel at cols + off[k];
 *   qk_tile_gemm   (rows: activations as packed, cols s8, kgs, acc, mr):
 *                  the first `mr` rows (at least those) x QK_NC columns,
 *                  k-group k of the cols panel at cols + k * QK_NC * QK_KG;
 *
 * tiles write QK_MR x QK_NC int32 sums modulo 2^32 to `acc` (row stride
 * QK_NC, 64-byte aligned). Its entry points then call the drivers with
 * their operands (qk_unwrap_int8).
 *
 * The tile sizes are macros and the tiles fixed names, not arguments,
 * because OpenMP outlines each parallel loop into a function of its own,
 * which would receive arguments as run-time values: the tile would become
 * an indirect call and the repacking loops generic in the k-group size.
 * Defined this way, every copy is compiled as if written for its ISA.
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_KERNELS_QK_INT8_DRIVERS_H
#define QUANT_KERNELS_QK_INT8_DRIVERS_H

#if !defined(QK_MR) || !defined(QK_NC) || !defined(QK_KG) || !defined(QK_FLIP)
#error "define QK_MR, QK_NC, QK_KG and QK_FLIP before qk_int8_drivers.h"
#endif

#include "qk_common.h"

/* One convolution: per image, repack it, then every rows block (QK_MR
   output channels) against every tile of the implicit cols matrix,
   parallel over tiles. */
QK_INLINE void qk_qconv2d(struct qk_int8_operands o) {
  const int64_t *p = o.p;
  const int8_t *w = o.w;
  uint8_t *buf = o.scratch;
  int64_t bytes = quant_qconv_buffer_bytes(p, QK_NC, QK_KG);
  int64_t slack = quant_qconv_buffer_slack(p, QK_NC, QK_KG);
  int64_t *off = (int64_t *)(void *)(buf + (bytes + 7) / 8 * 8);
  int64_t batch = p[QUANT_QCONV_BATCH], oc = p[QUANT_QCONV_OC];
  int64_t spatial = p[QUANT_QCONV_OH] * p[QUANT_QCONV_OW];
  int64_t inImage = p[QUANT_QCONV_IC] * p[QUANT_QCONV_IH] * p[QUANT_QCONV_IW];
  struct qk_direct d = qk_direct_geometry(p, QK_NC, QK_KG);
  int64_t blocks = (oc + QK_MR - 1) / QK_MR;
  int parallel = p[QUANT_QCONV_PARALLEL] &&
                 oc * spatial * d.kgs * QK_KG >= QK_PARALLEL_MACS &&
                 d.tiles > 1;
  (void)parallel; /* without -fopenmp */
  qk_direct_offsets(p, &d, QK_KG, off);
  for (int64_t n = 0; n < batch; ++n) {
    struct qk_epilogue e = qk_epilogue_at(&o, o.out + n * oc * spatial, oc,
                                          spatial, p + QUANT_QCONV_OUT_ZP, 1);
    const int8_t *image = o.in + n * inImage;
    if (d.layout == QUANT_QCONV_IM2COL) {
      int64_t oh = p[QUANT_QCONV_OH];
#pragma omp parallel for schedule(static) if (parallel)
      for (int64_t r = 0; r < d.kgs * oh; ++r)
        qk_im2col_row(image, buf, p, r / oh, r % oh, QK_KG, QK_FLIP);
    } else if (qk_repack_is_plain(p, &d)) {
#pragma omp parallel for schedule(static) if (parallel)
      for (int64_t c = 0; c < d.cg; ++c)
        qk_repack_plane(image, buf, p, c, QK_KG, QK_FLIP);
    } else {
#pragma omp parallel for schedule(static) if (parallel)
      for (int64_t r = 0; r < d.cg * d.ph; ++r)
        qk_repack_row(image, buf, p, &d, r / d.ph, r % d.ph, QK_KG, QK_FLIP);
    }
    /* The slack the last tile reads (its extra results are dropped). */
    memset(buf + bytes - slack, 0, (size_t)slack);
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t t = 0; t < d.tiles; ++t) {
      const uint8_t *cols = buf + qk_direct_base(t, QK_NC, p, &d, QK_KG);
      int32_t acc[QK_MR * QK_NC] __attribute__((aligned(64)));
      for (int64_t i = 0; i < blocks; ++i) {
        qk_tile_conv(w + i * d.kgs * QK_MR * QK_KG, cols, off, d.kgs, acc);
        qk_store_direct(acc, QK_MR, QK_NC, i * QK_MR, t, p, &d, &e);
      }
    }
  }
}

/* One GEMM: pack the activations into rows panels, then every cols panel
   (QK_NC output channels) against every rows block, parallel over
   panels. */
QK_INLINE void qk_qgemm(struct qk_int8_operands o) {
  const int64_t *p = o.p;
  const int8_t *w = o.w;
  uint8_t *rows = o.scratch;
  int64_t b = p[QUANT_QGEMM_B], k = p[QUANT_QGEMM_K], n = p[QUANT_QGEMM_N];
  int64_t kgs = (k + QK_KG - 1) / QK_KG, panels = (n + QK_NC - 1) / QK_NC;
  int64_t blocks = (b + QK_MR - 1) / QK_MR;
  qk_pack_rows(o.in, rows, b, k, QK_MR, QK_KG, QK_FLIP);
  struct qk_epilogue e =
      qk_epilogue_at(&o, o.out, b, n, p + QUANT_QGEMM_OUT_ZP, 0);
  int parallel =
      p[QUANT_QGEMM_PARALLEL] && b * n * k >= QK_PARALLEL_MACS && panels > 1;
  (void)parallel; /* without -fopenmp */
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t j = 0; j < panels; ++j) {
    int32_t acc[QK_MR * QK_NC] __attribute__((aligned(64)));
    for (int64_t i = 0; i < blocks; ++i) {
      qk_tile_gemm(rows + i * kgs * QK_MR * QK_KG, w + j * kgs * QK_NC * QK_KG,
                   kgs, acc, qk_min(QK_MR, b - i * QK_MR));
      qk_store_tile(acc, QK_NC, QK_MR, QK_NC, i * QK_MR, j * QK_NC, &e);
    }
  }
}

#endif /* QUANT_KERNELS_QK_INT8_DRIVERS_H */
