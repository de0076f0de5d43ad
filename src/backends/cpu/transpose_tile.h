/* transpose_tile.h: one square tile of a transposition in vector registers (SSE2 shuffles on
 * x86-64), for the strided copies of copy_util.c: NCHW <-> NHWC edges, the transpose op. Element
 * by element, a 1-byte transposition ran at about 3.5 GB/s on a Zen 4 core (a 1 MB uint8 image
 * 0.3 ms); in 16 x 16 byte blocks 0.06-0.1 ms. Elements are moved as opaque bits. */
#ifndef WNN_BACKENDS_CPU_TRANSPOSE_TILE_H_
#define WNN_BACKENDS_CPU_TRANSPOSE_TILE_H_

#include <stddef.h>
#include <stdint.h>

/* dst[i * dstRow + j] = src[j * srcRow + i] for i, j < n (strides in elements of esize bytes).
 * Returns 1 when done, 0 (nothing written) where no vector kernel fits: esize not 1, 2 or 4, n
 * not a multiple of 16, or no SSE2. */
int wnn_transpose_tile(char* dst, int64_t dstRow, const char* src, int64_t srcRow, size_t esize, size_t n);

/* dst[j * dstRow + i] = src[i * srcRow + j] for i < rows, j < cols (strides in elements of esize
 * bytes, 1, 2, 4 or 8): full square blocks in vector registers where there is a kernel, the edges
 * element by element. */
void wnn_transpose_rect(char* dst, int64_t dstRow, const char* src, int64_t srcRow, size_t esize, size_t rows, size_t cols);

#endif
