/* onednn_f16.c: float16 <-> float32 conversion at the edges of the oneDNN steps (onednn.h).
 * oneDNN 2.6 has no float16 convolution or matmul on AVX2, and its f16 <-> f32 reorders are the
 * reference "simple:any" ones: measured on 2 AVX2 cores, 48 ms for 1x256x56x56, against 0.4 ms for
 * an F16C loop (f16_convert.c). So float16 steps convert here and run in float32. */
#ifdef WNN_HAVE_ONEDNN
#include <stdlib.h>

#include "backends/cpu/f16_convert.h"
#include "backends/cpu/onednn.h"
#include "core/core.h"

typedef struct Conv {
    const void* from;
    void* to;
    int toHalf;
} Conv;

static void convert_range(void* ctx, size_t begin, size_t end) {
    const Conv* c = ctx;
    if (c->toHalf) wnn_f32_to_f16_n((const float*)c->from + begin, (uint16_t*)c->to + begin, end - begin);
    else wnn_f16_to_f32_n((const uint16_t*)c->from + begin, (float*)c->to + begin, end - begin);
}

/* Chunks of at least 32 Ki elements: below that a thread's start costs more than it converts. */
static void convert(WnnThreadPool* pool, const void* from, void* to, size_t n, int toHalf) {
    Conv c = {from, to, toHalf};
    wnn_parallel_for(pool, n, 32768, convert_range, &c);
}

void wnn_onednn_f16_to_f32(WnnThreadPool* pool, const uint16_t* h, float* f, size_t n) { convert(pool, h, f, n, 0); }

void wnn_onednn_f32_to_f16(WnnThreadPool* pool, const float* f, uint16_t* h, size_t n) { convert(pool, f, h, n, 1); }

float wnn_onednn_value(const void* data, int f16, size_t i) {
    return f16 ? wnn_half_to_float(((const uint16_t*)data)[i]) : ((const float*)data)[i];
}

WNNStatus wnn_onednn_weights(WnnOnednnExec* e, const dnnl_memory_desc_t* user, const WnnIrOperand* w,
                             const dnnl_memory_desc_t* want) {
    size_t n = (size_t)wnn_desc_numel(&w->desc);
    float* tmp = NULL;
    if (e->f16) {
        if (!(tmp = wnn_malloc((n ? n : 1) * sizeof(float)))) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
        wnn_onednn_f16_to_f32(NULL, w->data, tmp, n);
    }
    WNNStatus s = wnn_onednn_constant(e, user, tmp ? tmp : w->data, want, &e->wei);
    free(tmp);
    return s;
}
#else
typedef int wnn_onednn_f16_unused;
#endif
