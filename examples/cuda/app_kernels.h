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
/* out[i] = max(a[i] + b[i % bn], 0) */
int app_add_relu(const float* a, const float* b, int64_t bn, float* out, int64_t n, void* stream);
/* Counts elements with |p[i] - expect| > 0 into *bad (device memory, accumulated). */
int app_count_mismatch(const float* p, int64_t n, float expect, unsigned* bad, void* stream);
/* Busy-waits about `ns` nanoseconds on the stream: work that is still running when the host moves on,
 * so that missing ordering shows up as wrong values. */
int app_spin(int64_t ns, void* stream);

#ifdef __cplusplus
}
#endif

#endif
