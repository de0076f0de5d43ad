/* reduce_plan.h: splits a tensor's elements into "outer" positions (the kept dimensions, in
 * row-major order of the output) and the "reduced" offsets (the reduced dimensions), so that element
 * (o, r) is at outer[o] + reduced[r]. Reductions and normalizations iterate over it. */
#ifndef WNN_BACKENDS_CPU_REDUCE_PLAN_H_
#define WNN_BACKENDS_CPU_REDUCE_PLAN_H_

#include <stddef.h>
#include <stdint.h>

#include "graph/graph.h"

typedef struct WnnReducePlan {
    size_t outerCount, reducedCount;
    size_t* outer;
    size_t* reduced;
} WnnReducePlan;

/* OutOfMemory on failure. */
WNNStatus wnn_reduce_plan(const WnnDesc* d, uint32_t mask, WnnReducePlan* plan);
void wnn_reduce_plan_free(WnnReducePlan* plan);

#endif
