/* cpu_profile.h: WNN_CPU_PROFILE=1 (read when a graph is built) times every node of each dispatch
 * on the CPU and, when the compiled graph is released, prints to stderr one line per node: its op,
 * label, the path that ran it (a prepared state's name, else "kernel"), the mean host milliseconds
 * per dispatch and its share of the sum. For finding where a graph's time goes. */
#ifndef WNN_BACKENDS_CPU_CPU_PROFILE_H_
#define WNN_BACKENDS_CPU_CPU_PROFILE_H_

#include "graph/graph.h"

typedef struct WnnCpuProfile {
    double* ms;    /* per node, summed over dispatches */
    uint64_t runs; /* dispatches timed */
} WnnCpuProfile;

/* p->ms = NULL unless WNN_CPU_PROFILE=1; OutOfMemory only when it is set and allocation fails. */
WNNStatus wnn_cpu_profile_init(WnnCpuProfile* p, uint32_t nodes);
double wnn_cpu_profile_now_ms(void);
/* Prints the table (when anything was timed) and frees p. paths[k]: node k's path name or NULL. */
void wnn_cpu_profile_report(WnnCpuProfile* p, const WnnGraphIR* ir, const char* const* paths);

#endif
