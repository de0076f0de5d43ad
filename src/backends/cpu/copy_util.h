/* copy_util.h: element-size-generic copies that the data-movement kernels are made of. Elements
 * are moved as opaque 1-, 2-, 4- or 8-byte words and never interpreted, so one code path serves
 * every data type. */
#ifndef WNN_BACKENDS_CPU_COPY_UTIL_H_
#define WNN_BACKENDS_CPU_COPY_UTIL_H_

#include <stddef.h>
#include <stdint.h>

#include "core/threadpool.h"
#include "graph/graph.h"

/* Row-major element strides of a descriptor. */
void wnn_row_strides(const WnnDesc* d, int64_t* strides);

/* memcpy of `bytes` bytes, split across the pool when large. */
void wnn_copy_bytes(void* dst, const void* src, size_t bytes, WnnThreadPool* pool);

/* Writes `count` copies of the `esize`-byte element at `value` to dst. */
void wnn_fill_elements(void* dst, const void* value, size_t esize, size_t count);

/* Strided view copy: out[c] = in[base + sum(c[d] * inStrides[d])] for every coordinate c of the
 * dense row-major output of outShape (strides in elements; 0 broadcasts, negative reverses).
 * Dimensions that are contiguous in both are merged first; unit-stride runs become memcpy, long
 * rows are cut into segments for the pool, and a transposition (some dimension of input stride 1
 * that is not the last) is copied in cache-sized tiles. */
void wnn_affine_copy(void* dst, const void* src, size_t esize, uint32_t rank, const uint32_t* outShape,
                     const int64_t* inStrides, int64_t base, WnnThreadPool* pool);

/* Whether wnn_affine_copy moves such a copy mostly in vector tiles (transpose_tile.h): a
 * transposition whose two extents are both at least a tile. Otherwise (say NCHW -> NHWC of 3
 * channels) it copies element by element, several times slower than a specialised reorder. */
int wnn_affine_copy_tiled(uint32_t rank, const uint32_t* outShape, const int64_t* inStrides);

/* Per-dimension index map: returns the input index along dimension d for output index i, or -1
 * for "use the fill element". */
typedef int64_t (*WnnIndexMapFn)(const void* ctx, uint32_t d, uint32_t i);

/* out[c] = in[map(0, c[0]), map(1, c[1]), ...] over the output shape, or *fill where any map
 * gives -1. The input is dense row-major of inShape (same rank). Runs of consecutive input
 * indices in the last dimension are copied with memcpy. Fails only with OutOfMemory. */
WNNStatus wnn_mapped_copy(void* dst, const void* src, size_t esize, uint32_t rank, const uint32_t* inShape,
                          const uint32_t* outShape, WnnIndexMapFn map, const void* ctx, const void* fill,
                          WnnThreadPool* pool);

/* Element i of an indices tensor (int32, uint32 or int64) as int64. */
static inline int64_t wnn_load_index(const void* data, WNNOperandDataType type, size_t i) {
    switch (type) {
        case WNNOperandDataType_Int32: return ((const int32_t*)data)[i];
        case WNNOperandDataType_Uint32: return ((const uint32_t*)data)[i];
        default: return ((const int64_t*)data)[i];
    }
}

/* The spec's index rule: -size..size-1, negative counting from the end. Anything outside is
 * clamped into range, since indices are data and cannot be checked when the graph is built. */
static inline size_t wnn_clamp_index(int64_t v, uint32_t size) {
    if (v < 0) v += size; /* no overflow: size <= INT32_MAX */
    return v < 0 ? 0 : v >= (int64_t)size ? (size_t)size - 1 : (size_t)v;
}

#endif
