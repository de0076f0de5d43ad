/* wnn-run: runs a graph in the conformance / workload JSON format and prints each output's shape,
 * checksums (../shared/bench/README.md) and first values; with --bench N, the median and spread
 * of N timed runs (input upload, dispatch and read back); --bench-dispatch N times N back-to-back
 * dispatches and one read; --bench-host N the host time of each dispatch call; --fp16 builds the
 * float32 graph in float16. Exits 2 when an output's checksums miss the float64 reference
 * (../shared/bench/anchors/ort_cpu_2core.json) by more than the bound, 1 on an error.
 *   wnn-run GRAPH.json [--device cpu|cuda|default] [--bench N] [--case NAME|INDEX] */
#include <cjson/cJSON.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device_select.h"
#include "tool_util.h"
#include "graph_json.h"

static int g_float16; /* --fp16: the float32 graph built in float16 */




/* The graph object: a workload file is one; a corpus file holds tests[], picked by --case. */
static const cJSON* pick_graph(const cJSON* file, const char* which, const char** name) {
    const cJSON* tests = cJSON_GetObjectItemCaseSensitive(file, "tests");
    *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(file, "name"));
    if (!tests) return file;
    char* end = NULL;
    long index = which ? strtol(which, &end, 10) : 0;
    int byName = which && *end != 0, i = 0;
    for (const cJSON* t = tests->child; t; t = t->next, i++) {
        const char* n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "name"));
        if (byName ? n && strcmp(n, which) == 0 : i == index) {
            *name = n;
            return cJSON_GetObjectItemCaseSensitive(t, "graph");
        }
    }
    return NULL;
}

/* Reference checksums of a workload from the anchors file beside the workloads, if any. */
static const cJSON* reference_checksums(cJSON* anchors, const char* workload, const char* output) {
    const cJSON* w = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(anchors, "workloads"), workload);
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(w, "checksums_float64_reference"), output);
}

int main(int argc, char** argv) {
    const char *path = NULL, *device = "default", *which = NULL;
    int bench = 0, benchDispatch = 0, benchHost = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) device = argv[++i];
        else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc) bench = atoi(argv[++i]);
        else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc) which = argv[++i];
        else if (strcmp(argv[i], "--fp16") == 0) wgj_use_float16(g_float16 = 1);
        else if (strcmp(argv[i], "--tf32") == 0) wds_allow_tf32(1);
        else if (strcmp(argv[i], "--bench-dispatch") == 0 && i + 1 < argc) benchDispatch = atoi(argv[++i]);
        else if (strcmp(argv[i], "--bench-host") == 0 && i + 1 < argc) benchHost = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !path) path = argv[i];
        else path = NULL, i = argc;
    }
    if (!path) {
        fprintf(stderr, "usage: wnn-run GRAPH.json [--device cpu|cuda|default] [--bench N] [--bench-dispatch N] [--fp16] "
                        "[--bench-host N] [--tf32] [--case NAME|INDEX]\n");
        return 2;
    }
    cJSON* file = wtu_load_json(path);
    if (!file) {
        fprintf(stderr, "%s: cannot read or parse\n", path);
        return 2;
    }
    const char* name = NULL;
    const cJSON* graph = pick_graph(file, which, &name);
    if (!graph) {
        fprintf(stderr, "%s: no such case\n", path);
        cJSON_Delete(file);
        return 2;
    }
    WNNContext ctx;
    if (wds_create_context(device, &ctx)) return 1;
    WNNAdapterInfo info;
    wnnContextGetAdapterInfo(ctx, &info);
    printf("%s on %s\n", name ? name : path, info.name);
    char err[1024];
    WgjGraph* g = NULL;
    double t0 = wtu_now_ms();
    if (wgj_build(ctx, graph, &g, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double buildMs = wtu_now_ms() - t0;
    if (wgj_run(g, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("build: %.1f ms\n", buildMs);
    WNNGraphPartitionInfo part;
    if (wgj_partition_info(g, &part) == WNNStatus_Success && part.segmentCount > 1)
        printf("placement: %u segments, %u ops on the CPU fallback, %u tensors copied between devices per dispatch\n",
               part.segmentCount, part.fallbackNodeCount, part.lastDispatchCopyCount);
    else
        printf("placement: every op on %s\n", info.name);
    WNNGraphMemoryInfo mem;
    if (wgj_memory_info(g, &mem) == WNNStatus_Success)
        printf("memory: intermediates %.2f MB (%.2f MB as separate tensors, before reuse and fusion); "
               "prepared for the kernels %.2f MB\n",
               mem.intermediateBytes / 1e6, mem.intermediateTensorBytes / 1e6, mem.preparedBytes / 1e6);
    char anchorsPath[2048], copy[1024];
    snprintf(copy, sizeof copy, "%s", path);
    snprintf(anchorsPath, sizeof anchorsPath, "%s/../anchors/ort_cpu_2core.json", dirname(copy));
    cJSON* anchors = wtu_load_json(anchorsPath);
    int mismatch = 0;
    for (size_t i = 0; i < wgj_output_count(g); i++) {
        const WtdTensor* t = wgj_output(g, i);
        WtdChecksum c = wtd_checksum(t);
        printf("output '%s': shape [", wgj_output_name(g, i));
        for (uint32_t d = 0; d < t->rank; d++) printf("%s%u", d ? "," : "", t->shape[d]);
        printf("], sum %.9g, sumsq %.9g, sumabs %.9g, wsum %.9g\n  first:", c.sum, c.sumsq, c.sumabs, c.wsum);
        for (size_t k = 0; k < t->count && k < 8; k++) printf(" %.7g", wtd_value(t, k));
        printf("\n");
        const cJSON* ref = name ? reference_checksums(anchors, name, wgj_output_name(g, i)) : NULL;
        if (ref) {
            double rs = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ref, "sum"));
            double rq = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ref, "sumsq"));
            double rw = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ref, "wsum"));
            double ra = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ref, "sumabs"));
            double e = fmax(fabs(c.sum - rs) / ra, fmax(fabs(c.sumsq - rq) / rq, fabs(c.wsum - rw) / ra));
            /* float16 graphs: one rounding per op to 11 bits, through tens of layers (wnn-bench's bound too) */
            double bound = g_float16 ? 1e-2 : 1e-4;
            printf("  vs float64 reference: max relative difference %.2e (%s, bound %.0e)\n", e,
                   e < bound ? "ok" : "MISMATCH", bound);
            mismatch |= !(e < bound);
        }
    }
    cJSON_Delete(anchors);
    int status = 0;
    if (bench > 0) {
        double* times = malloc(sizeof(double) * (size_t)bench);
        for (int w = 0; w < 3; w++) wgj_run(g, err, sizeof err); /* warm-up */
        for (int r = 0; r < bench; r++) {
            double s = wtu_now_ms();
            if (wgj_run(g, err, sizeof err)) {
                fprintf(stderr, "%s\n", err);
                status = 1;
                break;
            }
            times[r] = wtu_now_ms() - s;
        }
        if (!status) {
            wtu_sort(times, bench);
            double med = times[bench / 2];
            printf("bench: %d runs, median %.3f ms, min %.3f, max %.3f, spread (p90-p10)/median %.1f%%\n", bench, med,
                   times[0], times[bench - 1], 100.0 * (times[bench * 9 / 10] - times[bench / 10]) / med);
        }
        free(times);
    }
    if (benchDispatch > 0 && !status) {
        /* Back-to-back dispatches, then one read: the device's time per graph, inputs resident. */
        double s = wtu_now_ms();
        for (int r = 0; r < benchDispatch && !status; r++) status = wgj_dispatch_only(g, err, sizeof err) != 0;
        if (!status) status = wgj_dispatch_and_read(g, err, sizeof err) != 0;
        if (status) fprintf(stderr, "%s\n", err);
        else printf("bench-dispatch: %d dispatches + 1 read, %.3f ms per dispatch\n", benchDispatch,
                    (wtu_now_ms() - s) / (benchDispatch + 1));
    }
    if (benchHost > 0 && !status) {
        /* Host time of each wnnContextDispatch call alone (the work itself is asynchronous on a GPU);
         * a read every 64 calls keeps the queue short. */
        double* t = malloc(sizeof(double) * (size_t)benchHost);
        for (int r = 0; r < benchHost && !status; r++) {
            if (r % 64 == 63) status = wgj_dispatch_and_read(g, err, sizeof err) != 0;
            double s0 = wtu_now_ms();
            if (!status) status = wgj_dispatch_only(g, err, sizeof err) != 0;
            t[r] = (wtu_now_ms() - s0) * 1000.0;
        }
        if (status) fprintf(stderr, "%s\n", err);
        else {
            wtu_sort(t, benchHost);
            printf("bench-host: %d dispatch calls, host time median %.2f us, p90 %.2f us\n", benchHost, t[benchHost / 2],
                   t[benchHost * 9 / 10]);
        }
        free(t);
    }
    wgj_free(g);
    wnnContextRelease(ctx);
    cJSON_Delete(file);
    return status ? status : mismatch ? 2 : 0;
}
