/* workload_run.c: see workload_run.h. */
#include "workload_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anchor_proc.h"
#include "core/core.h"
#include "graph_json.h"
#include "tool_util.h"

static WtdChecksum parse_checksum(const cJSON* o) {
    WtdChecksum c;
    c.sum = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "sum"));
    c.sumsq = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "sumsq"));
    c.sumabs = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "sumabs"));
    c.wsum = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "wsum"));
    return c;
}

/* A pause before each side's turn: thread pools spin on the cores for a while after their last work
 * (onnxruntime's intra-op workers, libgomp's), which would otherwise tax whichever side runs next
 * on the same cores. The same for both sides. */
#define SETTLE_MS 200
static void settle(void) {
    struct timespec t = {0, SETTLE_MS * 1000000L};
    nanosleep(&t, NULL);
}

/* Starts the anchor on `path` with --runs; NULL (and r->anchorError) when it cannot start. */
static WbaAnchor* start_anchor(const WbwConfig* cfg, const char* path, WbwResult* r) {
    const char* argv[32];
    int n = 0;
    for (; cfg->anchor[n] && n < 24; n++) argv[n] = cfg->anchor[n];
    char runs[16];
    snprintf(runs, sizeof runs, "%d", cfg->runs);
    argv[n++] = "--workload";
    argv[n++] = path;
    argv[n++] = "--runs";
    argv[n++] = runs;
    argv[n] = NULL;
    return wba_start((char* const*)argv, r->anchorError, sizeof r->anchorError);
}

/* One timed run of ours in milliseconds; negative on failure. */
static double timed_run(const WbwConfig* cfg, WgjGraph* g, char* err, size_t errSize) {
    double t0 = wtu_now_ms();
    WNNStatus s = cfg->timeUpload ? wgj_run(g, err, errSize) : wgj_dispatch_and_read(g, err, errSize);
    return s ? -1 : wtu_now_ms() - t0;
}

/* The anchor's answer to one round: its times appended to r, its checksums kept (the last round's). */
static int take_round(WbwResult* r, cJSON* answer) {
    const cJSON* times = cJSON_GetObjectItemCaseSensitive(answer, "times_ms");
    const cJSON* sums = cJSON_GetObjectItemCaseSensitive(answer, "checksums");
    if (!cJSON_IsArray(times) || !cJSON_IsObject(sums)) {
        snprintf(r->anchorError, sizeof r->anchorError, "malformed round answer");
        return -1;
    }
    double* t = realloc(r->anchorMs, sizeof(double) * (size_t)(r->anchorN + cJSON_GetArraySize(times)));
    if (!t) return -1;
    r->anchorMs = t;
    for (const cJSON* v = times->child; v; v = v->next) r->anchorMs[r->anchorN++] = cJSON_GetNumberValue(v);
    for (size_t i = 0; i < r->outputCount; i++) {
        const cJSON* c = cJSON_GetObjectItemCaseSensitive(sums, r->outputs[i].name);
        r->outputs[i].hasAnchor = c != NULL;
        if (c) r->outputs[i].anchor = parse_checksum(c);
    }
    return 0;
}

static void drop_anchor(WbaAnchor** a) {
    wba_stop(*a);
    *a = NULL;
}

int wbw_run(const WbwConfig* cfg, const char* path, const cJSON* graph, WbwResult* r, char* err, size_t errSize) {
    memset(r, 0, sizeof *r);
    /* The anchor sets itself up (conversion, session, warm-up) before we build: our build times
     * its candidate kernels, and beside the anchor's set-up on 2 cores it timed matmul_1024 at
     * 16.7 ms ours and 18-20.7 oneDNN's (10-12 both, alone) and kept the slower one. */
    double begin = wtu_now_ms();
    WbaAnchor* anchor = cfg->anchor ? start_anchor(cfg, path, r) : NULL;
    WgjGraph* g = NULL;
    int status = -1;
    if (anchor) { /* its "ready" line comes after its warm-up */
        cJSON* ready = wba_request(anchor, NULL, r->anchorError, sizeof r->anchorError);
        const char* info = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ready, "anchor"));
        if (info) snprintf(r->anchorInfo, sizeof r->anchorInfo, "%s", info);
        if (!ready) drop_anchor(&anchor);
        cJSON_Delete(ready);
        r->anchorReadyMs = wtu_now_ms() - begin;
    }
    double t0 = wtu_now_ms();
    r->buildStartMs = t0 - begin;
    if (wgj_build(cfg->ctx, graph, &g, err, errSize)) goto done;
    if (wgj_output_count(g) > WBW_MAX_OUTPUTS) {
        snprintf(err, errSize, "more than %d outputs", WBW_MAX_OUTPUTS);
        goto done;
    }
    if (wgj_run(g, err, errSize)) goto done; /* writes the inputs once, creates the output tensors */
    r->buildMs = wtu_now_ms() - t0;
    for (int w = 0; w < 3; w++)
        if (timed_run(cfg, g, err, errSize) < 0) goto done;
    r->outputCount = wgj_output_count(g);
    for (size_t i = 0; i < r->outputCount; i++) snprintf(r->outputs[i].name, sizeof r->outputs[i].name, "%s", wgj_output_name(g, i));
    r->oursMs = malloc(sizeof(double) * (size_t)cfg->runs * (size_t)cfg->rounds);
    if (!r->oursMs) goto done;
    for (int round = 0; round < cfg->rounds; round++) {
        settle();
        if (timed_run(cfg, g, err, errSize) < 0) goto done; /* untimed: settles caches and threads */
        for (int k = 0; k < cfg->runs; k++) {
            double ms = timed_run(cfg, g, err, errSize);
            if (ms < 0) goto done;
            r->oursMs[r->oursN++] = ms;
        }
        if (!anchor) continue;
        settle();
        cJSON* answer = wba_request(anchor, "round\n", r->anchorError, sizeof r->anchorError);
        if (!answer || take_round(r, answer)) drop_anchor(&anchor);
        cJSON_Delete(answer);
    }
    for (size_t i = 0; i < r->outputCount; i++) {
        r->outputs[i].ours = wtd_checksum(wgj_output(g, i));
        r->outputs[i].quantized = !wnn_type_is_float(wgj_output(g, i)->type);
    }
    status = 0;
done:
    if (anchor && wba_stop(anchor) != 0 && !r->anchorError[0])
        snprintf(r->anchorError, sizeof r->anchorError, "the anchor exited with an error");
    if (!cfg->anchor) snprintf(r->anchorError, sizeof r->anchorError, "no anchor");
    else if (status == 0 && r->anchorN == 0 && !r->anchorError[0])
        snprintf(r->anchorError, sizeof r->anchorError, "the anchor gave no timings");
    wgj_free(g);
    return status;
}

void wbw_result_free(WbwResult* r) {
    free(r->oursMs);
    free(r->anchorMs);
    r->oursMs = r->anchorMs = NULL;
}
