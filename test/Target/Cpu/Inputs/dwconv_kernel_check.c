/*===- dwconv_kernel_check.c - The int8 depthwise kernels against loops ---===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * Links one instruction set's kernel file (runtime/kernels/qk_generic.c or
 * arch/<arch>/qk_<isa>.c; -DISA=<name> [-DISA_CPU='"feature"'] here) and
 * runs its _mlir_ciface_quant_qdwconv2d_<isa> on random depthwise convs:
 * kernels 1x1 to 8x8 and non-square, strides up to 4, dilations up to 32,
 * pads 0-3 on each side, 1..37-wide images and rows of several chunks,
 * every 1x1..4x4 image, batch 1-2, the extremes of both grids, ReLU-like
 * clamps, and requantization multipliers and shifts over their whole
 * range. The input buffer is exactly the tensor and the output has guard
 * bytes, so under AddressSanitizer a read or write outside them fails.
 * Every output must equal the loops of the contract in
 * quant_int8_kernels.h. Argument "quick": one sample per geometry (the
 * sanitized test); none: three. PARALLEL=1 in the environment sets the
 * params' parallel flag. Prints "ISA: N depthwise convs, M mismatches",
 * or that the CPU lacks the ISA.
 *
 *===----------------------------------------------------------------------===*/
#include "quant_int8_kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QK_CAT2(a, b) a##b
#define QK_CAT(a, b) QK_CAT2(a, b)
#define STR2(x) #x
#define STR(x) STR2(x)
#define KERNEL QK_CAT(_mlir_ciface_quant_qdwconv2d_, ISA)
extern quant_int8_kernel KERNEL;
static long cases, bad_cases;

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}
static int64_t rnd(int64_t lo, int64_t hi) { /* inclusive */
  return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1));
}

/* The semantics, written out directly. */
static void reference(const int64_t *p, const int8_t *in, const int8_t *w,
                      const int32_t *bias, const int32_t *mult,
                      const int32_t *shift, int8_t *out) {
  int64_t N = p[QUANT_QCONV_BATCH], C = p[QUANT_QCONV_IC],
          IH = p[QUANT_QCONV_IH], IW = p[QUANT_QCONV_IW],
          OH = p[QUANT_QCONV_OH], OW = p[QUANT_QCONV_OW],
          KH = p[QUANT_QCONV_KH], KW = p[QUANT_QCONV_KW];
  int64_t zp = p[QUANT_QCONV_IN_ZP];
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          uint32_t acc = (uint32_t)bias[c];
          for (int64_t y = 0; y < KH; ++y)
            for (int64_t x = 0; x < KW; ++x) {
              int64_t iy = oy * p[QUANT_QCONV_SH] + y * p[QUANT_QCONV_DH] -
                           p[QUANT_QCONV_PAD_TOP];
              int64_t ix = ox * p[QUANT_QCONV_SW] + x * p[QUANT_QCONV_DW] -
                           p[QUANT_QCONV_PAD_LEFT];
              int64_t v = iy >= 0 && iy < IH && ix >= 0 && ix < IW
                              ? in[((n * C + c) * IH + iy) * IW + ix]
                              : zp;
              acc += (uint32_t)(int32_t)((v - zp) * w[(c * KH + y) * KW + x]);
            }
          int64_t v = ((int64_t)(int32_t)acc * mult[c] +
                       ((int64_t)1 << (shift[c] - 1))) >>
                      shift[c];
          v += p[QUANT_QCONV_OUT_ZP];
          if (v < p[QUANT_QCONV_QMIN])
            v = p[QUANT_QCONV_QMIN];
          if (v > p[QUANT_QCONV_QMAX])
            v = p[QUANT_QCONV_QMAX];
          out[((n * C + c) * OH + oy) * OW + ox] = (int8_t)v;
        }
}

#define GUARD 64
static int8_t *alloc8(int64_t n) { return malloc((size_t)(n + 2 * GUARD)); }

/* Runs `fn` on the problem; returns 0 when its output is the reference's
   and nothing around it was written. */
static int run_one(quant_int8_kernel *fn, int64_t *p, int8_t *in, int8_t *w,
                   int32_t *bias, int32_t *mult, int32_t *shift,
                   const int8_t *expect, int64_t outSize) {
  int64_t C = p[QUANT_QCONV_IC];
  int64_t inSize = p[QUANT_QCONV_BATCH] * C * p[QUANT_QCONV_IH] *
                   p[QUANT_QCONV_IW];
  int8_t *ob = alloc8(outSize);
  memset(ob, 0x5a, (size_t)(outSize + 2 * GUARD));
  int64_t sb = quant_qdwconv_scratch_bytes(p);
  uint8_t *scratch = malloc((size_t)(sb > 0 ? sb : 1));
  /* Offsets into the descriptors, as MLIR may pass them. */
  quant_memref_i8 mi = {in - 3, in - 3, 3, inSize, 1};
  quant_memref_i8 mw = {w, w, 0, C * p[QUANT_QCONV_KH] * p[QUANT_QCONV_KW], 1};
  quant_memref_i32 mb = {bias, bias, 0, C, 1};
  quant_memref_i32 mm = {mult, mult, 0, C, 1};
  quant_memref_i32 ms = {shift, shift, 0, C, 1};
  quant_memref_i8 mo = {ob, ob, GUARD, outSize, 1};
  quant_memref_u8 msc = {scratch, scratch, 0, sb > 0 ? sb : 1, 1};
  quant_memref_i64 mp = {p, p, 0, QUANT_QCONV_NUM_PARAMS, 1};
  fn(&mi, &mw, &mb, &mm, &ms, &mo, &msc, &mp);
  int bad = memcmp(ob + GUARD, expect, (size_t)outSize) != 0;
  for (int64_t i = 0; i < GUARD; ++i)
    bad |= ob[i] != 0x5a || ob[GUARD + outSize + i] != 0x5a;
  if (bad && getenv("VERBOSE")) {
    for (int64_t i = 0; i < outSize; ++i)
      if (ob[GUARD + i] != expect[i]) {
        fprintf(stderr, "  first mismatch at %ld: got %d want %d\n", (long)i,
                ob[GUARD + i], expect[i]);
        break;
      }
  }
  free(ob);
  free(scratch);
  return bad;
}

static int parallel_flag;

/* One random problem of the given geometry; `mode` picks value
   distributions (0 random, 1 extremes -128, 2 extremes 127, 3 ReLU-like). */
static void test_case(int64_t N, int64_t C, int64_t IH, int64_t IW, int64_t KH,
                      int64_t KW, int64_t SH, int64_t SW, int64_t DH,
                      int64_t DW, int64_t pt, int64_t pl, int64_t pb,
                      int64_t pr, int mode) {
  int64_t OH = (IH + pt + pb - (DH * (KH - 1) + 1)) / SH + 1;
  int64_t OW = (IW + pl + pr - (DW * (KW - 1) + 1)) / SW + 1;
  if (IH + pt + pb < DH * (KH - 1) + 1 || IW + pl + pr < DW * (KW - 1) + 1)
    return;
  int64_t p[QUANT_QCONV_NUM_PARAMS] = {0};
  p[QUANT_QCONV_BATCH] = N;
  p[QUANT_QCONV_IC] = p[QUANT_QCONV_OC] = C;
  p[QUANT_QCONV_IH] = IH;
  p[QUANT_QCONV_IW] = IW;
  p[QUANT_QCONV_OH] = OH;
  p[QUANT_QCONV_OW] = OW;
  p[QUANT_QCONV_KH] = KH;
  p[QUANT_QCONV_KW] = KW;
  p[QUANT_QCONV_SH] = SH;
  p[QUANT_QCONV_SW] = SW;
  p[QUANT_QCONV_DH] = DH;
  p[QUANT_QCONV_DW] = DW;
  p[QUANT_QCONV_PAD_TOP] = pt;
  p[QUANT_QCONV_PAD_LEFT] = pl;
  p[QUANT_QCONV_IN_ZP] = mode == 1 ? 127 : mode == 2 ? -128 : rnd(-128, 127);
  p[QUANT_QCONV_OUT_ZP] = rnd(-128, 127);
  p[QUANT_QCONV_QMIN] = -128;
  p[QUANT_QCONV_QMAX] = 127;
  if (mode == 3 || next() % 4 == 0)
    p[QUANT_QCONV_QMIN] = p[QUANT_QCONV_OUT_ZP];
  p[QUANT_QCONV_PARALLEL] = parallel_flag;
  if (!quant_qdwconv_supported(p)) {
    fprintf(stderr, "unsupported?\n");
    exit(1);
  }
  int64_t inSize = N * C * IH * IW, outSize = N * C * OH * OW;
  /* Exactly the tensor: the sanitizers catch any read outside it. */
  int8_t *inb = malloc((size_t)(inSize > 0 ? inSize : 1)), *in = inb;
  int8_t *w = malloc((size_t)(C * KH * KW));
  int32_t *bias = malloc(sizeof(int32_t) * C),
          *mult = malloc(sizeof(int32_t) * C),
          *shift = malloc(sizeof(int32_t) * C);
  for (int64_t i = 0; i < inSize; ++i)
    in[i] = mode == 1 ? -128 : mode == 2 ? 127 : (int8_t)rnd(-128, 127);
  for (int64_t i = 0; i < C * KH * KW; ++i)
    w[i] = mode == 1 || mode == 2 ? (i % 2 && mode == 2 ? 127 : -128)
                                  : (int8_t)rnd(-128, 127);
  for (int64_t c = 0; c < C; ++c) {
    int kind = (int)(next() % 16);
    bias[c] = kind == 0 ? (int32_t)next()
                        : (int32_t)rnd(-200000, 200000);
    if (kind == 1) {
      mult[c] = (int32_t)next(); /* any int32, any shift */
      shift[c] = (int32_t)rnd(1, 62);
    } else if (kind == 2) {
      mult[c] = (int32_t)rnd(1 << 30, 2147483647);
      shift[c] = (int32_t)rnd(1, 31);
    } else if (kind == 3) {
      mult[c] = (int32_t)rnd(1 << 30, 2147483647);
      shift[c] = (int32_t)rnd(32, 62);
    } else if (kind == 4) {
      static const int32_t special[] = {0, 1, -1, -2147483647 - 1, 2147483647};
      mult[c] = special[next() % 5];
      shift[c] = (int32_t)rnd(1, 62);
    } else {
      /* As the compiler makes them: outputs that use the grid. */
      mult[c] = (int32_t)rnd(1 << 30, 2147483647);
      shift[c] = (int32_t)rnd(31, 44);
    }
  }
  int8_t *expect = malloc((size_t)(outSize > 0 ? outSize : 1));
  reference(p, in, w, bias, mult, shift, expect);
  int bad = run_one(KERNEL, p, in, w, bias, mult, shift, expect, outSize);
  cases++;
  if (bad && ++bad_cases <= 10)
    fprintf(stderr,
            "MISMATCH %s: N=%ld C=%ld %ldx%ld k=%ldx%ld s=%ldx%ld d=%ldx%ld "
            "pads t%ld l%ld b%ld r%ld mode=%d zp=%ld\n",
            STR(ISA), (long)N, (long)C, (long)IH, (long)IW, (long)KH,
            (long)KW, (long)SH, (long)SW, (long)DH, (long)DW, (long)pt,
            (long)pl, (long)pb, (long)pr, mode, (long)p[QUANT_QCONV_IN_ZP]);
  free(inb);
  free(w);
  free(bias);
  free(mult);
  free(shift);
  free(expect);
}

int main(int argc, char **argv) {
  parallel_flag = getenv("PARALLEL") ? atoi(getenv("PARALLEL")) : 0;
#ifdef ISA_CPU
  __builtin_cpu_init();
  if (!__builtin_cpu_supports(ISA_CPU)) {
    printf("%s: skipped, the CPU lacks %s\n", STR(ISA), ISA_CPU);
    return 0;
  }
#endif
  int quick = argc > 1 && !strcmp(argv[1], "quick");
  static const int64_t kernels[][2] = {{1, 1}, {3, 3}, {5, 5}, {7, 7},
                                       {3, 5}, {5, 3}, {2, 2}, {8, 8},
                                       {1, 7}, {4, 1}};
  static const int64_t strides[][2] = {{1, 1}, {2, 2}, {3, 3}, {1, 2},
                                       {2, 1}, {4, 4}, {3, 1}};
  static const int64_t dilations[][2] = {{1, 1}, {2, 2}, {1, 2}, {2, 1},
                                         {3, 4}};
  static const int64_t Cs[] = {1, 3, 8, 17};
  int samples = quick ? 1 : argc > 1 && !strcmp(argv[1], "big") ? 12 : 3;
  for (unsigned k = 0; k < sizeof(kernels) / sizeof(kernels[0]); ++k)
    for (unsigned s = 0; s < sizeof(strides) / sizeof(strides[0]); ++s)
      for (unsigned d = 0; d < sizeof(dilations) / sizeof(dilations[0]); ++d)
        for (unsigned ci = 0; ci < 4; ++ci)
          for (int r = 0; r < samples; ++r) {
            int64_t N = rnd(1, 2);
            int64_t IH = rnd(1, 37), IW = rnd(1, 37);
            if (next() % 8 == 0)
              IW = rnd(250, 600); /* several chunks per row */
            if (next() % 8 == 0)
              IH = 1;
            if (next() % 8 == 0)
              IW = 1;
            int mode = (int)(next() % 8);
            mode = mode < 4 ? mode : 0;
            test_case(N, Cs[ci], IH, IW, kernels[k][0], kernels[k][1],
                      strides[s][0], strides[s][1], dilations[d][0],
                      dilations[d][1], rnd(0, 3), rnd(0, 3), rnd(0, 3),
                      rnd(0, 3), mode);
          }
  /* Every 1x1 .. 4x4 image with a 3x3 kernel, strides 1 and 2. */
  for (int64_t h = 1; h <= 4; ++h)
    for (int64_t wd = 1; wd <= 4; ++wd)
      for (int64_t s = 1; s <= 2; ++s)
        test_case(1, 2, h, wd, 3, 3, s, s, 1, 1, 1, 1, 1, 1, 0);
  /* Large planes: several row bands per channel when parallel. */
  test_case(1, 2, 130, 300, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0);
  test_case(2, 3, 97, 161, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2, 0);
  test_case(1, 1, 200, 70, 7, 7, 1, 1, 2, 2, 3, 3, 3, 3, 3);
  test_case(1, 5, 160, 160, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0);
  test_case(1, 5, 160, 160, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0);
  /* Large dilations: few columns per chunk (several chunks a row). */
  for (int r = 0; r < 6; ++r) {
    test_case(rnd(1, 2), 3, rnd(40, 80), rnd(40, 90), 3, 3, rnd(1, 3),
              rnd(1, 3), rnd(6, 18), rnd(6, 18), rnd(0, 3), rnd(0, 3),
              rnd(0, 3), rnd(0, 3), r % 4);
    test_case(1, 2, rnd(230, 260), rnd(230, 300), 8, 8, 1, rnd(1, 4), 32, 32,
              rnd(0, 3), rnd(0, 3), rnd(0, 3), rnd(0, 3), r % 4);
    test_case(1, 2, rnd(40, 60), rnd(200, 300), 7, 5, rnd(1, 4), rnd(1, 4),
              rnd(1, 5), rnd(1, 32), rnd(0, 3), rnd(0, 3), rnd(0, 3),
              rnd(0, 3), r % 4);
  }
  printf("%s: %ld depthwise convs, %ld mismatches\n", STR(ISA), cases,
         bad_cases);
  return bad_cases != 0;
}
