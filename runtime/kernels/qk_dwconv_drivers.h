/*===- qk_dwconv_drivers.h - The int8 depthwise convolution driver ---------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * qk_qdwconv2d: the depthwise convolution of quant_int8_kernels.h
 * (`_mlir_ciface_quant_qdwconv2d_<isa>`), everything but two inner loops
 * written once. Each instruction set's kernel file (qk_<isa>.c) includes
 * this header once, after defining
 *
 *   QK_FLIP       as for qk_int8_drivers.h: windows hold x ^ QK_FLIP,
 *                 numerically x + 128 as u8 (QK_FLIP_U8) or x as s8
 *                 (QK_FLIP_S8);
 *   QK_DW_LANES   the outputs of one vector of its row loop (a power of 2,
 *                 at most QK_DW_MAX_LANES);
 *   qk_dw_expand  (dst, dstride, row, rstride, rows, c, iw, zs, n, cw,
 *                 sw, dw, base, size): for input rows row + m*rstride,
 *                 m < rows in order, n entries (a multiple of QK_DW_LANES)
 *                 of the row's window from column c on (below) at
 *                 dst + m*dstride; the first cw must be exact, the others
 *                 may hold anything (they may spill into the next row's);
 *                 the input tensor is `size` bytes from `base`
 *                 (qk_common.h has the helpers: qk_dw_expand_c,
 *                 qk_dw_inside, qk_dw_edges, qk_dw_patch);
 *   qk_dw_row     (src, wt, nt, bias, rq, out, n): out[i] for i < n,
 *                 requantized (rq) bias + sum_{k < nt} dot4(entry i of
 *                 src[k], weight quad wt[k]) modulo 2^32; it may compute,
 *                 not store, outputs up to n rounded up to QK_DW_LANES.
 *
 * Windows. The kernel's columns are taken four at a time ("quads" g: taps
 * 4g .. 4g+3 of a kernel row, those past KW with weight 0). The window of
 * an input row for quad g holds, per output column ox, the 4 inputs that
 * its taps read, as one 4-byte entry:
 *
 *   entry(ox) = xp[ox*SW + (4g + t)*DW], t = 0 .. 3
 *
 * (xp the row padded with the zero point, stored as x ^ QK_FLIP). Kernel
 * row y's quad g for consecutive outputs is then one 4-way dot product of
 * consecutive entries with the weight quad (w[y][4g], .., w[y][4g+3]),
 * whatever the strides: vpdpbusd, sdot, or two vpmaddwd on even and odd
 * bytes.
 *
 * Row groups. Output rows are taken in groups (as many as QK_DW_BUFFER
 * holds), in chunks of at most QK_DW_CHUNK columns. The padded input rows
 * a group reads are expanded once each into the buffer, by row phase
 * (padded row m*SH + ph with the rows of phase ph, in order m), so that
 * kernel row y of output row oy reads row oy + (y*DH) / SH of phase
 * (y*DH) % SH: for consecutive output rows, consecutive windows. When a
 * chunk is a whole row, the group's outputs are then one run of
 * consecutive entries per (kernel row, quad), and the row loop runs over
 * the whole group at once; otherwise row by row.
 *
 * The zero point. The sums run on stored values xs = x + zd (zd = 128 or
 * 0), the padding holding zs = zp + zd, so
 *   sum (x - zp) * w = sum xs * w - zs * sum w
 * over the taps: the row loops start from bias - zs * sum w, modulo 2^32
 * like the reference accumulator; the sums of products stay below 2^21 in
 * magnitude, exact.
 *
 * Tasks (image, channel, band of output rows) run in parallel; each keeps
 * its buffers (about 36 KiB) on its stack.
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_KERNELS_QK_DWCONV_DRIVERS_H
#define QUANT_KERNELS_QK_DWCONV_DRIVERS_H

#include "qk_common.h"

#if !defined(QK_FLIP) || !defined(QK_DW_LANES)
#error "define QK_FLIP and QK_DW_LANES before qk_dwconv_drivers.h"
#endif
#if QK_DW_LANES > QK_DW_MAX_LANES
#error "QK_DW_LANES above QK_DW_MAX_LANES"
#endif

/* Quads per kernel row, bytes of a task's window buffer (it holds one
   output row's windows of at least 18 columns, for KH = 8, KW > 4,
   DH = 32, SH = 1; of whole rows of up to QK_DW_CHUNK columns for common
   kernels), outputs per band of a parallel task. */
#define QK_DW_QUADS ((QUANT_QDWCONV_MAX_K + 3) / 4)
#define QK_DW_BUFFER 32768
#define QK_DW_BAND 8192

/* Output rows [oy0, oy1) of channel c of image n. */
QK_INLINE void qk_dw_task(const struct qk_int8_operands *o, int64_t n,
                          int64_t c, int64_t oy0, int64_t oy1) {
  const int64_t *p = o->p;
  int64_t ch = p[QUANT_QCONV_IC], ih = p[QUANT_QCONV_IH],
          iw = p[QUANT_QCONV_IW], oh = p[QUANT_QCONV_OH],
          ow = p[QUANT_QCONV_OW], kh = p[QUANT_QCONV_KH],
          kw = p[QUANT_QCONV_KW], sh = p[QUANT_QCONV_SH],
          sw = p[QUANT_QCONV_SW], dh = p[QUANT_QCONV_DH],
          dw = p[QUANT_QCONV_DW], pt = p[QUANT_QCONV_PAD_TOP],
          pl = p[QUANT_QCONV_PAD_LEFT];
  int64_t quads = (kw + 3) / 4;
  int64_t inSize = p[QUANT_QCONV_BATCH] * ch * ih * iw;
  uint8_t buf[QK_DW_BUFFER] __attribute__((aligned(64)));
  int32_t wq[QUANT_QDWCONV_MAX_K * QK_DW_QUADS];
  int8_t zs = (int8_t)p[QUANT_QCONV_IN_ZP];
  uint8_t pad = (uint8_t)(zs ^ QK_FLIP);
  uint32_t zsv = (uint32_t)(QK_FLIP ? pad : zs);

  /* The weight quads; the zero point times the weights' sum folded into
     the bias. */
  const int8_t *w = o->w + c * kh * kw;
  uint32_t sum = 0;
  for (int64_t y = 0; y < kh; ++y)
    for (int64_t g = 0; g < quads; ++g) {
      uint8_t quad[4];
      for (int64_t t = 0; t < 4; ++t) {
        int8_t v = 4 * g + t < kw ? w[y * kw + 4 * g + t] : 0;
        quad[t] = (uint8_t)v;
        sum += (uint32_t)(int32_t)v;
      }
      memcpy(&wq[y * quads + g], quad, 4);
    }
  int32_t bias = (int32_t)((uint32_t)o->bias[c] - zsv * sum);
  struct qk_dw_requant rq = qk_dw_requant_at(o->mult[c], o->shift[c], p);

  /* Row phases: kernel row y reads padded row (oy + q)*sh + ph of output
     row oy, q = (y*dh) / sh, ph = (y*dh) % sh. Each phase in use gets a
     slot s (phase[s]), whose rows q span [lo[s], hi[s]]; slot[y] is
     kernel row y's. */
  int64_t phase[QUANT_QDWCONV_MAX_K], lo[QUANT_QDWCONV_MAX_K],
      hi[QUANT_QDWCONV_MAX_K], slot[QUANT_QDWCONV_MAX_K];
  int64_t used = 0, spread = 0;
  for (int64_t y = 0; y < kh; ++y) {
    int64_t ph = y * dh % sh, q = y * dh / sh, s = 0;
    while (s < used && phase[s] != ph)
      ++s;
    if (s == used) {
      phase[used++] = ph;
      lo[s] = hi[s] = q;
    }
    lo[s] = q < lo[s] ? q : lo[s];
    hi[s] = q > hi[s] ? q : hi[s];
    slot[y] = s;
  }
  for (int64_t s = 0; s < used; ++s)
    spread += hi[s] - lo[s];
  /* Entries per quad; the columns per chunk, so that one output row's
     windows (used + spread rows, and slack per phase) fit. */
  int64_t room = QK_DW_BUFFER / 4 / quads - used * QK_DW_LANES;
  int64_t cmax = qk_min(qk_min(ow, QK_DW_CHUNK), room / (used + spread));

  const int8_t *plane = o->in + (n * ch + c) * ih * iw;
  int8_t *outPlane = o->out + (n * ch + c) * oh * ow;
  for (int64_t ox0 = 0; ox0 < ow; ox0 += cmax) {
    int64_t cw = qk_min(cmax, ow - ox0);
    int64_t ne = (cw + QK_DW_LANES - 1) / QK_DW_LANES * QK_DW_LANES;
    int64_t c0 = ox0 * sw - pl; /* the first tap's column */
    /* Output rows per group: a quad's windows (used * rows + spread rows
       of cw entries, and slack per phase) fit the buffer. */
    int64_t rows = qk_min(oy1 - oy0, (room / cw - spread) / used);
    int64_t start[QUANT_QDWCONV_MAX_K]; /* a slot's first entry */
    int64_t qbytes = 0;                 /* bytes per quad */
    for (int64_t s = 0; s < used; ++s) {
      start[s] = qbytes / 4;
      qbytes += ((rows + hi[s] - lo[s]) * cw + QK_DW_LANES) * 4;
    }

    for (int64_t g0 = oy0; g0 < oy1; g0 += rows) {
      int64_t gr = qk_min(rows, oy1 - g0);
      /* Expand the group's rows, in order within each phase (an
         expansion may spill into the next row's entries, or the slack). */
      for (int64_t s = 0; s < used; ++s) {
        /* Rows m in [0, count): input row r0 + m*sh, inside the image for
           m in [m0, m1). */
        int64_t count = gr + hi[s] - lo[s];
        int64_t r0 = (g0 + lo[s]) * sh + phase[s] - pt;
        int64_t m0 = qk_min(count, r0 < 0 ? (-r0 + sh - 1) / sh : 0);
        int64_t m1 = r0 >= ih ? 0 : qk_min(count, (ih - r0 + sh - 1) / sh);
        m1 = m1 < m0 ? m0 : m1;
        for (int64_t g = 0; g < quads; ++g) {
          uint8_t *dst = buf + g * qbytes + start[s] * 4;
          memset(dst, pad, (size_t)(m0 * cw * 4));
          if (m1 > m0)
            qk_dw_expand(dst + m0 * cw * 4, cw * 4, plane + (r0 + m0 * sh) * iw,
                         sh * iw, m1 - m0, c0 + 4 * g * dw, iw, zs, ne, cw, sw,
                         dw, o->in, inSize);
          /* The padding rows below, and the slack (read only for outputs
             that are dropped). */
          memset(dst + m1 * cw * 4, pad,
                 (size_t)(((count - m1) * cw + QK_DW_LANES) * 4));
        }
      }
      /* Each (kernel row, quad) reads its run of windows. */
      const uint8_t *src[QUANT_QDWCONV_MAX_K * QK_DW_QUADS];
      int32_t wt[QUANT_QDWCONV_MAX_K * QK_DW_QUADS];
      int64_t nt = 0;
      for (int64_t y = 0; y < kh; ++y) {
        int64_t s = slot[y], q = y * dh / sh;
        for (int64_t g = 0; g < quads; ++g) {
          src[nt] = buf + g * qbytes + (start[s] + (q - lo[s]) * cw) * 4;
          wt[nt++] = wq[y * quads + g];
        }
      }
      if (cw == ow) {
        qk_dw_row(src, wt, nt, bias, &rq, outPlane + g0 * ow, gr * ow);
        continue;
      }
      for (int64_t k = 0; k < gr; ++k) {
        qk_dw_row(src, wt, nt, bias, &rq, outPlane + (g0 + k) * ow + ox0, cw);
        for (int64_t t = 0; t < nt; ++t)
          src[t] += cw * 4;
      }
    }
  }
}

/* One depthwise convolution: tasks (image, channel, band of output rows),
   bands only when parallel, of about QK_DW_BAND outputs. */
QK_INLINE void qk_qdwconv2d(struct qk_int8_operands o) {
  const int64_t *p = o.p;
  int64_t batch = p[QUANT_QCONV_BATCH], ch = p[QUANT_QCONV_IC],
          oh = p[QUANT_QCONV_OH], ow = p[QUANT_QCONV_OW];
  if (batch <= 0 || oh <= 0 || ow <= 0)
    return;
  int64_t work = batch * ch * oh * ow * p[QUANT_QCONV_KH] * p[QUANT_QCONV_KW];
  int parallel = p[QUANT_QCONV_PARALLEL] && work >= QK_PARALLEL_MACS;
  int64_t bands =
      parallel ? qk_min(oh, (oh * ow + QK_DW_BAND - 1) / QK_DW_BAND) : 1;
  int64_t rows = (oh + bands - 1) / bands;
  bands = (oh + rows - 1) / rows;
  int64_t tasks = batch * ch * bands;
  parallel = parallel && tasks > 1;
  (void)parallel; /* without -fopenmp */
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t band = t % bands, c = t / bands % ch, n = t / bands / ch;
    qk_dw_task(&o, n, c, band * rows, qk_min(oh, band * rows + rows));
  }
}

#endif /* QUANT_KERNELS_QK_DWCONV_DRIVERS_H */
