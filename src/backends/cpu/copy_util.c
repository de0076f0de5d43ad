/* copy_util.c: see copy_util.h. */
#include "backends/cpu/copy_util.h"

#include <string.h>

void wnn_row_strides(const WnnDesc* d, int64_t* strides) {
    int64_t s = 1;
    for (uint32_t i = d->rank; i-- > 0;) {
        strides[i] = s;
        s *= d->shape[i];
    }
}

static void copy_elem(char* dst, const char* src, size_t esize) {
    switch (esize) {
        case 1: *dst = *src; break;
        case 2: memcpy(dst, src, 2); break;
        case 4: memcpy(dst, src, 4); break;
        default: memcpy(dst, src, 8); break;
    }
}

typedef struct AffineJob {
    char* dst;
    const char* src;
    size_t esize, inner;
    uint32_t rank;
    const uint32_t* shape;
    const int64_t* strides;
    int64_t base;
} AffineJob;

static void affine_rows(void* p, size_t begin, size_t end) {
    const AffineJob* j = p;
    int64_t step = j->rank ? j->strides[j->rank - 1] : 0;
    for (size_t row = begin; row < end; row++) {
        int64_t off = j->base;
        size_t r = row;
        for (uint32_t d = j->rank ? j->rank - 1 : 0; d-- > 0;) {
            off += (int64_t)(r % j->shape[d]) * j->strides[d];
            r /= j->shape[d];
        }
        char* out = j->dst + row * j->inner * j->esize;
        if (step == 1) {
            memcpy(out, j->src + off * (int64_t)j->esize, j->inner * j->esize);
        } else {
            for (size_t k = 0; k < j->inner; k++, off += step)
                copy_elem(out + k * j->esize, j->src + off * (int64_t)j->esize, j->esize);
        }
    }
}

void wnn_affine_copy(void* dst, const void* src, size_t esize, uint32_t rank, const uint32_t* outShape,
                     const int64_t* inStrides, int64_t base, WnnThreadPool* pool) {
    AffineJob j = {dst, src, esize, rank ? outShape[rank - 1] : 1, rank, outShape, inStrides, base};
    size_t rows = 1;
    for (uint32_t d = 0; d + 1 < rank; d++) rows *= outShape[d];
    size_t grain = 65536 / (j.inner * esize + 1) + 1;
    wnn_parallel_for(pool, rows, grain, affine_rows, &j);
}

void wnn_mapped_copy(void* dst, const void* src, size_t esize, uint32_t rank, const uint32_t* outShape,
                     int64_t* const* maps, const void* fill) {
    size_t total = 1;
    for (uint32_t d = 0; d < rank; d++) total *= outShape[d];
    uint32_t c[WNN_MAX_RANK] = {0};
    char* out = dst;
    for (size_t i = 0; i < total; i++) {
        int64_t off = 0;
        int skip = 0;
        for (uint32_t d = 0; d < rank; d++) {
            int64_t m = maps[d][c[d]];
            if (m < 0) skip = 1;
            off += m;
        }
        copy_elem(out + i * esize, skip ? (const char*)fill : (const char*)src + off * (int64_t)esize, esize);
        for (uint32_t d = rank; d-- > 0;) { /* odometer */
            if (++c[d] < outShape[d]) break;
            c[d] = 0;
        }
    }
}

int64_t wnn_load_index(const void* data, WNNOperandDataType type, size_t i) {
    switch (type) {
        case WNNOperandDataType_Int32: return ((const int32_t*)data)[i];
        case WNNOperandDataType_Uint32: return ((const uint32_t*)data)[i];
        case WNNOperandDataType_Int64: return ((const int64_t*)data)[i];
        case WNNOperandDataType_Uint64: {
            uint64_t v = ((const uint64_t*)data)[i];
            return v > INT64_MAX ? INT64_MAX : (int64_t)v;
        }
        default: return wnn_load_i64(data, type, i);
    }
}
