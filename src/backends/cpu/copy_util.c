/* copy_util.c: see copy_util.h. Element moves go through memcpy of a compile-time size (one load
 * and one store, and no aliasing questions about reading float data as integers). */
#include "backends/cpu/copy_util.h"
#include "backends/cpu/transpose_tile.h"

#include <stdlib.h>
#include <string.h>

#define PARALLEL_BYTES ((size_t)1 << 15) /* about this much work per thread-pool item */
#define TILE 32                          /* transposition tile edge, in elements */

void wnn_row_strides(const WnnDesc* d, int64_t* strides) {
    int64_t s = 1;
    for (uint32_t i = d->rank; i-- > 0;) {
        strides[i] = s;
        s *= d->shape[i];
    }
}

/* dst[i * dstRow + j] = src[i * srcRow + j * srcCol] for i < rows, j < cols (strides in
 * elements). The one primitive every strided copy uses, instantiated per element size. */
typedef void (*Copy2dFn)(char* dst, const char* src, size_t rows, size_t cols, int64_t dstRow, int64_t srcRow,
                         int64_t srcCol);
#define DEFINE_COPY2D(N)                                                                                         \
    static void copy2d_##N(char* dst, const char* src, size_t rows, size_t cols, int64_t dstRow, int64_t srcRow, \
                           int64_t srcCol) {                                                                     \
        for (size_t i = 0; i < rows; i++) {                                                                      \
            char* d = dst + (int64_t)i * dstRow * N;                                                             \
            const char* s = src + (int64_t)i * srcRow * N;                                                       \
            for (size_t j = 0; j < cols; j++) memcpy(d + j * N, s + (int64_t)j * srcCol * N, N);                 \
        }                                                                                                        \
    }
DEFINE_COPY2D(1)
DEFINE_COPY2D(2)
DEFINE_COPY2D(4)
DEFINE_COPY2D(8)

static Copy2dFn copy2d_for(size_t esize) {
    switch (esize) {
        case 1: return copy2d_1;
        case 2: return copy2d_2;
        case 4: return copy2d_4;
        default: return copy2d_8;
    }
}

typedef struct BytesJob {
    char* dst;
    const char* src;
    size_t bytes;
} BytesJob;

static void copy_chunks(void* p, size_t begin, size_t end) {
    const BytesJob* j = p;
    size_t from = begin * PARALLEL_BYTES, to = WNN_MIN(end * PARALLEL_BYTES, j->bytes);
    memcpy(j->dst + from, j->src + from, to - from);
}

void wnn_copy_bytes(void* dst, const void* src, size_t bytes, WnnThreadPool* pool) {
    BytesJob j = {dst, src, bytes};
    /* Memory bandwidth rather than cores limits a copy: only large ones are worth splitting. */
    wnn_parallel_for(pool, (bytes + PARALLEL_BYTES - 1) / PARALLEL_BYTES, 8, copy_chunks, &j);
}

void wnn_fill_elements(void* dst, const void* value, size_t esize, size_t count) {
    if (!count) return;
    char* d = dst;
    size_t total = count * esize, done = esize;
    memcpy(d, value, esize);
    while (done < total) { /* doubling: log2(count) memcpy calls */
        size_t n = WNN_MIN(done, total - done);
        memcpy(d + done, d, n);
        done += n;
    }
}

/* ---- strided (affine) copy ---- */

typedef struct AffinePlan {
    char* dst;
    const char* src; /* at the base element */
    size_t esize;
    uint32_t rank; /* >= 1 after merging; L = rank - 1 is the innermost dimension */
    uint32_t shape[WNN_MAX_RANK];
    int64_t in[WNN_MAX_RANK];  /* input strides */
    int64_t out[WNN_MAX_RANK]; /* dense output strides */
    uint32_t tileDim;          /* transposition: the dimension of input stride 1 */
    size_t tilesP, tilesL; /* tiles along tileDim and L */
    size_t segs, segLen;   /* row segments (no transposition) */
    Copy2dFn copy;
} AffinePlan;

/* Drops size-1 dimensions and merges neighbours whose input strides are contiguous (the output is
 * dense, so any such pair is one longer dimension). */
static void plan_dims(AffinePlan* p, uint32_t rank, const uint32_t* shape, const int64_t* strides) {
    uint32_t r = 0;
    for (uint32_t d = 0; d < rank; d++) {
        if (shape[d] == 1) continue;
        if (r > 0 && p->in[r - 1] == strides[d] * (int64_t)shape[d]) {
            p->shape[r - 1] *= shape[d];
            p->in[r - 1] = strides[d];
        } else {
            p->shape[r] = shape[d];
            p->in[r] = strides[d];
            r++;
        }
    }
    if (r == 0) { /* a single element */
        p->shape[0] = 1;
        p->in[0] = 1;
        r = 1;
    }
    p->rank = r;
    int64_t s = 1;
    for (uint32_t d = r; d-- > 0;) {
        p->out[d] = s;
        s *= p->shape[d];
    }
}

/* Rows of the innermost dimension, each cut into `segs` segments of at most segLen elements (so
 * that a few long rows still spread over the pool): memcpy when contiguous, else strided element
 * copies. */
static void affine_rows(void* ctx, size_t begin, size_t end) {
    const AffinePlan* p = ctx;
    uint32_t L = p->rank - 1, c[WNN_MAX_RANK] = {0};
    size_t inner = p->shape[L], row = begin / p->segs, r = row;
    int64_t off = 0;
    for (uint32_t d = L; d-- > 0;) { /* coordinates of the first row */
        c[d] = (uint32_t)(r % p->shape[d]);
        r /= p->shape[d];
        off += (int64_t)c[d] * p->in[d];
    }
    for (size_t item = begin; item < end; item++) {
        size_t seg = item % p->segs;
        if (seg == 0 && item != begin) { /* next row: odometer over the outer dimensions */
            row++;
            for (uint32_t d = L; d-- > 0;) {
                off += p->in[d];
                if (++c[d] < p->shape[d]) break;
                off -= (int64_t)c[d] * p->in[d];
                c[d] = 0;
            }
        }
        size_t from = seg * p->segLen, n = WNN_MIN(p->segLen, inner - from);
        char* out = p->dst + (row * inner + from) * p->esize;
        const char* in = p->src + (off + (int64_t)from * p->in[L]) * (int64_t)p->esize;
        if (p->in[L] == 1)
            memcpy(out, in, n * p->esize);
        else
            p->copy(out, in, 1, n, 0, 0, p->in[L]);
    }
}

/* One TILE x TILE tile of the (tileDim, L) plane per item: reads and writes both stay within a
 * few cache lines, unlike a row-by-row transposition. */
static void affine_tiles(void* ctx, size_t begin, size_t end) {
    const AffinePlan* p = ctx;
    uint32_t L = p->rank - 1, P = p->tileDim;
    for (size_t item = begin; item < end; item++) {
        size_t t = item, lb = t % p->tilesL;
        t /= p->tilesL;
        size_t pb = t % p->tilesP;
        t /= p->tilesP;
        int64_t inOff = (int64_t)(pb * TILE) * p->in[P] + (int64_t)(lb * TILE) * p->in[L];
        int64_t outOff = (int64_t)(pb * TILE) * p->out[P] + (int64_t)(lb * TILE);
        for (uint32_t d = L; d-- > 0;) {
            if (d == P) continue;
            int64_t cd = (int64_t)(t % p->shape[d]);
            t /= p->shape[d];
            inOff += cd * p->in[d];
            outOff += cd * p->out[d];
        }
        size_t rows = WNN_MIN((size_t)TILE, p->shape[P] - pb * TILE);
        size_t cols = WNN_MIN((size_t)TILE, p->shape[L] - lb * TILE);
        char* out = p->dst + outOff * (int64_t)p->esize;
        const char* in = p->src + inOff * (int64_t)p->esize;
        /* a full tile in vector registers (in[P] is 1 here) */
        if (rows == TILE && cols == TILE && wnn_transpose_tile(out, p->out[P], in, p->in[L], p->esize, TILE)) continue;
        p->copy(out, in, rows, cols, p->out[P], p->in[P], p->in[L]);
    }
}

/* The dimension of input stride 1 that a transposition's tiles run along, or p->rank when the
 * copy goes row by row (the innermost dimension contiguous, a broadcast, or too short). */
static uint32_t tile_dim(const AffinePlan* p) {
    uint32_t L = p->rank - 1, dim = p->rank;
    if (p->in[L] != 1 && p->in[L] != 0 && p->shape[L] >= 4) /* 0: broadcast rows are fills */
        for (uint32_t d = 0; d < L; d++)
            if (p->in[d] == 1 && p->shape[d] >= 4) dim = d;
    return dim;
}

void wnn_affine_copy(void* dst, const void* src, size_t esize, uint32_t rank, const uint32_t* outShape,
                     const int64_t* inStrides, int64_t base, WnnThreadPool* pool) {
    AffinePlan p;
    memset(&p, 0, sizeof p);
    p.dst = dst;
    p.src = (const char*)src + base * (int64_t)esize;
    p.esize = esize;
    p.copy = copy2d_for(esize);
    plan_dims(&p, rank, outShape, inStrides);
    uint32_t L = p.rank - 1;
    p.tileDim = tile_dim(&p);
    size_t rows = 1;
    for (uint32_t d = 0; d < L; d++) rows *= p.shape[d];
    if (p.tileDim < p.rank) {
        p.tilesP = (p.shape[p.tileDim] + TILE - 1) / TILE;
        p.tilesL = (p.shape[L] + TILE - 1) / TILE;
        size_t items = rows / p.shape[p.tileDim] * p.tilesP * p.tilesL;
        wnn_parallel_for(pool, items, PARALLEL_BYTES / (TILE * TILE * esize) + 1, affine_tiles, &p);
    } else {
        p.segLen = WNN_MAX(PARALLEL_BYTES / esize, (size_t)1);
        p.segs = (p.shape[L] + p.segLen - 1) / p.segLen;
        size_t itemBytes = WNN_MIN((size_t)p.shape[L], p.segLen) * esize;
        wnn_parallel_for(pool, rows * p.segs, PARALLEL_BYTES / itemBytes + 1, affine_rows, &p);
    }
}

int wnn_affine_copy_tiled(uint32_t rank, const uint32_t* outShape, const int64_t* inStrides) {
    AffinePlan p;
    memset(&p, 0, sizeof p);
    plan_dims(&p, rank, outShape, inStrides);
    uint32_t d = tile_dim(&p);
    return d < p.rank && p.shape[d] >= TILE && p.shape[p.rank - 1] >= TILE;
}

/* ---- mapped copy (pad, tile) ---- */

typedef struct MapRun {
    uint32_t start, len; /* output positions in the last dimension */
    int64_t src;         /* first input index, -1 = fill */
} MapRun;

typedef struct MappedJob {
    char* dst;
    const char* src;
    const char* fill;
    size_t esize, rowLen;
    uint32_t outer; /* rank - 1 */
    const uint32_t* shape;
    int64_t* offs[WNN_MAX_RANK]; /* per outer dimension: input element offset, -1 = fill */
    const MapRun* runs;
    size_t runCount;
} MappedJob;

static void mapped_rows(void* ctx, size_t begin, size_t end) {
    const MappedJob* j = ctx;
    uint32_t c[WNN_MAX_RANK] = {0};
    size_t r = begin;
    for (uint32_t d = j->outer; d-- > 0;) {
        c[d] = (uint32_t)(r % j->shape[d]);
        r /= j->shape[d];
    }
    for (size_t row = begin; row < end; row++) {
        char* out = j->dst + row * j->rowLen * j->esize;
        int64_t off = 0;
        int fillRow = 0;
        for (uint32_t d = 0; d < j->outer; d++) {
            int64_t m = j->offs[d][c[d]];
            fillRow |= m < 0;
            off += m;
        }
        if (fillRow) {
            wnn_fill_elements(out, j->fill, j->esize, j->rowLen);
        } else {
            for (size_t k = 0; k < j->runCount; k++) {
                const MapRun* run = &j->runs[k];
                char* o = out + (size_t)run->start * j->esize;
                if (run->src < 0)
                    wnn_fill_elements(o, j->fill, j->esize, run->len);
                else
                    memcpy(o, j->src + (off + run->src) * (int64_t)j->esize, (size_t)run->len * j->esize);
            }
        }
        for (uint32_t d = j->outer; d-- > 0;) {
            if (++c[d] < j->shape[d]) break;
            c[d] = 0;
        }
    }
}

WNNStatus wnn_mapped_copy(void* dst, const void* src, size_t esize, uint32_t rank, const uint32_t* inShape,
                          const uint32_t* outShape, WnnIndexMapFn map, const void* ctx, const void* fill,
                          WnnThreadPool* pool) {
    if (rank == 0) { /* a scalar maps to itself */
        memcpy(dst, src, esize);
        return WNNStatus_Success;
    }
    uint32_t L = rank - 1;
    size_t tables = 0, rows = 1;
    for (uint32_t d = 0; d < L; d++) {
        tables += outShape[d];
        rows *= outShape[d];
    }
    char* mem = wnn_malloc(tables * sizeof(int64_t) + (size_t)outShape[L] * sizeof(MapRun));
    if (!mem) return wnn_error(WNNStatus_OutOfMemory, "out of memory for a copy plan");
    MappedJob j = {dst, src, fill, esize, outShape[L], L, outShape, {0}, NULL, 0};
    int64_t* t = (int64_t*)(void*)mem;
    int64_t stride = 1;
    for (uint32_t d = L; d-- > 0;) {
        stride *= inShape[d + 1];
        j.offs[d] = t;
        for (uint32_t i = 0; i < outShape[d]; i++) {
            int64_t m = map(ctx, d, i);
            t[i] = m < 0 ? -1 : m * stride;
        }
        t += outShape[d];
    }
    MapRun* runs = (MapRun*)(void*)t;
    size_t n = 0;
    for (uint32_t i = 0; i < outShape[L]; i++) {
        int64_t m = map(ctx, L, i);
        if (m < 0) m = -1;
        MapRun* last = n ? &runs[n - 1] : NULL;
        if (last && (m < 0 ? last->src < 0 : last->src >= 0 && last->src + last->len == m)) {
            last->len++;
        } else {
            runs[n++] = (MapRun){i, 1, m};
        }
    }
    j.runs = runs;
    j.runCount = n;
    wnn_parallel_for(pool, rows, PARALLEL_BYTES / (outShape[L] * esize) + 1, mapped_rows, &j);
    free(mem);
    return WNNStatus_Success;
}
