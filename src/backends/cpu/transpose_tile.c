/* transpose_tile.c: see transpose_tile.h. Each kernel loads a block's rows, interleaves them in
 * log2(rows) rounds of unpacks (pairs of rows, then pairs of pairs, ...) and stores the columns. */
#include "backends/cpu/transpose_tile.h"

#if defined(__SSE2__)
#include <emmintrin.h>

#define LOAD(p) _mm_loadu_si128((const __m128i*)(p))
#define STORE(p, v) _mm_storeu_si128((__m128i*)(p), v)

/* 16 x 16 bytes: after the four rounds register k holds column order[k]. */
static void block_u8(char* dst, int64_t dstRow, const char* src, int64_t srcRow) {
    static const int order[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    __m128i x[16], y[16];
    for (int i = 0; i < 16; i++) x[i] = LOAD(src + i * srcRow);
    for (int i = 0; i < 8; i++) y[2 * i] = _mm_unpacklo_epi8(x[2 * i], x[2 * i + 1]), y[2 * i + 1] = _mm_unpackhi_epi8(x[2 * i], x[2 * i + 1]);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 2; j++)
            x[4 * i + j] = _mm_unpacklo_epi16(y[4 * i + j], y[4 * i + j + 2]), x[4 * i + j + 2] = _mm_unpackhi_epi16(y[4 * i + j], y[4 * i + j + 2]);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++)
            y[8 * i + j] = _mm_unpacklo_epi32(x[8 * i + j], x[8 * i + j + 4]), y[8 * i + j + 4] = _mm_unpackhi_epi32(x[8 * i + j], x[8 * i + j + 4]);
    for (int j = 0; j < 8; j++) x[j] = _mm_unpacklo_epi64(y[j], y[j + 8]), x[j + 8] = _mm_unpackhi_epi64(y[j], y[j + 8]);
    for (int k = 0; k < 16; k++) STORE(dst + k * dstRow, x[order[k]]);
}

/* 8 x 8 two-byte elements (strides in bytes). */
static void block_u16(char* dst, int64_t dstRow, const char* src, int64_t srcRow) {
    static const int order[8] = {0, 4, 2, 6, 1, 5, 3, 7};
    __m128i x[8], y[8];
    for (int i = 0; i < 8; i++) x[i] = LOAD(src + i * srcRow);
    for (int i = 0; i < 4; i++) y[2 * i] = _mm_unpacklo_epi16(x[2 * i], x[2 * i + 1]), y[2 * i + 1] = _mm_unpackhi_epi16(x[2 * i], x[2 * i + 1]);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            x[4 * i + j] = _mm_unpacklo_epi32(y[4 * i + j], y[4 * i + j + 2]), x[4 * i + j + 2] = _mm_unpackhi_epi32(y[4 * i + j], y[4 * i + j + 2]);
    for (int j = 0; j < 4; j++) y[j] = _mm_unpacklo_epi64(x[j], x[j + 4]), y[j + 4] = _mm_unpackhi_epi64(x[j], x[j + 4]);
    for (int k = 0; k < 8; k++) STORE(dst + k * dstRow, y[order[k]]);
}

/* 4 x 4 four-byte elements (strides in bytes). */
static void block_u32(char* dst, int64_t dstRow, const char* src, int64_t srcRow) {
    __m128i a = LOAD(src), b = LOAD(src + srcRow), c = LOAD(src + 2 * srcRow), d = LOAD(src + 3 * srcRow);
    __m128i ab0 = _mm_unpacklo_epi32(a, b), ab1 = _mm_unpackhi_epi32(a, b), cd0 = _mm_unpacklo_epi32(c, d), cd1 = _mm_unpackhi_epi32(c, d);
    STORE(dst, _mm_unpacklo_epi64(ab0, cd0));
    STORE(dst + dstRow, _mm_unpackhi_epi64(ab0, cd0));
    STORE(dst + 2 * dstRow, _mm_unpacklo_epi64(ab1, cd1));
    STORE(dst + 3 * dstRow, _mm_unpackhi_epi64(ab1, cd1));
}

int wnn_transpose_tile(char* dst, int64_t dstRow, const char* src, int64_t srcRow, size_t esize, size_t n) {
    void (*block)(char*, int64_t, const char*, int64_t) = esize == 1 ? block_u8 : esize == 2 ? block_u16 : esize == 4 ? block_u32 : 0;
    if (!block || n % 16) return 0;
    size_t b = 16 / esize; /* a block's edge: one 16-byte register per row */
    int64_t ds = dstRow * (int64_t)esize, ss = srcRow * (int64_t)esize;
    for (size_t i = 0; i < n; i += b)
        for (size_t j = 0; j < n; j += b)
            block(dst + (int64_t)i * ds + (int64_t)(j * esize), ds, src + (int64_t)j * ss + (int64_t)(i * esize), ss);
    return 1;
}
#else
int wnn_transpose_tile(char* dst, int64_t dstRow, const char* src, int64_t srcRow, size_t esize, size_t n) {
    (void)dst, (void)dstRow, (void)src, (void)srcRow, (void)esize, (void)n;
    return 0;
}
#endif
