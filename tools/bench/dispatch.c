/* dispatch.c: `wnn-bench dispatch`: what one wnnContextDispatch call costs the caller's thread when
 * the work itself is negligible (relu on 16 floats; relu then add). Each graph is built once; its
 * tensors are created and the input written once. */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "tool_util.h"

#define CMD "dispatch"

static const char kUsage[] =
    "usage: wnn-bench dispatch [--device cpu|cuda] [--calls N] [--threads T] [--json FILE]\n"
    "Host time of wnnContextDispatch on a one-op graph (relu on float32 [16]) and a two-op graph\n"
    "(relu, then add of the input), each built once: the median, p10 and p90 of N calls (default 20000)\n"
    "timed one by one (a wnnContextReadTensor every 64 calls, untimed, keeps a GPU's queue short; on\n"
    "the CPU the call runs the graph itself), and the median of N/8 dispatch + read round trips.\n";

enum { LEN = 16, READ_EVERY = 64 };

typedef struct Bench {
    WNNGraph graph;
    WNNTensor in, out;
    float host[LEN];
} Bench;

static int build(WNNContext ctx, int ops, Bench* b) {
    const uint32_t shape[1] = {LEN};
    WNNOperandDescriptor d = {WNNOperandDataType_Float32, shape, 1};
    WNNGraphBuilder gb = NULL;
    WNNOperand x = NULL, y = NULL, z = NULL;
    int bad = wnnCreateGraphBuilder(ctx, &gb) || wnnGraphBuilderInput(gb, "x", &d, &x) ||
              wnnGraphBuilderRelu(gb, x, NULL, &y) || (ops == 2 && wnnGraphBuilderAdd(gb, y, x, NULL, &z));
    WNNNamedOperand out = {"y", ops == 2 ? z : y};
    bad = bad || wnnGraphBuilderBuild(gb, &out, 1, &b->graph);
    WNNTensorDescriptor ti = {WNNOperandDataType_Float32, shape, 1, false, true, false};
    WNNTensorDescriptor to = {WNNOperandDataType_Float32, shape, 1, true, false, false};
    for (int i = 0; i < LEN; i++) b->host[i] = (float)(i - LEN / 2);
    bad = bad || wnnContextCreateTensor(ctx, &ti, &b->in) || wnnContextCreateTensor(ctx, &to, &b->out) ||
          wnnContextWriteTensor(ctx, b->in, b->host, sizeof b->host);
    if (bad) fprintf(stderr, "wnn-bench dispatch: %s\n", wnnGetLastErrorMessage());
    wnnGraphBuilderRelease(gb);
    return bad;
}

static int dispatch(WNNContext ctx, Bench* b) {
    WNNNamedTensor in = {"x", b->in}, out = {"y", b->out};
    return wnnContextDispatch(ctx, b->graph, &in, 1, &out, 1) != WNNStatus_Success;
}

static int read_back(WNNContext ctx, Bench* b) { return wnnContextReadTensor(ctx, b->out, b->host, sizeof b->host) != 0; }

/* Times `calls` dispatches (microseconds each) and calls / 8 dispatch + read round trips. */
static int measure(WNNContext ctx, Bench* b, int calls, double* t, double* rt) {
    for (int w = 0; w < 100; w++)
        if (dispatch(ctx, b) || read_back(ctx, b)) return -1;
    for (int r = 0; r < calls; r++) {
        if (r % READ_EVERY == READ_EVERY - 1 && read_back(ctx, b)) return -1;
        double s = wtu_now_ms();
        if (dispatch(ctx, b)) return -1;
        t[r] = (wtu_now_ms() - s) * 1e3;
    }
    if (read_back(ctx, b)) return -1;
    for (int r = 0; r < calls / 8; r++) {
        double s = wtu_now_ms();
        if (dispatch(ctx, b) || read_back(ctx, b)) return -1;
        rt[r] = (wtu_now_ms() - s) * 1e3;
    }
    return 0;
}

int wnn_bench_dispatch(int argc, char** argv) {
    const char *device = "cpu", *json = NULL;
    int calls = 20000, threads = 0;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(kUsage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--device") == 0) bad = wbu_str_arg(CMD, argc, argv, &i, &device);
        else if (strcmp(argv[i], "--json") == 0) bad = wbu_str_arg(CMD, argc, argv, &i, &json);
        else if (strcmp(argv[i], "--calls") == 0) bad = wbu_int_arg(CMD, argc, argv, &i, 8, &calls);
        else if (strcmp(argv[i], "--threads") == 0) bad = wbu_int_arg(CMD, argc, argv, &i, 1, &threads);
        else return wbu_usage_error(CMD, "unknown argument '%s'", argv[i]);
        if (bad) return 2;
    }
    if (strcmp(device, "cpu") != 0 && strcmp(device, "cuda") != 0)
        return wbu_usage_error(CMD, "--device wants cpu or cuda, not '%s'", device);
    WNNContext ctx;
    if (wbu_create_context(device, (unsigned)threads, &ctx)) return 1;
    WNNAdapterInfo info;
    wnnContextGetAdapterInfo(ctx, &info);
    printf("wnn-bench dispatch on %s: host time of one wnnContextDispatch call, microseconds\n\n", info.name);
    printf("%-22s %4s %7s %9s %9s %9s %16s\n", "graph", "ops", "calls", "median", "p10", "p90", "dispatch+read");
    cJSON* doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "device", info.name);
    cJSON* rows = cJSON_AddArrayToObject(doc, "graphs");
    double* t = malloc(sizeof(double) * (size_t)calls);
    double* rt = malloc(sizeof(double) * (size_t)(calls / 8));
    int status = !t || !rt;
    static const char* const names[] = {"relu [16]", "relu + add [16]"};
    for (int ops = 1; ops <= 2 && !status; ops++) {
        Bench b = {0};
        status = build(ctx, ops, &b) || measure(ctx, &b, calls, t, rt);
        if (status) {
            fprintf(stderr, "wnn-bench dispatch: %s: %s\n", names[ops - 1], wnnGetLastErrorMessage());
        } else {
            WbuStats s = wbu_stats(t, calls), r = wbu_stats(rt, calls / 8);
            printf("%-22s %4d %7d %9.2f %9.2f %9.2f %16.2f\n", names[ops - 1], ops, calls, s.median, s.p10, s.p90, r.median);
            cJSON* row = cJSON_CreateObject();
            cJSON_AddStringToObject(row, "graph", names[ops - 1]);
            cJSON_AddNumberToObject(row, "ops", ops);
            cJSON_AddNumberToObject(row, "calls", calls);
            cJSON_AddNumberToObject(row, "dispatch_median_us", s.median);
            cJSON_AddNumberToObject(row, "dispatch_p10_us", s.p10);
            cJSON_AddNumberToObject(row, "dispatch_p90_us", s.p90);
            cJSON_AddNumberToObject(row, "dispatch_and_read_median_us", r.median);
            cJSON_AddItemToArray(rows, row);
        }
        wnnTensorRelease(b.in);
        wnnTensorRelease(b.out);
        wnnGraphRelease(b.graph);
    }
    if (json && !status) {
        char* text = cJSON_Print(doc);
        FILE* f = fopen(json, "w");
        status = !f || fputs(text, f) < 0;
        if (status) fprintf(stderr, "wnn-bench dispatch: cannot write %s\n", json);
        if (f) fclose(f);
        free(text);
    }
    cJSON_Delete(doc);
    free(t);
    free(rt);
    wnnContextRelease(ctx);
    return status;
}
