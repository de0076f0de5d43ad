/* cpu_profile.c: per-node host time of CPU dispatches (cpu_profile.h). */
#include "backends/cpu/cpu_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

WNNStatus wnn_cpu_profile_init(WnnCpuProfile* p, uint32_t nodes) {
    const char* env = getenv("WNN_CPU_PROFILE");
    memset(p, 0, sizeof *p);
    if (!env || strcmp(env, "1") != 0) return WNNStatus_Success;
    if (!(p->ms = wnn_calloc(2 * (size_t)nodes + 1, sizeof(double))))
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory (WNN_CPU_PROFILE)");
    p->nodes = nodes;
    return WNNStatus_Success;
}

double wnn_cpu_profile_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

void wnn_cpu_profile_add(WnnCpuProfile* p, uint32_t k, double ms) {
    p->ms[k] += ms;
    double* fastest = &p->ms[p->nodes + k];
    if (p->runs == 0 || ms < *fastest) *fastest = ms;
}

void wnn_cpu_profile_report(WnnCpuProfile* p, const WnnGraphIR* ir, const char* const* paths) {
    if (!p->ms) return;
    double total = 0, fastest = 0;
    for (uint32_t k = 0; k < ir->nodeCount; k++) total += p->ms[k], fastest += p->ms[p->nodes + k];
    if (p->runs) {
        fprintf(stderr, "WNN_CPU_PROFILE: %u nodes, %llu dispatches, %.3f ms per dispatch in nodes (sum of the nodes' minima %.3f)\n",
                ir->nodeCount, (unsigned long long)p->runs, total / (double)p->runs, fastest);
        for (uint32_t k = 0; k < ir->nodeCount; k++) {
            const WnnNode* n = &ir->nodes[k];
            fprintf(stderr, "  %4u %-20s %-24s %-12s %9.4f ms %5.1f%%  min %.4f\n", k, wnn_op_name(n->op), n->label ? n->label : "",
                    paths[k] ? paths[k] : "kernel", p->ms[k] / (double)p->runs, total > 0 ? 100 * p->ms[k] / total : 0,
                    p->ms[p->nodes + k]);
        }
    }
    free(p->ms);
    memset(p, 0, sizeof *p);
}
