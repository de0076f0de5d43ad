/* transpose_tile.c: see transpose_tile.h. One kernel per element size, all the same rounds: a
 * block's rows loaded, interleaved in log2(rows) rounds of unpacks (pairs of rows, then pairs of
 * pairs, ...), its columns stored. */
#include "backends/cpu/transpose_tile.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>

#define LOAD(p) _mm_loadu_si128((const __m128i*)(p))
#define STORE(p, v) _mm_storeu_si128((__m128i*)(p), v)

/* The unpack of a and b in units of w bytes: their low halves interleaved, or their high ones. */
static inline __m128i unpack(__m128i a, __m128i b, int w, int high) {
    switch (w) {
        case 1: return high ? _mm_unpackhi_epi8(a, b) : _mm_unpacklo_epi8(a, b);
        case 2: return high ? _mm_unpackhi_epi16(a, b) : _mm_unpacklo_epi16(a, b);
        case 4: return high ? _mm_unpackhi_epi32(a, b) : _mm_unpacklo_epi32(a, b);
        default: return high ? _mm_unpackhi_epi64(a, b) : _mm_unpacklo_epi64(a, b);
    }
}

/* R = 16 / esize rows of one register each (strides in bytes). Round d (1, 2, 4, ... R / 2) unpacks
 * every pair of registers d apart in units of esize x d bytes; after the last, register k holds
 * column k with its index bits reversed. Inlined with a constant esize, every loop unrolls. */
static inline __attribute__((always_inline)) void rounds(char* dst, int64_t dstRow, const char* src, int64_t srcRow,
                                                         int esize) {
    const int R = 16 / esize;
    __m128i x[16], t[16];
    _Pragma("GCC unroll 16") for (int i = 0; i < R; i++) x[i] = LOAD(src + i * srcRow);
    _Pragma("GCC unroll 4") for (int d = 1; d < R; d *= 2) {
        _Pragma("GCC unroll 16") for (int j = 0; j < R; j++) /* j's partner is d away, below or above */
            t[j] = (j & d) ? unpack(x[j - d], x[j], esize * d, 1) : unpack(x[j], x[j + d], esize * d, 0);
        _Pragma("GCC unroll 16") for (int j = 0; j < R; j++) x[j] = t[j];
    }
    _Pragma("GCC unroll 16") for (int k = 0; k < R; k++) {
        int r = 0; /* k's bits reversed, over log2(R) bits */
        for (int m = 1, q = R / 2; m < R; m *= 2, q /= 2) r |= (k & m) ? q : 0;
        STORE(dst + k * dstRow, x[r]);
    }
}

static void block_u8(char* dst, int64_t dstRow, const char* src, int64_t srcRow) { rounds(dst, dstRow, src, srcRow, 1); }
static void block_u16(char* dst, int64_t dstRow, const char* src, int64_t srcRow) { rounds(dst, dstRow, src, srcRow, 2); }
static void block_u32(char* dst, int64_t dstRow, const char* src, int64_t srcRow) { rounds(dst, dstRow, src, srcRow, 4); }

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
#endif

/* The elements of the rect's rows [i0, i1) x columns [j0, j1), one by one. */
static void rect_elements(char* dst, int64_t dstRow, const char* src, int64_t srcRow, size_t esize, size_t i0, size_t i1,
                          size_t j0, size_t j1) {
    for (size_t i = i0; i < i1; i++)
        for (size_t j = j0; j < j1; j++) {
            char* d = dst + ((int64_t)j * dstRow + (int64_t)i) * (int64_t)esize;
            const char* s = src + ((int64_t)i * srcRow + (int64_t)j) * (int64_t)esize;
            switch (esize) { /* a constant size: one move */
                case 1: memcpy(d, s, 1); break;
                case 2: memcpy(d, s, 2); break;
                case 4: memcpy(d, s, 4); break;
                default: memcpy(d, s, 8); break;
            }
        }
}

void wnn_transpose_rect(char* dst, int64_t dstRow, const char* src, int64_t srcRow, size_t esize, size_t rows, size_t cols) {
    size_t i = 0;
#if defined(__SSE2__)
    void (*block)(char*, int64_t, const char*, int64_t) = esize == 1 ? block_u8 : esize == 2 ? block_u16 : esize == 4 ? block_u32 : 0;
    size_t b = block ? 16 / esize : 0;
    int64_t ds = dstRow * (int64_t)esize, ss = srcRow * (int64_t)esize, e = (int64_t)esize;
    if (block) {
        for (; i + b <= rows; i += b) {
            size_t j = 0;
            for (; j + b <= cols; j += b)
                block(dst + ((int64_t)j * dstRow + (int64_t)i) * e, ds, src + ((int64_t)i * srcRow + (int64_t)j) * e, ss);
            rect_elements(dst, dstRow, src, srcRow, esize, i, i + b, j, cols);
        }
    }
#endif
    rect_elements(dst, dstRow, src, srcRow, esize, i, rows, 0, cols);
}

#if !defined(__SSE2__)
int wnn_transpose_tile(char* dst, int64_t dstRow, const char* src, int64_t srcRow, size_t esize, size_t n) {
    (void)dst, (void)dstRow, (void)src, (void)srcRow, (void)esize, (void)n;
    return 0;
}
#endif
