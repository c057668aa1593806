/*===- int8_kernel_check.c - The int8 kernels under sanitizers ------------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * Built with one instruction set's kernel file (runtime/kernels/qk_<isa>.c
 * or runtime/kernels/arch/<arch>/qk_<isa>.c; -DISA=<name> -DISA_MR=..
 * -DISA_NC=.. -DISA_CPU='"feature"' here) and
 * -fsanitize=address,undefined:
 *
 * - random convolutions (1-13 input channels, so partial channel groups;
 *   1-5 taps a side; strides 1-3; dilations 1-2; pads 0-2 on each side, so
 *   inputs wider than what the outputs read; rows up to 700 wide, so every
 *   layout of quant_qconv_layout),
 * - random GEMMs (1-13 rows, one in three a single row; K 1-300, so
 *   partial k-groups; N 1-100, so partial panels),
 * - random products of two activations (quant_qbmm: batch 1-3, 1-9 rows,
 *   K 1-300, N 1-300 so past the 256-column block, rhs as [K][N] or
 *   [N][K]; one in fifty with K near QUANT_QBMM_MAX_K and every product
 *   255 * 255, where UBSan would see an int32 overflow),
 *
 * run through the kernels with every buffer allocated at exactly its size
 * (the scratch at quant_qconv_scratch_bytes / quant_qgemm_scratch_bytes),
 * so a read past the repacked image, the packed rows or a weight panel
 * stops the run, and each output is compared with naive loops (u8-shifted
 * activations, QuantMath's requantization). Prints "ISA: N convs, M
 * mismatches; N gemms, M mismatches; N products, M mismatches", or that
 * the CPU lacks the ISA.
 *
 *===----------------------------------------------------------------------===*/

#include "kernels/quant_int8_kernels.h"

#include <stdio.h>
#include <stdlib.h>

#define QK_CAT2(a, b) a##b
#define QK_CAT(a, b) QK_CAT2(a, b)
#define STR2(a) #a
#define STR(a) STR2(a)
#define CONV_KERNEL QK_CAT(_mlir_ciface_quant_qconv2d_, ISA)
#define GEMM_KERNEL QK_CAT(_mlir_ciface_quant_qgemm_, ISA)
#define QBMM_KERNEL QK_CAT(_mlir_ciface_quant_qbmm_, ISA)
#define MEMREF(p) {(p), (p), 0, 0, 1}

static int64_t draw(int64_t lo, int64_t hi) {
  return lo + rand() % (hi - lo + 1);
}

/* QuantMath's requantization of a wrapped int32 accumulator. */
static int8_t requantize(int64_t acc, int32_t mult, int32_t shift,
                         int64_t zp) {
  int64_t r = (((int64_t)(int32_t)acc * mult + ((int64_t)1 << (shift - 1))) >>
               shift) +
              zp;
  return (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
}

static int check_convs(void) {
  int convs = 0, mismatches = 0;
  for (int it = 0; it < 2000; ++it) {
    int64_t ic = draw(1, 13), oc = draw(1, 20), kh = draw(1, 5),
            kw = draw(1, 5), sh = draw(1, 3), sw = draw(1, 3),
            dh = draw(1, 2), dw = draw(1, 2);
    int64_t pt = draw(0, 2), pl = draw(0, 2), pb = draw(0, 2),
            pr = draw(0, 2);
    int64_t eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
    /* One conv in four has wide, short rows: strided ones then take the
       stride-phase layout (output rows of at least 4 tiles). */
    int wide = it % 4 == 0;
    int64_t ih = draw(eh > pt + pb ? eh - pt - pb : 1, wide ? eh + 3 : 30);
    int64_t iw = draw(ew > pl + pr ? ew - pl - pr : 1, wide ? 700 : 70);
    int64_t oh = (ih + pt + pb - eh) / sh + 1, ow = (iw + pl + pr - ew) / sw + 1;
    int32_t zp = (int32_t)draw(-128, 127);
    int64_t kgs = quant_qconv_direct_row(ic, kh, kw, 4) / 4;
    int64_t blocks = (oc + ISA_MR - 1) / ISA_MR;
    int8_t *in = malloc(ic * ih * iw), *w = malloc(oc * ic * kh * kw);
    int8_t *packed = calloc(blocks * kgs * ISA_MR * 4, 1);
    int8_t *out = malloc(oc * oh * ow);
    int32_t *bias = malloc(oc * 4), *mult = malloc(oc * 4),
            *shift = malloc(oc * 4), *raw = malloc(oc * 4);
    for (int64_t i = 0; i < ic * ih * iw; ++i)
      in[i] = (int8_t)rand();
    for (int64_t i = 0; i < oc * ic * kh * kw; ++i)
      w[i] = (int8_t)rand();
    /* Weights in the direct K order, as rows panels; the bias folds the
       u8 shift of the activations: -(zp + 128) * sum(w). */
    for (int64_t o = 0; o < oc; ++o) {
      int64_t sum = 0;
      for (int64_t c = 0; c < ic; ++c)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x) {
            int8_t v = w[((o * ic + c) * kh + y) * kw + x];
            int64_t k = quant_qconv_direct_k(c, y, x, kh, kw, 4);
            packed[((o / ISA_MR) * kgs + k / 4) * ISA_MR * 4 +
                   (o % ISA_MR) * 4 + k % 4] = v;
            sum += v;
          }
      raw[o] = (int32_t)draw(-1000, 1000);
      bias[o] = (int32_t)(raw[o] - (zp + 128) * sum);
      mult[o] = 1 << 30;
      shift[o] = (int32_t)draw(36, 44);
    }
    int64_t p[QUANT_QCONV_NUM_PARAMS] = {
        1, ic, ih, iw, oc, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, zp,
        draw(-5, 5), -128, 127, 0};
    uint8_t *scratch = malloc(quant_qconv_scratch_bytes(p, ISA_NC, 4));
    quant_memref_i8 mi = MEMREF(in), mw = MEMREF(packed), mo = MEMREF(out);
    quant_memref_i32 mb = MEMREF(bias), mm = MEMREF(mult), ms = MEMREF(shift);
    quant_memref_u8 mscr = MEMREF(scratch);
    quant_memref_i64 mp = MEMREF(p);
    CONV_KERNEL(&mi, &mw, &mb, &mm, &ms, &mo, &mscr, &mp);
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          int64_t acc = raw[o];
          for (int64_t c = 0; c < ic; ++c)
            for (int64_t u = 0; u < kh; ++u)
              for (int64_t v = 0; v < kw; ++v) {
                int64_t iy = y * sh - pt + u * dh, ix = x * sw - pl + v * dw;
                int64_t a = iy >= 0 && iy < ih && ix >= 0 && ix < iw
                                ? in[(c * ih + iy) * iw + ix]
                                : zp;
                acc += (a - zp) * w[((o * ic + c) * kh + u) * kw + v];
              }
          int8_t r = requantize(acc, mult[o], shift[o], p[QUANT_QCONV_OUT_ZP]);
          if (out[(o * oh + y) * ow + x] != r && mismatches++ < 5)
            printf("conv %d (ic %ld oc %ld %ldx%ld strides %ld %ld dilations "
                   "%ld %ld pads %ld %ld %ld %ld input %ldx%ld): output "
                   "(%ld, %ld, %ld) is %d, expected %d\n",
                   it, (long)ic, (long)oc, (long)kh, (long)kw, (long)sh,
                   (long)sw, (long)dh, (long)dw, (long)pt, (long)pl,
                   (long)pb, (long)pr, (long)ih, (long)iw, (long)o, (long)y,
                   (long)x, out[(o * oh + y) * ow + x], r);
        }
    ++convs;
    free(in), free(w), free(packed), free(out), free(bias), free(mult);
    free(shift), free(raw), free(scratch);
  }
  printf("%s: %d convs, %d mismatches; ", STR(ISA), convs, mismatches);
  return mismatches;
}

static int check_gemms(void) {
  int gemms = 0, mismatches = 0;
  for (int it = 0; it < 2000; ++it) {
    int64_t b = it % 3 == 0 ? 1 : draw(1, 13), k = draw(1, 300),
            n = draw(1, 100);
    int32_t zp = (int32_t)draw(-128, 127);
    int64_t kgs = (k + 3) / 4, panels = (n + ISA_NC - 1) / ISA_NC;
    int8_t *in = malloc(b * k), *w = malloc(k * n), *out = malloc(b * n);
    int8_t *packed = calloc(panels * kgs * ISA_NC * 4, 1);
    int32_t *bias = malloc(n * 4), *mult = malloc(n * 4),
            *shift = malloc(n * 4), *raw = malloc(n * 4);
    for (int64_t i = 0; i < b * k; ++i)
      in[i] = (int8_t)rand();
    /* Weights [K][N] as cols panels [N/NC][KGS][NC][4]; the bias folds the
       u8 shift of the activations: -(zp + 128) * sum(w). */
    for (int64_t j = 0; j < n; ++j) {
      int64_t sum = 0;
      for (int64_t kk = 0; kk < k; ++kk) {
        int8_t v = (int8_t)rand();
        w[kk * n + j] = v;
        packed[((j / ISA_NC) * kgs + kk / 4) * ISA_NC * 4 +
               (j % ISA_NC) * 4 + kk % 4] = v;
        sum += v;
      }
      raw[j] = (int32_t)draw(-1000, 1000);
      bias[j] = (int32_t)(raw[j] - (zp + 128) * sum);
      mult[j] = 1 << 30;
      shift[j] = (int32_t)draw(36, 44);
    }
    int64_t p[QUANT_QGEMM_NUM_PARAMS] = {b, k, n, zp, draw(-5, 5), -128, 127,
                                         0};
    uint8_t *scratch = malloc(quant_qgemm_scratch_bytes(b, k, ISA_MR, 4));
    quant_memref_i8 mi = MEMREF(in), mw = MEMREF(packed), mo = MEMREF(out);
    quant_memref_i32 mb = MEMREF(bias), mm = MEMREF(mult), ms = MEMREF(shift);
    quant_memref_u8 mscr = MEMREF(scratch);
    quant_memref_i64 mp = MEMREF(p);
    GEMM_KERNEL(&mi, &mw, &mb, &mm, &ms, &mo, &mscr, &mp);
    for (int64_t r = 0; r < b; ++r)
      for (int64_t j = 0; j < n; ++j) {
        int64_t acc = raw[j];
        for (int64_t kk = 0; kk < k; ++kk)
          acc += (in[r * k + kk] - zp) * w[kk * n + j];
        int8_t e = requantize(acc, mult[j], shift[j], p[QUANT_QGEMM_OUT_ZP]);
        if (out[r * n + j] != e && mismatches++ < 5)
          printf("gemm %d (%ldx%ld by %ldx%ld): output (%ld, %ld) is %d, "
                 "expected %d\n",
                 it, (long)b, (long)k, (long)k, (long)n, (long)r, (long)j,
                 out[r * n + j], e);
      }
    ++gemms;
    free(in), free(w), free(out), free(packed), free(bias), free(mult);
    free(shift), free(raw), free(scratch);
  }
  printf("%d gemms, %d mismatches; ", gemms, mismatches);
  return mismatches;
}

static int check_products(void) {
  int products = 0, mismatches = 0;
  for (int it = 0; it < 1000; ++it) {
    int bound = it % 50 == 49;
    int64_t batch = draw(1, 3), m = it % 3 == 0 ? 1 : draw(1, 9),
            k = draw(1, 300), n = draw(1, 300), nk = draw(0, 1);
    int64_t za = draw(-128, 127), zb = draw(-128, 127);
    if (bound)
      batch = 1, m = 1, n = draw(1, 3), k = QUANT_QBMM_MAX_K - draw(0, 100),
      za = 127, zb = -128;
    int8_t *a = malloc(batch * m * k), *b = malloc(batch * k * n),
           *out = malloc(batch * m * n);
    for (int64_t i = 0; i < batch * m * k; ++i)
      a[i] = bound ? -128 : (int8_t)rand();
    for (int64_t i = 0; i < batch * k * n; ++i)
      b[i] = bound ? 127 : (int8_t)rand();
    int64_t p[QUANT_QBMM_NUM_PARAMS] = {batch,
                                        m,
                                        k,
                                        n,
                                        nk,
                                        za,
                                        zb,
                                        (int64_t)draw(1 << 29, (1 << 30) - 1),
                                        bound ? 47 : draw(36, 44),
                                        draw(-5, 5),
                                        -128,
                                        127,
                                        0};
    if (!quant_qbmm_supported(p)) {
      printf("product %d: params refused\n", it);
      return 1;
    }
    quant_memref_i8 ma = MEMREF(a), mb = MEMREF(b), mo = MEMREF(out);
    quant_memref_i64 mp = MEMREF(p);
    QBMM_KERNEL(&ma, &mb, &mo, &mp);
    for (int64_t bi = 0; bi < batch; ++bi)
      for (int64_t r = 0; r < m; ++r)
        for (int64_t j = 0; j < n; ++j) {
          int64_t acc = 0;
          for (int64_t kk = 0; kk < k; ++kk) {
            int8_t bv =
                nk ? b[(bi * n + j) * k + kk] : b[(bi * k + kk) * n + j];
            acc += (a[(bi * m + r) * k + kk] - za) * (int64_t)(bv - zb);
          }
          int8_t e =
              requantize(acc, (int32_t)p[QUANT_QBMM_MULT],
                         (int32_t)p[QUANT_QBMM_SHIFT], p[QUANT_QBMM_OUT_ZP]);
          int8_t got = out[(bi * m + r) * n + j];
          if (got != e && mismatches++ < 5)
            printf("product %d (%ldx%ldx%ld by %ldx%ld, %s): output (%ld, "
                   "%ld, %ld) is %d, expected %d\n",
                   it, (long)batch, (long)m, (long)k, (long)k, (long)n,
                   nk ? "[N][K]" : "[K][N]", (long)bi, (long)r, (long)j, got,
                   e);
        }
    ++products;
    free(a), free(b), free(out);
  }
  printf("%d products, %d mismatches\n", products, mismatches);
  return mismatches;
}

int main(void) {
#ifdef ISA_CPU
  __builtin_cpu_init();
  if (!__builtin_cpu_supports(ISA_CPU)) {
    printf("%s: skipped, the CPU lacks %s\n", STR(ISA), ISA_CPU);
    return 0;
  }
#endif
  srand(7);
  int mismatches = check_convs();
  mismatches += check_gemms();
  mismatches += check_products();
  return mismatches != 0;
}
