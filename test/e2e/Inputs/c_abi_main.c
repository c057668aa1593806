/* A C program against a compiled model: test/e2e/c-abi.test. */
#include "cnn.h"
/* The installed runtime header and the generated one share one guard. */
#include "quant_runtime.h"

#include <stdio.h>

int main(void) {
  const quant_model_info *info = cnn_info();
  printf("%s abi %u inputs %u outputs %u input0 %s rank %d bytes %llu\n",
         info->name, (unsigned)info->abi_version, (unsigned)info->num_inputs,
         (unsigned)info->num_outputs, info->inputs[0].name,
         (int)info->inputs[0].rank,
         (unsigned long long)info->inputs[0].num_bytes);
  static float x[784], y[10];
  int i;
  for (i = 0; i < 784; ++i)
    x[i] = (float)(i % 7) * 0.1f;
  const void *in[1];
  void *out[1];
  size_t in_bytes[1], out_bytes[1], bad[1];
  in[0] = x;
  out[0] = y;
  in_bytes[0] = sizeof x;
  out_bytes[0] = sizeof y;
  bad[0] = 12;
  int status = cnn_run(in, bad, out, out_bytes);
  printf("bad size -> %d (%s)\n", status, quant_status_string(status));
  printf("null -> %d\n", cnn_run(NULL, in_bytes, out, out_bytes));
  /* A hand-made description whose size wrapped (2^62 x 4 floats claimed as
     0 bytes) is refused before any buffer is touched. */
  {
    static const int64_t huge_shape[2] = {(int64_t)1 << 62, 4};
    quant_tensor_info bad_input = info->inputs[0];
    quant_model_info bad_model = *info;
    size_t zero[1] = {0};
    bad_input.rank = 2;
    bad_input.shape = huge_shape;
    bad_input.num_bytes = 0;
    bad_model.inputs = &bad_input;
    status = quant_model_run(&bad_model, in, zero, out, out_bytes);
    printf("wrapped size -> %d (%s)\n", status, quant_status_string(status));
  }
  status = cnn_run(in, in_bytes, out, out_bytes);
  float sum = 0;
  for (i = 0; i < 10; ++i)
    sum += y[i];
  printf("ok -> %d sum %.4f\n", status, sum);
  return status;
}
