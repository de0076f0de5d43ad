/* test_core.c: core pieces below the API: float16 conversion, element load/store conversions,
 * the thread pool, the memory plan, descriptor validation and broadcasting. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "compile/memory_plan.h"
#include "core/core.h"
#include "core/threadpool.h"
#include "graph/graph.h"
#include "wt.h"

/* Every binary16 value survives half -> float -> half; the rounding of floats between two halves
 * goes to the nearest, ties to the even one. */
static void test_half(void) {
    int bad = 0;
    for (uint32_t h = 0; h < 0x10000; h++) {
        float f = wnn_half_to_float((uint16_t)h);
        uint16_t back = wnn_float_to_half(f);
        if (isnan(f) ? (back & 0x7c00) != 0x7c00 || !(back & 0x3ff) : back != h) bad++;
    }
    WT_CHECK(bad == 0);
    WT_CHECK(wnn_float_to_half(1.0f) == 0x3c00);
    WT_CHECK(wnn_float_to_half(65504.0f) == 0x7bff);
    WT_CHECK(wnn_float_to_half(65520.0f) == 0x7c00);        /* rounds up to infinity */
    WT_CHECK(wnn_float_to_half(65519.99f) == 0x7bff);
    WT_CHECK(wnn_float_to_half(-0.0f) == 0x8000);
    WT_CHECK(wnn_float_to_half(5.9604644775390625e-8f) == 0x0001); /* smallest subnormal */
    WT_CHECK(wnn_float_to_half(2.98023223876953125e-8f) == 0x0000); /* tie to even: 0 */
    WT_CHECK(wnn_float_to_half(8.940696716308594e-8f) == 0x0002);   /* 1.5 ulp: tie to even 2 */
    WT_CHECK(wnn_float_to_half(1.0f + 1.0f / 2048) == 0x3c00);      /* tie: even mantissa */
    WT_CHECK(wnn_float_to_half(1.0f + 3.0f / 2048) == 0x3c02);
    WT_CHECK(wnn_double_to_half(1.0 + 1.0 / 2048 + 1e-12) == 0x3c01); /* just above the tie: once-rounded */
    /* The bit-level float path agrees with the double path on every exponent and random mantissas. */
    uint64_t seed = 11;
    int mismatch = 0;
    for (uint32_t e = 0; e < 256; e++)
        for (int k = 0; k < 4000; k++) {
            uint32_t bits = (e << 23) | (uint32_t)(wt_next(&seed) & 0x807fffffu);
            if (k < 4) bits = (e << 23) | (k == 0 ? 0u : k == 1 ? 0x1000u : k == 2 ? 0x3000u : 0x7fffffu);
            float f;
            memcpy(&f, &bits, 4);
            if (isnan(f)) continue;
            if (wnn_float_to_half(f) != wnn_double_to_half((double)f)) mismatch++;
        }
    WT_CHECK(mismatch == 0);
}

static void test_load_store(void) {
    int32_t i32[1];
    wnn_store_f64(i32, WNNOperandDataType_Int32, 0, 3e10);
    WT_CHECK(i32[0] == INT32_MAX);
    wnn_store_f64(i32, WNNOperandDataType_Int32, 0, -2.7);
    WT_CHECK(i32[0] == -2);
    wnn_store_f64(i32, WNNOperandDataType_Int32, 0, NAN);
    WT_CHECK(i32[0] == 0);
    uint8_t u8[1];
    wnn_store_f64(u8, WNNOperandDataType_Uint8, 0, -5);
    WT_CHECK(u8[0] == 0);
    wnn_store_i64(u8, WNNOperandDataType_Uint8, 0, 257);
    WT_CHECK(u8[0] == 1); /* integer stores wrap */
    int64_t big = INT64_MAX;
    WT_CHECK(wnn_load_i64(&big, WNNOperandDataType_Int64, 0) == INT64_MAX);
    uint64_t ubig = UINT64_MAX;
    WT_CHECK(wnn_load_u64(&ubig, WNNOperandDataType_Uint64, 0) == UINT64_MAX);
    WT_CHECK(wnn_type_size(WNNOperandDataType_Float16) == 2 && wnn_type_size((WNNOperandDataType)9) == 0);
    WT_CHECK(wnn_type_from_name("uint64") == WNNOperandDataType_Uint64);
    WT_CHECK(wnn_type_from_name("bfloat16") == WNNOperandDataType_Undefined);
}

typedef struct {
    atomic_long sum;
    atomic_int calls;
} SumCtx;

static void add_range(void* ctx, size_t begin, size_t end) {
    SumCtx* s = ctx;
    long local = 0;
    for (size_t i = begin; i < end; i++) local += (long)i;
    atomic_fetch_add(&s->sum, local);
    atomic_fetch_add(&s->calls, 1);
}

static void test_threadpool(void) {
    WnnThreadPool* pool = wnn_threadpool_create(3);
    WT_CHECK(pool && wnn_threadpool_size(pool) == 3);
    for (int rep = 0; rep < 200; rep++) {
        SumCtx s = {0, 0};
        size_t n = (size_t)(rep * 37 + 1);
        wnn_parallel_for(pool, n, 4, add_range, &s);
        WT_CHECK(atomic_load(&s.sum) == (long)(n * (n - 1) / 2));
    }
    SumCtx inline_run = {0, 0};
    wnn_parallel_for(NULL, 100, 1, add_range, &inline_run);
    WT_CHECK(atomic_load(&inline_run.sum) == 4950 && atomic_load(&inline_run.calls) == 1);
    wnn_threadpool_destroy(pool);
}

static int overlaps(const WnnPlanItem* a, const WnnPlanItem* b) {
    int timeOverlap = a->first <= b->last && b->first <= a->last;
    int spaceOverlap = a->offset < b->offset + b->size && b->offset < a->offset + a->size;
    return timeOverlap && spaceOverlap;
}

static void test_memory_plan(void) {
    uint64_t seed = 7;
    for (int rep = 0; rep < 50; rep++) {
        WnnPlanItem items[40];
        size_t n = 1 + wt_next(&seed) % 40, total = 0, arena;
        for (size_t i = 0; i < n; i++) {
            uint32_t first = (uint32_t)(wt_next(&seed) % 30);
            items[i] = (WnnPlanItem){1 + wt_next(&seed) % 5000, first, first + (uint32_t)(wt_next(&seed) % 6), 0};
            total += (items[i].size + 63) & ~(size_t)63;
        }
        arena = wnn_memory_plan(items, n, 64);
        WT_CHECK(arena <= total);
        for (size_t i = 0; i < n; i++) {
            WT_CHECK(items[i].offset % 64 == 0 && items[i].offset + items[i].size <= arena);
            for (size_t j = i + 1; j < n; j++) WT_CHECK(!overlaps(&items[i], &items[j]));
        }
    }
    /* A chain reuses memory: three steps of 1 KiB need two blocks. */
    WnnPlanItem chain[3] = {{1024, 0, 1, 0}, {1024, 1, 2, 0}, {1024, 2, 3, 0}};
    WT_CHECK(wnn_memory_plan(chain, 3, 64) == 2048);
}

static void test_desc_and_broadcast(void) {
    WnnDesc d;
    uint32_t ok[3] = {2, 3, 4}, zero[2] = {3, 0}, toobig[2] = {0x80000000u, 1};
    WT_OK(wnn_desc_from_public("t", WNNOperandDataType_Float32, ok, 3, &d));
    WT_CHECK(wnn_desc_numel(&d) == 24 && wnn_desc_bytes(&d) == 96);
    WT_CHECK_STATUS(wnn_desc_from_public("t", WNNOperandDataType_Float32, zero, 2, &d), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnn_desc_from_public("t", WNNOperandDataType_Float32, toobig, 2, &d), WNNStatus_TypeError);
    WT_CHECK_STATUS(wnn_desc_from_public("t", WNNOperandDataType_Float32, NULL, 2, &d), WNNStatus_TypeError);
    WT_OK(wnn_desc_from_public("t", WNNOperandDataType_Int8, NULL, 0, &d));
    WT_CHECK(wnn_desc_numel(&d) == 1);
    WnnDesc a = {WNNOperandDataType_Float32, 3, {2, 1, 4}}, b = {WNNOperandDataType_Float32, 2, {3, 1}}, out;
    WT_CHECK(wnn_broadcast_shapes(&a, &b, &out) && out.rank == 3 && out.shape[0] == 2 && out.shape[1] == 3 &&
             out.shape[2] == 4);
    WnnDesc c = {WNNOperandDataType_Float32, 1, {3}};
    WT_CHECK(!wnn_broadcast_shapes(&a, &c, &out));
    WT_CHECK(wnn_broadcast_unidirectional(&b, &out));
    WT_CHECK(!wnn_broadcast_unidirectional(&out, &b));
}

int main(void) {
    test_half();
    test_load_store();
    test_threadpool();
    test_memory_plan();
    test_desc_and_broadcast();
    return wt_summary("test_core");
}
