/* copy_util.h: element-size-generic copies that data-movement kernels are made of. */
#ifndef WNN_BACKENDS_CPU_COPY_UTIL_H_
#define WNN_BACKENDS_CPU_COPY_UTIL_H_

#include <stddef.h>
#include <stdint.h>

#include "core/threadpool.h"
#include "graph/graph.h"

/* Row-major element strides of a descriptor. */
void wnn_row_strides(const WnnDesc* d, int64_t* strides);

/* out[c] = in[base + sum(c[d] * inStrides[d])] for every coordinate c of outShape (strides in
 * elements, may be 0 or negative). Runs of stride 1 are copied with memcpy. */
void wnn_affine_copy(void* dst, const void* src, size_t esize, uint32_t rank, const uint32_t* outShape,
                     const int64_t* inStrides, int64_t base, WnnThreadPool* pool);

/* out[c] = in[sum(maps[d][c[d]])], or the `fill` element when any maps[d][c[d]] is negative.
 * maps[d] has outShape[d] entries, each an input element offset along d (index * stride). */
void wnn_mapped_copy(void* dst, const void* src, size_t esize, uint32_t rank, const uint32_t* outShape,
                     int64_t* const* maps, const void* fill);

/* Reads index i of an integer indices tensor as int64. */
int64_t wnn_load_index(const void* data, WNNOperandDataType type, size_t i);
/* Wraps a negative index and clamps into [0, size). */
static inline int64_t wnn_clamp_index(int64_t v, uint32_t size) {
    if (v < 0) v += size;
    return v < 0 ? 0 : v >= (int64_t)size ? (int64_t)size - 1 : v;
}

#endif
