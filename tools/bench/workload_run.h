/* workload_run.h: one workload timed on our side and on an anchor's, interleaved: after building
 * both (and 3 warm-up runs of ours), each round runs ours `runs` times and then asks the anchor
 * process (anchor_proc.h) for its `runs`; each side does 1 untimed run at the start of every round. */
#ifndef WNN_TOOLS_BENCH_WORKLOAD_RUN_H_
#define WNN_TOOLS_BENCH_WORKLOAD_RUN_H_

#include <cjson/cJSON.h>
#include <stddef.h>

#include "tensor_data.h"
#include "webnn/webnn.h"

enum { WBW_MAX_OUTPUTS = 8 };

typedef struct WbwConfig {
    WNNContext ctx;
    int timeUpload;             /* ours: time the input writes too (write + dispatch + read) */
    int runs, rounds;
    const char* const* anchor;  /* argv prefix of the anchor (python3 SCRIPT --serve ...); NULL: none */
} WbwConfig;

typedef struct WbwOutput {
    char name[128];
    WtdChecksum ours, anchor;
    int hasAnchor;
    int quantized; /* an integer (int8 / uint8 ...) output, as a QDQ graph's */
} WbwOutput;

typedef struct WbwResult {
    double buildMs;
    double anchorReadyMs, buildStartMs; /* since the workload's start: the build must not overlap the anchor's set-up */
    double* oursMs; /* runs * rounds timings */
    int oursN;
    double* anchorMs;
    int anchorN;
    char anchorInfo[256];  /* the anchor's "anchor" line (what it ran) */
    char anchorError[512]; /* why the anchor gave no timings ("" when it did) */
    size_t outputCount;
    WbwOutput outputs[WBW_MAX_OUTPUTS];
} WbwResult;

/* Runs the workload file `path` (already parsed as `graph`). Returns 0 when ours ran (the anchor
 * may still have failed: r->anchorError); else err says why. Free r with wbw_result_free. */
int wbw_run(const WbwConfig* cfg, const char* path, const cJSON* graph, WbwResult* r, char* err, size_t errSize);
void wbw_result_free(WbwResult* r);

#endif
