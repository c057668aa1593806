/* quant_model_run against wrong sizes and inconsistent tensor descriptions,
 * built with the runtime under AddressSanitizer and UBSan:
 * test/e2e/c-abi-asan.test.
 *
 * The model is hand-made: its entry walks every element that the memref
 * descriptors it is given describe, reading the inputs and writing the
 * output. Every buffer is malloc'ed with exactly the byte size the caller
 * claims (one claim of SIZE_MAX excepted, see run()), so an entry reached with a size that does not match would touch
 * memory past a buffer and ASan would stop the program. Each case prints the
 * status and whether the entry ran. */
#include "quant_runtime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int entered;
static const quant_model_info *current;

/* The data of a rank-r descriptor and the bytes its sizes address (4-byte
   elements: the model's tensors are all float32). */
static unsigned char *described(void *descriptor, int32_t rank,
                                size_t *bytes) {
  const int64_t *desc = (const int64_t *)descriptor;
  *bytes = 4;
  for (int32_t d = 0; d < rank; ++d)
    *bytes *= (size_t)desc[3 + d];
  return ((unsigned char *const *)desc)[1];
}

/* Reads every input byte, then writes every output byte, as described. */
static void entry(void **descriptors) {
  entered = 1;
  unsigned sum = 0;
  size_t bytes;
  uint32_t n_in = current->num_inputs;
  for (uint32_t i = 0; i < n_in; ++i) {
    unsigned char *data =
        described(descriptors[i], current->inputs[i].rank, &bytes);
    for (size_t k = 0; k < bytes; ++k)
      sum += data[k];
  }
  for (uint32_t i = 0; i < current->num_outputs; ++i) {
    unsigned char *data =
        described(descriptors[n_in + i], current->outputs[i].rank, &bytes);
    for (size_t k = 0; k < bytes; ++k)
      data[k] = (unsigned char)(sum + k);
  }
}

static int64_t shape_in[2] = {3, 5};
static int64_t shape_out[1] = {7};

static void run(const char *what, quant_model_info *model, size_t in_bytes,
                size_t out_bytes) {
  /* A claim too large to allocate (SIZE_MAX) gets a buffer of the tensor's
     real 60 bytes: the caller's claim is then the lie. */
  size_t in_alloc = in_bytes > ((size_t)1 << 20) ? 60 : in_bytes;
  void *in = malloc(in_alloc ? in_alloc : 1);
  void *out = malloc(out_bytes ? out_bytes : 1);
  memset(in, 1, in_alloc);
  const void *ins[1] = {in};
  void *outs[1] = {out};
  size_t inb[1] = {in_bytes}, outb[1] = {out_bytes};
  entered = 0;
  current = model;
  int status = quant_model_run(model, ins, inb, outs, outb);
  printf("%s -> %d entered %d\n", what, status, entered);
  free(in);
  free(out);
}

int main(void) {
  quant_tensor_info input = {"x", QUANT_DTYPE_FLOAT32, 2, shape_in, 60};
  quant_tensor_info output = {"y", QUANT_DTYPE_FLOAT32, 1, shape_out, 28};
  quant_model_info model = {QUANT_ABI_VERSION, 1, 1, 0, "sizes",
                            &input, &output, entry};
  run("exact", &model, 60, 28);
  run("input short", &model, 59, 28);
  run("input long", &model, 61, 28);
  run("input zero", &model, 0, 28);
  run("input SIZE_MAX", &model, SIZE_MAX, 28);
  run("output short", &model, 60, 27);

  /* Descriptions whose num_bytes does not follow from the shape. */
  input.num_bytes = 16; /* claims less than 3x5 floats */
  run("num_bytes below shape", &model, 16, 28);
  input.num_bytes = 64;
  run("num_bytes above shape", &model, 64, 28);
  static int64_t wraps[2] = {(int64_t)1 << 62, 4}; /* 2^66 bytes: 0 wrapped */
  input.shape = wraps;
  input.num_bytes = 0;
  run("2^62x4 as 0 bytes", &model, 0, 28);
  static int64_t wraps_to_16[2] = {((int64_t)1 << 62) + 1, 4}; /* 2^66+16 */
  input.shape = wraps_to_16;
  input.num_bytes = 16;
  run("2^62+1 x4 as 16 bytes", &model, 16, 28);
  static int64_t negative[2] = {-3, 5};
  input.shape = negative;
  input.num_bytes = 60;
  run("negative dim", &model, 60, 28);
  input.shape = shape_in;
  input.dtype = 2; /* uint8: not an ABI dtype */
  run("unknown dtype", &model, 60, 28);
  input.dtype = QUANT_DTYPE_FLOAT32;
  input.rank = 65;
  run("rank 65", &model, 60, 28);
  input.rank = 2;
  input.shape = NULL;
  run("NULL shape", &model, 60, 28);
  input.shape = shape_in;
  model.inputs = NULL;
  run("NULL inputs table", &model, 60, 28);
  model.inputs = &input;
  model.entry = NULL;
  run("NULL entry", &model, 60, 28);
  model.entry = entry;
  /* No elements, but the strides of the other dims overflow int64 (the
     C ABI fuzzer's finding: UBSan stopped fill_descriptor). */
  static int64_t empty_wide[3] = {0, (int64_t)1 << 62, 4};
  input.shape = empty_wide;
  input.rank = 3;
  input.num_bytes = 0;
  run("0x2^62x4 (no elements)", &model, 0, 28);
  input.shape = shape_in;
  input.rank = 2;
  input.num_bytes = 60;
  run("restored", &model, 60, 28);
  return 0;
}
