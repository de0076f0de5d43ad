/* reduce_plan.c: see reduce_plan.h. */
#include "backends/cpu/reduce_plan.h"

#include <stdlib.h>

#include "backends/cpu/copy_util.h"

/* Offsets of every coordinate over the dimensions selected (want = 1) or not (want = 0) by mask. */
static size_t* offsets(const WnnDesc* d, uint32_t mask, int want, size_t* count) {
    int64_t s[WNN_MAX_RANK];
    wnn_row_strides(d, s);
    uint32_t dims[WNN_MAX_RANK], n = 0;
    size_t total = 1;
    for (uint32_t i = 0; i < d->rank; i++)
        if (((mask >> i) & 1u) == (uint32_t)want) {
            dims[n++] = i;
            total *= d->shape[i];
        }
    size_t* out = malloc(sizeof(size_t) * total);
    if (!out) return NULL;
    uint32_t c[WNN_MAX_RANK] = {0};
    for (size_t k = 0; k < total; k++) {
        size_t off = 0;
        for (uint32_t j = 0; j < n; j++) off += c[j] * (size_t)s[dims[j]];
        out[k] = off;
        for (uint32_t j = n; j-- > 0;) {
            if (++c[j] < d->shape[dims[j]]) break;
            c[j] = 0;
        }
    }
    *count = total;
    return out;
}

WNNStatus wnn_reduce_plan(const WnnDesc* d, uint32_t mask, WnnReducePlan* p) {
    p->outer = offsets(d, mask, 0, &p->outerCount);
    p->reduced = offsets(d, mask, 1, &p->reducedCount);
    if (!p->outer || !p->reduced) {
        wnn_reduce_plan_free(p);
        return wnn_error(WNNStatus_OutOfMemory, "out of memory planning a reduction");
    }
    return WNNStatus_Success;
}

void wnn_reduce_plan_free(WnnReducePlan* p) {
    free(p->outer);
    free(p->reduced);
    p->outer = p->reduced = NULL;
}
