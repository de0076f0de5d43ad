/* memory_plan.h: offsets for a graph's intermediate tensors in one arena, reusing memory of tensors
 * whose last reader has run (liveness). Shared by the CPU backend and the CUDA module. */
#ifndef WNN_COMPILE_MEMORY_PLAN_H_
#define WNN_COMPILE_MEMORY_PLAN_H_

#include <stddef.h>
#include <stdint.h>

typedef struct WnnPlanItem {
    size_t size;    /* bytes */
    uint32_t first; /* step that writes it */
    uint32_t last;  /* last step that reads it (>= first) */
    size_t offset;  /* result */
} WnnPlanItem;

/* Assigns offsets (multiples of `align`, a power of two) so items alive at the same step never
 * overlap; returns the arena size. Items are processed in order of `first`. */
size_t wnn_memory_plan(WnnPlanItem* items, size_t count, size_t align);

#endif
