/* winograd_f4.h: the transforms of Winograd F(4x4, 3x3) on channel vectors (NHWC), for
 * onednn_winograd.c. A 6 x 6 input patch d gives V = B^T d B, the 36 products M[e] = V[e] U[e]
 * run as GEMMs elsewhere, and y = A^T M A gives a 4 x 4 output tile: 36 multiplications per
 * tile and channel pair against F(2x2, 3x3)'s 16 for 2 x 2 outputs (2.25 vs 4 per output, 9 for a
 * direct conv). Interpolation points 0, 1, -1, 2, -1/2 and infinity, not the usual 0, +-1, +-2:
 * in float32 those err by up to 1.3-1.5x the bound a direct sum keeps (K eps sum |x w|, K = 9 cin
 * + 1, |x|, |w| <= 1: 9, 32 and 256 channels), these by 0.6-0.7x of it (simulated, 3000 tiles
 * each; F(2x2, 3x3): 0.08-0.09x). That bound is test_ops_conv's, so the tile is still a choice
 * (onednn_winograd.c, WNN_CPU_WINOGRAD_TILE). */
#ifndef WNN_BACKENDS_CPU_WINOGRAD_F4_H_
#define WNN_BACKENDS_CPU_WINOGRAD_F4_H_

#include <stddef.h>

/* V of one tile: d[k] (k = 6 * row + column of the patch) points to that pixel's c channels
 * (zeros outside the image); element e of channel ci goes to out[e * plane + ci]. */
void wnn_wino4_input_tile(const float* const* d, float* out, size_t plane, size_t c);

/* One tile's 4 x 4 outputs from its M (element e of channel co at m[e * plane + co]), plus
 * bias[co], then clamped to [lo, hi] when act (a NaN stays NaN): output q (4 * row + column) of
 * channel co goes to dst[q][co]. */
void wnn_wino4_output_tile(const float* m, size_t plane, size_t c, const float* bias, int act, float lo, float hi,
                           float* const* dst);

/* U = G g G^T of one 3 x 3 filter g (row-major), the 36 elements row-major, computed in double. */
void wnn_wino4_filter(const double* g, float* u);

#endif
