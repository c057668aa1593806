/*===- quant_int8_kernels.h - int8 convolution and GEMM microkernels -------===*
 *
 * Part of the quant project: an MLIR-based quantization compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * The contract between `quant-cpu-int8-kernels` (which packs weights at
 * compile time and emits calls) and the kernels in this folder (one file
 * per instruction set, qk_<isa>.c, which the compiler links into every
 * model as LLVM bitcode, so the kernels are compiled for the model's target
 * CPU together with the generated code).
 *
 * Both kernels compute one quantized GEMM per image,
 *
 *   out[r][c] = requantize(bias[ch] + sum_k rows[r][k] * cols[k][c])
 *
 * with rows/cols in the panel layouts below. On x86-64 `vpdpbusd`
 * multiplies unsigned bytes by signed bytes, so activations are shifted to
 * u8 (a + 128, zero point zp + 128) and weights stay s8; the compiler folds
 * -(zp + 128) * sum_k w into the int32 bias (exact modulo 2^32, like the
 * reference accumulator). The AArch64 kernels (sdot, smmla) multiply s8 by
 * s8: activations stay as they are and the bias takes -zp * sum_k w
 * (QUANT_ISA_SIGNED_ACTIVATIONS). Requantization is QuantMath's: (acc *
 * mult + 2^(shift-1)) >> shift in 64-bit, + output zero point, clamp.
 *
 * Panel layouts (KG = 4, or 8 for i8mm; KGS = ceil(K / KG); padding is 0):
 *   rows: [ceil(R / MR)][KGS][MR][KG] bytes  (MR rows of one k-group)
 *   cols: [ceil(C / NC)][KGS][NC][KG] bytes  (NC columns of one k-group)
 *
 * Convolution (NCHW): rows = weights [OC][K] (s8, packed at compile time,
 *   K in the direct order below), cols = the implicit im2col matrix of one
 *   image: never built, its k-groups are read in place from the image
 *   repacked into `scratch` (see quant_qconv_scratch_bytes), out =
 *   [OC][OH*OW], channel = row.
 * GEMM (fully connected): rows = activations [B][K] (u8, packed at run time
 *   into `scratch`), cols = weights [K][N] (s8, packed at compile time),
 *   out = [B][N], channel = column.
 *
 * Depthwise convolutions have a kernel of their own, on the weights and
 * bias as stored ("Depthwise convolutions" below), and so do products of
 * two activations ("Products of two activations").
 *
 * Every buffer is passed as a 1-D strided memref descriptor (MLIR's C
 * interface, `_mlir_ciface_NAME`); `params` holds the shape (the
 * QUANT_QCONV_* / QUANT_QGEMM_* indices).
 *
 *===----------------------------------------------------------------------===*/
#ifndef QUANT_INT8_KERNELS_H
#define QUANT_INT8_KERNELS_H

#include <stdint.h>

/* Instruction sets, with their register tile (MR rows x NC columns). The
   AArch64 ones, whose activations are s8, come last. */
enum quant_int8_isa {
  QUANT_ISA_GENERIC = 0,    /* portable C, vectorized by LLVM */
  QUANT_ISA_AVX2 = 1,       /* vpmaddwd on bytes widened to 16 bits: exact
                               32-bit products (never vpmaddubsw's int16
                               saturation) */
  QUANT_ISA_AVXVNNI = 2,    /* vpdpbusd on ymm (AVX-VNNI) */
  QUANT_ISA_AVX512VNNI = 3, /* vpdpbusd on zmm (AVX-512 VNNI) */
  QUANT_ISA_DOTPROD = 4,    /* AArch64 sdot (FEAT_DotProd), by lane */
  QUANT_ISA_I8MM = 5,       /* AArch64 smmla (FEAT_I8MM), 2x8 by 8x2 */
};

#define QUANT_GENERIC_MR 4
#define QUANT_GENERIC_NC 16
#define QUANT_AVX2_MR 4
#define QUANT_AVX2_NC 16
#define QUANT_AVXVNNI_MR 4
#define QUANT_AVXVNNI_NC 24
#define QUANT_AVX512VNNI_MR 8
#define QUANT_AVX512VNNI_NC 48
#define QUANT_DOTPROD_MR 8
#define QUANT_DOTPROD_NC 12
#define QUANT_I8MM_MR 8
#define QUANT_I8MM_NC 8

/* Bytes per k-group of the panels, and whether activations are packed as s8
   (1) or shifted to u8 (0), per instruction set. */
#define QUANT_ISA_KGROUP(isa) ((isa) == QUANT_ISA_I8MM ? 8 : 4)
#define QUANT_ISA_SIGNED_ACTIVATIONS(isa) ((isa) >= QUANT_ISA_DOTPROD)

/* params of the convolution kernel. */
enum {
  QUANT_QCONV_BATCH, QUANT_QCONV_IC, QUANT_QCONV_IH, QUANT_QCONV_IW,
  QUANT_QCONV_OC, QUANT_QCONV_OH, QUANT_QCONV_OW,
  QUANT_QCONV_KH, QUANT_QCONV_KW, QUANT_QCONV_SH, QUANT_QCONV_SW,
  QUANT_QCONV_DH, QUANT_QCONV_DW, QUANT_QCONV_PAD_TOP, QUANT_QCONV_PAD_LEFT,
  QUANT_QCONV_IN_ZP, QUANT_QCONV_OUT_ZP, QUANT_QCONV_QMIN, QUANT_QCONV_QMAX,
  QUANT_QCONV_PARALLEL, /* 0: stay on the calling thread (--no-threads) */
  QUANT_QCONV_NUM_PARAMS
};

/* params of the GEMM kernel. */
enum {
  QUANT_QGEMM_B, QUANT_QGEMM_K, QUANT_QGEMM_N, QUANT_QGEMM_IN_ZP,
  QUANT_QGEMM_OUT_ZP, QUANT_QGEMM_QMIN, QUANT_QGEMM_QMAX,
  QUANT_QGEMM_PARALLEL, /* 0: stay on the calling thread (--no-threads) */
  QUANT_QGEMM_NUM_PARAMS
};

/* 1-D memref descriptors as MLIR passes them to `_mlir_ciface_` functions. */
typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, size, stride;
} quant_memref_i8;
typedef struct {
  uint8_t *allocated, *aligned;
  int64_t offset, size, stride;
} quant_memref_u8;
typedef struct {
  int32_t *allocated, *aligned;
  int64_t offset, size, stride;
} quant_memref_i32;
typedef struct {
  int64_t *allocated, *aligned;
  int64_t offset, size, stride;
} quant_memref_i64;
typedef struct {
  float *allocated, *aligned;
  int64_t offset, size, stride;
} quant_memref_f32;

/* int4 layers (docs/Numerics.md, "int4 weights"): int8 input, combined
   scales c[o][g] = f32(s_x * s_w[o][g]), an f32 bias [O] and an f32
   result.
   The convolution: weights packed two per byte as [ceil(O/2)][K] (output
   channels 2p and 2p+1 in the low and high nibble, K = input channels *
   taps), c as [O][K / GROUP_K]; the QUANT_QCONV_* params (the output
   grid's ones unused) and QUANT_W4CONV_GROUP_K after them.
   The GEMM ([B][K] by [K][N]; the QUANT_QGEMM_* params, the output grid's
   ones unused, and QUANT_W4GEMM_GROUP_K) takes blocks of QUANT_W4_NB
   output channels, so that each 32-bit lane of a vector holds one output
   channel (the W4A8 layout):
     weights: [ceil(N / NB)][K / 4][16][4] bytes; byte (b, q, l, j) holds
       n = w + 8 (offset binary, 1..15) of output channel NB*b + l in its
       low nibble and of NB*b + 16 + l in its high nibble, at k = 4q + j;
       channels past N hold n = 8 (w = 0);
     scales: c as [ceil(N / NB)][K / GROUP_K][NB] (0 past N);
     corrections: [ceil(N / NB)][K / GROUP_K][NB] int32,
       -(zp + 128) * sum of the group's w (modulo 2^32);
   With u = x + 128 (u8) the kernel sums dot = sum u * n per group and
   output channel, and the reference's group sum is
     S = sum (x - zp) * w = dot - 8 * sum u + corrections  (modulo 2^32;
   exact, since |S| < 2^31). It needs K and GROUP_K multiples of 4
   (quant_w4gemm_supported) and scratch for the per-row group sums of u. */
enum { QUANT_W4CONV_GROUP_K = QUANT_QCONV_NUM_PARAMS, QUANT_W4CONV_NUM_PARAMS };
enum { QUANT_W4GEMM_GROUP_K = QUANT_QGEMM_NUM_PARAMS, QUANT_W4GEMM_NUM_PARAMS };
#define QUANT_W4_NB 32
static inline int quant_w4gemm_supported(int64_t k, int64_t group_k) {
  return group_k > 0 && k % 4 == 0 && group_k % 4 == 0 && k % group_k == 0;
}
static inline int64_t quant_w4gemm_scratch_bytes(int64_t rows, int64_t k,
                                                 int64_t group_k) {
  return rows * (k / group_k) * 4;
}
/* Output positions per im2col strip of the int4 convolution. */
#define QUANT_W4_STRIP 128
static inline int64_t quant_w4conv_scratch_bytes(int64_t k, int64_t oh,
                                                 int64_t ow) {
  return (oh * ow + QUANT_W4_STRIP - 1) / QUANT_W4_STRIP * k *
         QUANT_W4_STRIP * 2;
}

/* Convolutions are repacked once per image, by the kernel, into a buffer
   from which every k-group of a cols panel is read in place: NC
   consecutive KG-byte columns at a per-k-group offset. The input is
   shifted like the panels (u8 on x86-64), the input zero point in the
   padding. The layouts (quant_qconv_layout):

   - QUANT_QCONV_PADDED (unit strides): the image in padded channel groups,
     buf[CG][PH][PW][KG], CG = ceil(IC / KG). The KG bytes that output
     column ow reads for kernel tap (y, x) and channel group cg are at
     column ow + x*DW of row oh + y*DH, so consecutive output columns are
     consecutive KG-byte columns; tiles run over the padded grid OH x PW
     flattened, the PW - OW extra columns of each row computed and dropped.
   - QUANT_QCONV_PHASES (strided, output rows of at least 4 tiles): padded
     column c stored at phase c % SW, index c / SW,
     buf[CG][PH][SW][ceil(PW / SW)][KG]; tap (y, x) of output column ow is
     index ow + x*DW/SW of phase (x*DW) % SW of row oh*SH + y*DH; tiles run
     along one output row each.
   - QUANT_QCONV_IM2COL (strided, short output rows, where row tiles would
     be mostly dropped columns): the im2col matrix, buf[CG*KH*KW][OH*OW][KG],
     tiles over OH x OW flattened.

   Whatever the layout, the weights are packed with K in the order (cg, y,
   x, channel in group), channels past IC zero (quant_qconv_direct_k). PH
   and PW are the padded rows and columns that outputs read. */
enum { QUANT_QCONV_PADDED, QUANT_QCONV_PHASES, QUANT_QCONV_IM2COL };
static inline int quant_qconv_layout(const int64_t *p, int64_t nc) {
  if (p[QUANT_QCONV_SH] == 1 && p[QUANT_QCONV_SW] == 1)
    return QUANT_QCONV_PADDED;
  return p[QUANT_QCONV_OW] >= 4 * nc ? QUANT_QCONV_PHASES
                                     : QUANT_QCONV_IM2COL;
}
static inline int64_t quant_qconv_padded_h(const int64_t *p) {
  return (p[QUANT_QCONV_OH] - 1) * p[QUANT_QCONV_SH] +
         (p[QUANT_QCONV_KH] - 1) * p[QUANT_QCONV_DH] + 1;
}
static inline int64_t quant_qconv_padded_w(const int64_t *p) {
  return (p[QUANT_QCONV_OW] - 1) * p[QUANT_QCONV_SW] +
         (p[QUANT_QCONV_KW] - 1) * p[QUANT_QCONV_DW] + 1;
}
/* Position of weight (ci, y, x) in a row of the direct K order. */
static inline int64_t quant_qconv_direct_k(int64_t ci, int64_t y, int64_t x,
                                           int64_t kh, int64_t kw,
                                           int64_t kg) {
  return ((ci / kg * kh + y) * kw + x) * kg + ci % kg;
}
/* Length of a row of the direct K order. */
static inline int64_t quant_qconv_direct_row(int64_t ic, int64_t kh,
                                             int64_t kw, int64_t kg) {
  return (ic + kg - 1) / kg * kh * kw * kg;
}
/* Bytes of slack after the repacked image: the last tile reads up to NC
   columns past the grid and, in the padded layouts, its last taps up to a
   padded row further; those results are dropped. */
static inline int64_t quant_qconv_buffer_slack(const int64_t *p, int64_t nc,
                                               int64_t kg) {
  int64_t sw = p[QUANT_QCONV_SW];
  int64_t pws = (quant_qconv_padded_w(p) + sw - 1) / sw;
  return (nc + (quant_qconv_layout(p, nc) == QUANT_QCONV_IM2COL ? 0 : pws)) *
         kg;
}
/* Bytes of the repacked image, slack included. */
static inline int64_t quant_qconv_buffer_bytes(const int64_t *p, int64_t nc,
                                               int64_t kg) {
  int64_t cg = (p[QUANT_QCONV_IC] + kg - 1) / kg, sw = p[QUANT_QCONV_SW];
  int64_t pws = (quant_qconv_padded_w(p) + sw - 1) / sw;
  int64_t image = quant_qconv_layout(p, nc) == QUANT_QCONV_IM2COL
                      ? cg * p[QUANT_QCONV_KH] * p[QUANT_QCONV_KW] *
                            p[QUANT_QCONV_OH] * p[QUANT_QCONV_OW]
                      : cg * quant_qconv_padded_h(p) * sw * pws;
  return image * kg + quant_qconv_buffer_slack(p, nc, kg);
}

/* Bytes of the scratch buffer each kernel needs: the convolution's is the
   repacked image, then one int64 offset per k-group (8-byte aligned). */
static inline int64_t quant_qconv_scratch_bytes(const int64_t *p, int64_t nc,
                                                int64_t kg) {
  int64_t groups = (p[QUANT_QCONV_IC] + kg - 1) / kg * p[QUANT_QCONV_KH] *
                   p[QUANT_QCONV_KW];
  return (quant_qconv_buffer_bytes(p, nc, kg) + 7) / 8 * 8 + groups * 8;
}
static inline int64_t quant_qgemm_scratch_bytes(int64_t b, int64_t k,
                                                int64_t mr, int64_t kg) {
  return (b + mr - 1) / mr * ((k + kg - 1) / kg) * mr * kg;
}

/* Depthwise convolutions (group == IC == OC == C: one input channel per
   output channel), `_mlir_ciface_quant_qdwconv2d_<isa>`: a quant_int8_kernel
   with the QUANT_QCONV_* params, IC == OC == C, whose operands are
   neither packed nor compensated:

     input       int8 [N][C][IH][IW], zero point zp = params[IN_ZP];
     weights     int8 [C][KH][KW]: the ONNX weight [C][1][KH][KW] as stored
                 (symmetric, zero point 0);
     bias        int32 [C]: the raw bias (the kernel subtracts zp itself);
     multiplier, shift  int32 [C]: per-channel requantization;
     output      int8 [N][C][OH][OW];
     scratch     quant_qdwconv_scratch_bytes(params) bytes: 0 (the kernels
                 keep bounded buffers, about 36 KiB, on each thread's
                 stack), so any buffer of at least one byte;
     params      QUANT_QCONV_NUM_PARAMS entries; PARALLEL 0 keeps the call
                 on the calling thread, otherwise it runs tasks (image,
                 channel, band of output rows) on OpenMP threads when the
                 work is at least 2^18 multiply-adds (QK_PARALLEL_MACS).

   Every output is the reference lowering's, bit for bit:

     acc = bias[c] + sum_{y < KH, x < KW}
             (xp[n][c][oh*SH + y*DH][ow*SW + x*DW] - zp) * w[c][y][x]

   in int32 modulo 2^32, xp the input padded with zp (PAD_TOP rows above,
   PAD_LEFT columns left, and below and right as many as OH and OW read, so
   padding adds nothing), then QuantMath's requantization:
   out = clamp(((int64)acc * multiplier[c] + 2^(shift[c]-1)) >> shift[c]
               + OUT_ZP, QMIN, QMAX). Every product (x - zp in [-255, 255]
   by w in [-128, 127]) and every partial sum of up to 64 of them is exact
   in int32; only the bias's addition wraps.

   The kernels take what quant_qdwconv_supported accepts: KH, KW up to
   QUANT_QDWCONV_MAX_K, SW up to QUANT_QDWCONV_MAX_SW, DH, DW up to
   QUANT_QDWCONV_MAX_DH / _MAX_DW (these bound their row buffers; large
   dilations only narrow the column chunks), any SH and non-negative pads,
   int8 zero points and clamp bounds; they are exact for every int32
   multiplier with a shift in [1, 62]. The compiler lowers other depthwise
   convolutions to loops. */
#define QUANT_QDWCONV_MAX_K 8
#define QUANT_QDWCONV_MAX_SW 4
#define QUANT_QDWCONV_MAX_DH 32
#define QUANT_QDWCONV_MAX_DW 32
static inline int quant_qdwconv_in_i8(int64_t v) {
  return v >= -128 && v <= 127;
}
static inline int quant_qdwconv_supported(const int64_t *p) {
  return p[QUANT_QCONV_IC] == p[QUANT_QCONV_OC] && p[QUANT_QCONV_IC] >= 1 &&
         p[QUANT_QCONV_BATCH] >= 0 && p[QUANT_QCONV_IH] >= 1 &&
         p[QUANT_QCONV_IW] >= 1 && p[QUANT_QCONV_OH] >= 0 &&
         p[QUANT_QCONV_OW] >= 0 && p[QUANT_QCONV_KH] >= 1 &&
         p[QUANT_QCONV_KH] <= QUANT_QDWCONV_MAX_K && p[QUANT_QCONV_KW] >= 1 &&
         p[QUANT_QCONV_KW] <= QUANT_QDWCONV_MAX_K && p[QUANT_QCONV_SH] >= 1 &&
         p[QUANT_QCONV_SW] >= 1 && p[QUANT_QCONV_SW] <= QUANT_QDWCONV_MAX_SW &&
         p[QUANT_QCONV_DH] >= 1 && p[QUANT_QCONV_DH] <= QUANT_QDWCONV_MAX_DH &&
         p[QUANT_QCONV_DW] >= 1 && p[QUANT_QCONV_DW] <= QUANT_QDWCONV_MAX_DW &&
         p[QUANT_QCONV_PAD_TOP] >= 0 && p[QUANT_QCONV_PAD_LEFT] >= 0 &&
         quant_qdwconv_in_i8(p[QUANT_QCONV_IN_ZP]) &&
         quant_qdwconv_in_i8(p[QUANT_QCONV_OUT_ZP]) &&
         quant_qdwconv_in_i8(p[QUANT_QCONV_QMIN]) &&
         quant_qdwconv_in_i8(p[QUANT_QCONV_QMAX]) &&
         p[QUANT_QCONV_QMIN] <= p[QUANT_QCONV_QMAX];
}
static inline int64_t quant_qdwconv_scratch_bytes(const int64_t *p) {
  (void)p;
  return 0;
}

/* Products of two activations (a qnt.matmul of per-tensor int8 operands
   whose rhs is not a constant: attention's Q K^T and P V),
   `_mlir_ciface_quant_qbmm_<isa>(lhs, rhs, out, params)`: per batch b,
     out[b][m][n] = requantize(sum_k (lhs[b][m][k] - LHS_ZP)
                                     * (rhs[b][k][n] - RHS_ZP))
   with one multiplier and shift (MULT, SHIFT; QuantMath's fixed point of
   s_lhs * s_rhs / s_out) and the output grid (OUT_ZP, QMIN, QMAX).
     lhs     [BATCH][M][K] int8, as stored;
     rhs     [BATCH][K][N] int8, or [BATCH][N][K] when RHS_NK is 1 (the
             transpose of its last two dims, read in place: a K cache);
     out     [BATCH][M][N] int8;
     params  QUANT_QBMM_NUM_PARAMS entries; PARALLEL 0 keeps the call on
             the calling thread.
   Nothing is packed and no scratch is needed. The int32 sums are exact
   when K <= QUANT_QBMM_MAX_K (every |product| <= 255 * 255), which
   quant_qbmm_supported checks with the rest of the params. */
enum {
  QUANT_QBMM_BATCH,
  QUANT_QBMM_M,
  QUANT_QBMM_K,
  QUANT_QBMM_N,
  QUANT_QBMM_RHS_NK,
  QUANT_QBMM_LHS_ZP,
  QUANT_QBMM_RHS_ZP,
  QUANT_QBMM_MULT,
  QUANT_QBMM_SHIFT,
  QUANT_QBMM_OUT_ZP,
  QUANT_QBMM_QMIN,
  QUANT_QBMM_QMAX,
  QUANT_QBMM_PARALLEL, /* 0: stay on the calling thread (--no-threads) */
  QUANT_QBMM_NUM_PARAMS
};
#define QUANT_QBMM_MAX_K (2147483647 / (255 * 255))
static inline int quant_qbmm_supported(const int64_t *p) {
  return p[QUANT_QBMM_BATCH] >= 0 && p[QUANT_QBMM_M] >= 0 &&
         p[QUANT_QBMM_K] >= 0 && p[QUANT_QBMM_K] <= QUANT_QBMM_MAX_K &&
         p[QUANT_QBMM_N] >= 0 &&
         (p[QUANT_QBMM_RHS_NK] == 0 || p[QUANT_QBMM_RHS_NK] == 1) &&
         quant_qdwconv_in_i8(p[QUANT_QBMM_LHS_ZP]) &&
         quant_qdwconv_in_i8(p[QUANT_QBMM_RHS_ZP]) && p[QUANT_QBMM_MULT] >= 0 &&
         p[QUANT_QBMM_MULT] <= 2147483647 && p[QUANT_QBMM_SHIFT] >= 1 &&
         p[QUANT_QBMM_SHIFT] <= 62 &&
         quant_qdwconv_in_i8(p[QUANT_QBMM_OUT_ZP]) &&
         quant_qdwconv_in_i8(p[QUANT_QBMM_QMIN]) &&
         quant_qdwconv_in_i8(p[QUANT_QBMM_QMAX]) &&
         p[QUANT_QBMM_QMIN] <= p[QUANT_QBMM_QMAX];
}

/* The kernels: `_mlir_ciface_quant_qconv2d_<isa>`,
   `_mlir_ciface_quant_qdwconv2d_<isa>`, `_mlir_ciface_quant_qgemm_<isa>`
   and `_mlir_ciface_quant_qbmm_<isa>` (int8),
   `_mlir_ciface_quant_w4conv2d_<isa>` and `_mlir_ciface_quant_w4gemm_<isa>`
   (int4), isa in generic, avx2, avxvnni, avx512vnni (x86-64 only), dotprod,
   i8mm (AArch64 only). */
typedef void quant_int8_kernel(quant_memref_i8 *input, quant_memref_i8 *weights,
                               quant_memref_i32 *bias,
                               quant_memref_i32 *multiplier,
                               quant_memref_i32 *shift,
                               quant_memref_i8 *output,
                               quant_memref_u8 *scratch,
                               quant_memref_i64 *params);
typedef void quant_int4_kernel(quant_memref_i8 *input, quant_memref_i8 *weights,
                               quant_memref_f32 *scales,
                               quant_memref_f32 *bias,
                               quant_memref_f32 *output,
                               quant_memref_i8 *scratch,
                               quant_memref_i64 *params);
typedef void
quant_w4gemm_kernel(quant_memref_i8 *input, quant_memref_i8 *weights,
                    quant_memref_f32 *scales, quant_memref_i32 *corrections,
                    quant_memref_f32 *bias, quant_memref_f32 *output,
                    quant_memref_i8 *scratch, quant_memref_i64 *params);
typedef void quant_qbmm_kernel(quant_memref_i8 *lhs, quant_memref_i8 *rhs,
                               quant_memref_i8 *output,
                               quant_memref_i64 *params);

#ifdef __cplusplus
extern "C" {
#endif
quant_int8_kernel _mlir_ciface_quant_qconv2d_generic;
quant_int8_kernel _mlir_ciface_quant_qdwconv2d_generic;
quant_int8_kernel _mlir_ciface_quant_qgemm_generic;
quant_int4_kernel _mlir_ciface_quant_w4conv2d_generic;
quant_w4gemm_kernel _mlir_ciface_quant_w4gemm_generic;
quant_qbmm_kernel _mlir_ciface_quant_qbmm_generic;
#if defined(__x86_64__)
quant_int8_kernel _mlir_ciface_quant_qconv2d_avx2;
quant_int8_kernel _mlir_ciface_quant_qdwconv2d_avx2;
quant_int8_kernel _mlir_ciface_quant_qgemm_avx2;
quant_int4_kernel _mlir_ciface_quant_w4conv2d_avx2;
quant_w4gemm_kernel _mlir_ciface_quant_w4gemm_avx2;
quant_qbmm_kernel _mlir_ciface_quant_qbmm_avx2;
quant_int8_kernel _mlir_ciface_quant_qconv2d_avxvnni;
quant_int8_kernel _mlir_ciface_quant_qdwconv2d_avxvnni;
quant_int8_kernel _mlir_ciface_quant_qgemm_avxvnni;
quant_int4_kernel _mlir_ciface_quant_w4conv2d_avxvnni;
quant_w4gemm_kernel _mlir_ciface_quant_w4gemm_avxvnni;
quant_qbmm_kernel _mlir_ciface_quant_qbmm_avxvnni;
quant_int8_kernel _mlir_ciface_quant_qconv2d_avx512vnni;
quant_int8_kernel _mlir_ciface_quant_qdwconv2d_avx512vnni;
quant_int8_kernel _mlir_ciface_quant_qgemm_avx512vnni;
quant_int4_kernel _mlir_ciface_quant_w4conv2d_avx512vnni;
quant_w4gemm_kernel _mlir_ciface_quant_w4gemm_avx512vnni;
quant_qbmm_kernel _mlir_ciface_quant_qbmm_avx512vnni;
#endif
#if defined(__aarch64__)
quant_int8_kernel _mlir_ciface_quant_qconv2d_dotprod;
quant_int8_kernel _mlir_ciface_quant_qdwconv2d_dotprod;
quant_int8_kernel _mlir_ciface_quant_qgemm_dotprod;
quant_int4_kernel _mlir_ciface_quant_w4conv2d_dotprod;
quant_w4gemm_kernel _mlir_ciface_quant_w4gemm_dotprod;
quant_qbmm_kernel _mlir_ciface_quant_qbmm_dotprod;
quant_int8_kernel _mlir_ciface_quant_qconv2d_i8mm;
quant_int8_kernel _mlir_ciface_quant_qdwconv2d_i8mm;
quant_int8_kernel _mlir_ciface_quant_qgemm_i8mm;
quant_int4_kernel _mlir_ciface_quant_w4conv2d_i8mm;
quant_w4gemm_kernel _mlir_ciface_quant_w4gemm_i8mm;
quant_qbmm_kernel _mlir_ciface_quant_qbmm_i8mm;
#endif
#ifdef __cplusplus
}
#endif

#endif /* QUANT_INT8_KERNELS_H */
