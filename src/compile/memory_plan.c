/* memory_plan.c: greedy first-fit over the live intervals, in step order. */
#include "compile/memory_plan.h"

#include <stdlib.h>

#define ALIGN(x) (((x) + align - 1) & ~(align - 1))

static int by_first(const void* a, const void* b) {
    const WnnPlanItem* const* x = a;
    const WnnPlanItem* const* y = b;
    if ((*x)->first != (*y)->first) return (*x)->first < (*y)->first ? -1 : 1;
    return (*x)->size > (*y)->size ? -1 : (*x)->size < (*y)->size;
}

size_t wnn_memory_plan(WnnPlanItem* items, size_t count, size_t align) {
    if (count == 0) return 0;
    WnnPlanItem** order = malloc(count * sizeof *order);
    WnnPlanItem** live = malloc(count * sizeof *live);
    if (!order || !live) { /* fall back to no reuse */
        size_t total = 0;
        for (size_t i = 0; i < count; i++) { items[i].offset = total; total += ALIGN(items[i].size); }
        free(order);
        free(live);
        return total;
    }
    for (size_t i = 0; i < count; i++) order[i] = &items[i];
    qsort(order, count, sizeof *order, by_first);
    size_t liveCount = 0, arena = 0;
    for (size_t i = 0; i < count; i++) {
        WnnPlanItem* it = order[i];
        /* Drop items whose last reader ran before this one is written. */
        size_t k = 0;
        for (size_t j = 0; j < liveCount; j++)
            if (live[j]->last >= it->first) live[k++] = live[j];
        liveCount = k;
        /* Lowest offset that overlaps no live item (live kept sorted by offset). */
        size_t size = ALIGN(it->size), offset = 0;
        for (size_t j = 0; j < liveCount; j++) {
            if (offset + size <= live[j]->offset) break;
            size_t end = live[j]->offset + ALIGN(live[j]->size);
            if (end > offset) offset = end;
        }
        it->offset = offset;
        if (offset + size > arena) arena = offset + size;
        size_t pos = liveCount;
        while (pos > 0 && live[pos - 1]->offset > offset) { live[pos] = live[pos - 1]; pos--; }
        live[pos] = it;
        liveCount++;
    }
    free(order);
    free(live);
    return arena;
}
