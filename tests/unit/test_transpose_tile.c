/* test_transpose_tile.c: the vector tile transposition (transpose_tile.h) against the element
 * definition for 1-, 2- and 4-byte elements with padded row strides, its refusals (8-byte
 * elements, edges that are not multiples of 16), and the strided copies built on it
 * (wnn_affine_copy): NCHW <-> NHWC and 2-D transposes of every element size, with full and
 * partial tiles, on one thread and on the pool, each element's bytes checked; and rectangles of
 * any size (wnn_transpose_rect). */
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/copy_util.h"
#include "backends/cpu/transpose_tile.h"
#include "wt.h"

/* A recognisable byte pattern: element e's byte b. */
static unsigned char pattern(size_t e, size_t b) { return (unsigned char)(e * 131 + b * 29 + (e >> 8) * 7 + 1); }

static void tile_case(size_t esize, size_t n, int64_t srcRow, int64_t dstRow) {
    size_t srcBytes = (size_t)srcRow * n * esize, dstBytes = (size_t)dstRow * n * esize;
    unsigned char *src = malloc(srcBytes), *dst = malloc(dstBytes), *want = malloc(dstBytes);
    for (size_t i = 0; i < srcBytes; i++) src[i] = pattern(i / esize, i % esize);
    memset(dst, 0xAB, dstBytes);
    memset(want, 0xAB, dstBytes); /* bytes past each row's n elements stay as they were */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) memcpy(want + (i * (size_t)dstRow + j) * esize, src + (j * (size_t)srcRow + i) * esize, esize);
    int done = wnn_transpose_tile((char*)dst, dstRow, (const char*)src, srcRow, esize, n);
    int expect = (esize == 1 || esize == 2 || esize == 4) && n % 16 == 0;
#if !defined(__SSE2__)
    expect = 0;
#endif
    wt_checks++;
    if (done != expect) {
        wt_failures++;
        fprintf(stderr, "tile esize %zu n %zu: returned %d, want %d\n", esize, n, done, expect);
    } else if (done && memcmp(dst, want, dstBytes) != 0) {
        wt_failures++;
        fprintf(stderr, "tile esize %zu n %zu rows %lld / %lld: wrong bytes\n", esize, n, (long long)srcRow, (long long)dstRow);
    } else if (!done) {
        for (size_t i = 0; i < dstBytes; i++)
            if (dst[i] != 0xAB) {
                wt_failures++;
                fprintf(stderr, "tile esize %zu n %zu: refused but wrote\n", esize, n);
                break;
            }
    }
    free(src), free(dst), free(want);
}

/* wnn_transpose_rect: rows x cols with padded strides on both sides, full blocks and edges; the
 * bytes outside the rect untouched. */
static void rect_case(size_t esize, size_t rows, size_t cols, int64_t srcRow, int64_t dstRow) {
    size_t srcBytes = (size_t)srcRow * rows * esize, dstBytes = (size_t)dstRow * cols * esize;
    unsigned char *src = malloc(srcBytes), *dst = malloc(dstBytes), *want = malloc(dstBytes);
    for (size_t i = 0; i < srcBytes; i++) src[i] = pattern(i / esize, i % esize);
    memset(dst, 0xAB, dstBytes);
    memset(want, 0xAB, dstBytes);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) memcpy(want + (j * (size_t)dstRow + i) * esize, src + (i * (size_t)srcRow + j) * esize, esize);
    wnn_transpose_rect((char*)dst, dstRow, (const char*)src, srcRow, esize, rows, cols);
    wt_checks++;
    if (memcmp(dst, want, dstBytes) != 0) {
        wt_failures++;
        fprintf(stderr, "rect esize %zu %zu x %zu rows %lld / %lld: wrong bytes\n", esize, rows, cols, (long long)srcRow,
                (long long)dstRow);
    }
    free(src), free(dst), free(want);
}

/* x [C][HW] -> y [HW][C] (NCHW -> NHWC of one image) and back, through wnn_affine_copy. */
static void image_case(size_t esize, uint32_t C, uint32_t HW, WnnThreadPool* pool) {
    size_t n = (size_t)C * HW, bytes = n * esize;
    unsigned char *x = malloc(bytes), *y = malloc(bytes), *back = malloc(bytes);
    for (size_t i = 0; i < bytes; i++) x[i] = pattern(i / esize, i % esize);
    uint32_t toNhwc[2] = {HW, C}, toNchw[2] = {C, HW};
    int64_t inNchw[2] = {1, HW}, inNhwc[2] = {1, C};
    wnn_affine_copy(y, x, esize, 2, toNhwc, inNchw, 0, pool);
    size_t bad = 0;
    for (size_t p = 0; p < HW; p++)
        for (size_t c = 0; c < C; c++) bad += memcmp(y + (p * C + c) * esize, x + (c * HW + p) * esize, esize) != 0;
    wnn_affine_copy(back, y, esize, 2, toNchw, inNhwc, 0, pool);
    bad += memcmp(back, x, bytes) != 0;
    wt_checks++;
    if (bad) wt_failures++, fprintf(stderr, "image esize %zu C %u HW %u%s: %zu wrong\n", esize, C, HW, pool ? " (pool)" : "", bad);
    free(x), free(y), free(back);
}

int main(void) {
    size_t sizes[4] = {1, 2, 4, 8};
    for (int s = 0; s < 4; s++) {
        tile_case(sizes[s], 32, 32, 32);
        tile_case(sizes[s], 32, 45, 37); /* rows longer than the tile */
        tile_case(sizes[s], 16, 16, 21);
        tile_case(sizes[s], 24, 30, 24); /* not a multiple of 16: refused */
    }
    for (int s = 0; s < 4; s++) {
        rect_case(sizes[s], 100, 50, 10000, 100); /* a Winograd stage: channels x pixels */
        rect_case(sizes[s], 50, 100, 100, 10000);
        rect_case(sizes[s], 37, 13, 15, 40); /* edges in both dimensions */
        rect_case(sizes[s], 3, 2, 3, 3);     /* smaller than a block */
        rect_case(sizes[s], 16, 16, 16, 16);
    }
    WnnThreadPool* pool = wnn_threadpool_create(2);
    for (int s = 0; s < 4; s++) {
        uint32_t shapes[][2] = {{100, 10000}, {64, 3136}, {3, 50176}, {33, 31}, {32, 32}, {1, 7}, {160, 49}};
        for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
            image_case(sizes[s], shapes[k][0], shapes[k][1], NULL);
            image_case(sizes[s], shapes[k][0], shapes[k][1], pool);
        }
    }
    wnn_threadpool_destroy(pool);
    return wt_summary("test_transpose_tile");
}
