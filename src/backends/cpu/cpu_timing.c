/* cpu_timing.c: build-time timing of prepared states on scratch tensors (cpu_timing.h). */
#include "backends/cpu/cpu_timing.h"

#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_profile.h"

int wnn_cpu_tuning_allowed(void) {
    const char* v = getenv("WNN_CPU_TUNE");
    return !v || strcmp(v, "0") != 0;
}

int wnn_cpu_verbose(void) {
    const char* v = getenv("WNN_CPU_VERBOSE");
    return v && !strcmp(v, "1");
}

int wnn_cpu_tuning(double flops) { return flops >= 8e6 && wnn_cpu_tuning_allowed(); }

WNNStatus wnn_cpu_scratch_init(WnnCpuScratch* s, const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* f,
                               const size_t* bytes) {
    memset(s, 0, sizeof *s);
    int fused = f && f->absorbedCount > 0;
    uint32_t n = node->inputCount + (fused && f->residual >= 0);
    if (n > 8) return wnn_error(WNNStatus_OperationError, "build: too many inputs to time");
    for (uint32_t j = 0; j <= n; j++) {
        int32_t id = j == n ? (fused ? f->output : node->outputs[0]) : j < node->inputCount ? node->inputs[j] : f->residual;
        WnnCpuTensor* t = j == n ? &s->out[0] : &s->in[j];
        if (id < 0) continue;
        const WnnIrOperand* o = &ir->operands[id];
        t->desc = &o->desc;
        if (j < n && o->kind == WNN_OPERAND_CONSTANT && o->data) {
            t->data = (void*)o->data;
            continue;
        }
        size_t size = (size_t)wnn_desc_bytes(&o->desc);
        if (bytes && bytes[j] > size) size = bytes[j];
        if (!(t->data = s->owned[j] = wnn_aligned_alloc(size ? size : 1))) {
            wnn_cpu_scratch_free(s);
            return wnn_error(WNNStatus_OutOfMemory, "build: out of memory (timing scratch)");
        }
        memset(t->data, 0, size);
    }
    s->inCount = n;
    return WNNStatus_Success;
}

void wnn_cpu_scratch_free(WnnCpuScratch* s) {
    for (int j = 0; j < 9; j++) wnn_aligned_free(s->owned[j]);
    memset(s, 0, sizeof *s);
}

void wnn_cpu_time_two(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* fuse, WnnThreadPool* pool,
                      const WnnCpuPrepared* a, const WnnCpuPrepared* b, double* ta, double* tb) {
    WnnCpuScratch sa, sb;
    *ta = *tb = -1;
    int okA = !wnn_cpu_scratch_init(&sa, ir, node, a->fused ? fuse : NULL, NULL);
    int okB = !wnn_cpu_scratch_init(&sb, ir, node, b->fused ? fuse : NULL, NULL);
    for (int r = 0; okA && okB && r < 8; r++) {
        /* caches and pages touched once, then only timed runs; 8 rounds, as a burst of other load on
         * a shared host can last 4 (BERT's FFN once kept a 5.8 ms GEMM over a 3.1 ms one) */
        int warm = r == 0;
        double x = wnn_cpu_time_state(a, node, &sa, pool, warm, 1), y = wnn_cpu_time_state(b, node, &sb, pool, warm, 1);
        if (x >= 0 && (*ta < 0 || x < *ta)) *ta = x;
        if (y >= 0 && (*tb < 0 || y < *tb)) *tb = y;
    }
    if (okA) wnn_cpu_scratch_free(&sa);
    if (okB) wnn_cpu_scratch_free(&sb);
}

double wnn_cpu_time_state(const WnnCpuPrepared* p, const WnnNode* node, const WnnCpuScratch* s, WnnThreadPool* pool,
                          int warmups, int runs) {
    WnnCpuKernelArgs args = {node, s->in, s->out, pool};
    double best = -1;
    for (int r = 0; r < warmups + runs; r++) {
        double t0 = wnn_cpu_profile_now_ms();
        if (p->run(p, &args)) return -1;
        double t = wnn_cpu_profile_now_ms() - t0;
        if (r >= warmups && (best < 0 || t < best)) best = t;
    }
    return best;
}

double wnn_cpu_winograd_costs(double tw, double twl, double td, double tl, double* costD) {
    /* seen on Zen 4 with another build on the other core: linked 8-36 ms against 0.7-1.0 alone
     * (3 runs, one burst), which sent resnet50's 14 x 14 convs to the slower path */
    if (tl >= 0 && td >= 0 && tl > td) tl = td;
    if (twl >= 0 && tw >= 0 && twl > tw) twl = tw;
    double costW = tw;
    *costD = td;
    if (twl >= 0) costW = twl, *costD = tl;
    else if (tl >= 0 && td >= tl) costW = tw + (td - tl), *costD = tl;
    return tw < 0 ? -1 : costW;
}
