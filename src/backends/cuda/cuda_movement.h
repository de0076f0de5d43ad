/* cuda_movement.h: launchers of the data-movement kernels (cuda_movement.cu), callable from C.
 * Elements are moved as opaque words of `esize` bytes (1, 2, 4 or 8), so one kernel serves every
 * data type; only resample2d's linear mode looks at values. Every launcher enqueues on `stream`
 * and returns the first failing cudaError_t as an int (0 on success). Element counts and offsets
 * stay below 2^31 (the builder's limit on every tensor), so coordinates are split in 32 bits. */
#ifndef WNN_BACKENDS_CUDA_CUDA_MOVEMENT_H_
#define WNN_BACKENDS_CUDA_CUDA_MOVEMENT_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WNN_MV_MAX_RANK 8

/* How an output coordinate finds its input element, dimension by dimension. */
typedef enum WnnMvKind {
    WNN_MV_STRIDED, /* input index = output index (transpose, slice, reverse, expand: all in the strides) */
    WNN_MV_TILE,    /* input index = output index % inDim */
    WNN_MV_PAD      /* input index = output index - begin, outside the input by padMode */
} WnnMvKind;

typedef enum WnnMvPadMode { WNN_MV_PAD_CONSTANT, WNN_MV_PAD_EDGE, WNN_MV_PAD_REFLECTION } WnnMvPadMode;

/* out[i] = in[base + sum_d index_d(c_d) * stride[d]] for the coordinate c of output element i. */
typedef struct WnnMvMap {
    int kind;    /* WnnMvKind */
    int padMode; /* WnnMvPadMode */
    int rank;
    uint32_t shape[WNN_MV_MAX_RANK]; /* output dimensions */
    uint32_t inDim[WNN_MV_MAX_RANK]; /* tile and pad: input dimensions */
    uint32_t begin[WNN_MV_MAX_RANK]; /* pad: beginning padding */
    int64_t stride[WNN_MV_MAX_RANK]; /* input element strides (0 broadcasts, negative reverses) */
    int64_t base;
    uint64_t fill; /* pad constant: the element's bytes (its first esize bytes) */
} WnnMvMap;
int wnn_cuda_mv_map(int esize, const void* in, void* out, const WnnMvMap* map, int64_t count, void* stream);

/* triangular: keeps the elements with column - row >= diagonal (upper) or <= diagonal (lower) of
 * each rows x cols matrix, zeroes the others. */
int wnn_cuda_mv_triangular(int esize, const void* in, void* out, int64_t count, int64_t rows, int64_t cols, int upper,
                           int64_t diagonal, void* stream);

/* concat / split of up to WNN_MV_PARTS parts at once: each of `rows` whole rows (wholeRow
 * elements) holds, from element `first` on, the parts' rows side by side; part k's rows are
 * at[k + 1] - at[k] elements long (at[0] = 0). split copies whole -> parts, concat parts -> whole. */
#define WNN_MV_PARTS 32
typedef struct WnnMvParts {
    int count, split;
    int64_t rows, wholeRow, first;
    int64_t at[WNN_MV_PARTS + 1];
    void* part[WNN_MV_PARTS];
} WnnMvParts;
int wnn_cuda_mv_parts(int esize, void* whole, const WnnMvParts* parts, void* stream);

/* The gathers and scatters. Indices (itype 0 int32, 1 uint32, 2 int64) are clamped as the CPU
 * does: negative ones count from the end, anything still outside is clamped into range.
 * Axis ops see the input as [outer, dim, inner] and the indices as [outer, count, inner]
 * (elements: one index per element, gatherElements / scatterElements) or as [count] (gather: one
 * index per row). ND ops: `tuples` coordinate tuples of k entries into dims[0..k), each selecting
 * a slab of `slab` elements. */
typedef struct WnnMvIndex {
    int itype;
    int elements;
    int64_t outer, dim, count, inner;
    int k;
    int64_t tuples, slab;
    uint32_t dims[WNN_MV_MAX_RANK];
} WnnMvIndex;
int wnn_cuda_mv_gather(int esize, const void* in, const void* indices, void* out, const WnnMvIndex* x, void* stream);
int wnn_cuda_mv_gather_nd(int esize, const void* in, const void* indices, void* out, const WnnMvIndex* x,
                          void* stream);
/* Scatters updates into out (which already holds a copy of the input). Where indices repeat, the
 * last update in row-major order wins, as on the CPU: each target first records the highest
 * update (+1) aiming at it in `winner` (slots uint32s: one per output element, or per slab for
 * ND), then only that update writes. */
int wnn_cuda_mv_scatter(int esize, int nd, const void* indices, const void* updates, void* out, uint32_t* winner,
                        int64_t slots, const WnnMvIndex* x, void* stream);

/* resample2d on a 4-D tensor, in double precision exactly as the CPU kernel (k_pool.c) computes
 * it. dtype: 0 float32, 1 float16, 2 int8, 3 uint8. */
typedef struct WnnMvResample {
    int dtype, linear, ax0, ax1;
    uint32_t in[4], out[4];
} WnnMvResample;
int wnn_cuda_mv_resample(const void* in, void* out, const WnnMvResample* r, void* stream);

#ifdef __cplusplus
}
#endif

#endif
