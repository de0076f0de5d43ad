/* cpu_profile.h: WNN_CPU_PROFILE=1 (read when a graph is built) times every node of each dispatch
 * on the CPU and, when the compiled graph is released, prints to stderr one line per node: its op,
 * label, the path that ran it (a prepared state's name, else "kernel"), the mean host milliseconds
 * per dispatch, its share of the sum, and the fastest single dispatch's milliseconds (on a shared
 * host the minimum moves far less than the mean: compare paths by it). For finding where a graph's
 * time goes. */
#ifndef WNN_BACKENDS_CPU_CPU_PROFILE_H_
#define WNN_BACKENDS_CPU_CPU_PROFILE_H_

#include "graph/graph.h"

typedef struct WnnCpuProfile {
    double* ms;    /* per node, summed over dispatches; then per node the fastest (2 x nodes) */
    uint32_t nodes;
    uint64_t runs; /* dispatches timed */
} WnnCpuProfile;

/* p->ms = NULL unless WNN_CPU_PROFILE=1; OutOfMemory only when it is set and allocation fails. */
WNNStatus wnn_cpu_profile_init(WnnCpuProfile* p, uint32_t nodes);
double wnn_cpu_profile_now_ms(void);
/* Node k took ms in one dispatch. */
void wnn_cpu_profile_add(WnnCpuProfile* p, uint32_t k, double ms);
/* Prints the table (when anything was timed) and frees p. paths[k]: node k's path name or NULL. */
void wnn_cpu_profile_report(WnnCpuProfile* p, const WnnGraphIR* ir, const char* const* paths);

#endif
