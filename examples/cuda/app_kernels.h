/* app_kernels.h: "the application's own CUDA code" of the interop tests, wnn-bench interop and the
 * examples: small kernels that read and write exported WebNN tensors, and a plain direct
 * convolution (the seed's test 1). Each returns a cudaError_t as an int. */
#ifndef WNN_EXAMPLES_CUDA_APP_KERNELS_H_
#define WNN_EXAMPLES_CUDA_APP_KERNELS_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* p[i] = p[i] * mul + add */
int app_affine(float* p, int64_t n, float mul, float add, void* stream);
/* out[i] = max(a[i] + b[i % bn], 0): the custom op of the seed scenario (bias add and relu on an
 * NHWC tensor with bn channels). dtype 0: float32, 1: float16 (computed in float). */
int app_add_relu(int dtype, const void* a, const void* b, int64_t bn, void* out, int64_t n, void* stream);
/* A plain direct convolution, the seed's "everything in the app's own code": y = conv(x, w) with x
 * NHWC [n, h, w, c], w HWIO [r, s, c, k], stride 1, symmetric padding `pad`, y NHWC [n, oh, ow, k];
 * accumulates in float. */
int app_conv2d_nhwc(int dtype, const void* x, const void* w, void* y, int n, int h, int wd, int c, int k, int r,
                    int s, int pad, void* stream);
/* Counts elements with |p[i] - expect| > 0 into *bad (device memory, accumulated). */
int app_count_mismatch(const float* p, int64_t n, float expect, unsigned* bad, void* stream);
/* Busy-waits about `ns` nanoseconds on the stream: work that is still running when the host moves on,
 * so that missing ordering shows up as wrong values. */
int app_spin(int64_t ns, void* stream);
/* Writes through an invalid address: a sticky error that breaks the process's CUDA context (the
 * device-loss test). */
int app_fault(void* stream);

#ifdef __cplusplus
}
#endif

#endif
