/* wnn-conformance: replays the W3C WPT WebNN conformance corpus through the public API.
 *   wnn-conformance [--device cpu|cuda] [--corpus DIR] [--op NAME] [--json FILE] [--verbose] [--require-device]
 * Prints a per-op table of passed / failed / skipped and of the cases whose graph placed some
 * operation on the CPU instead of the chosen device ("on cpu"; with --require-device those fail),
 * then "N passed, N failed, N skipped". */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_select.h"
#include "tool_util.h"
#include "graph_json.h"
#include "tolerance.h"

typedef struct Row {
    char op[64];
    int passed, failed, skipped, requiredFailed, fallback;
} Row;

static Row g_rows[256];
static int g_rowCount;
static int g_verbose;
static int g_requireDevice;
static cJSON* g_json;

static Row* row(const char* op) {
    for (int i = 0; i < g_rowCount; i++)
        if (strcmp(g_rows[i].op, op) == 0) return &g_rows[i];
    Row* r = &g_rows[g_rowCount++];
    memset(r, 0, sizeof *r);
    snprintf(r->op, sizeof r->op, "%s", op);
    return r;
}

static void record(const char* op, const char* name, int required, const char* result, const char* detail) {
    Row* r = row(op);
    if (strcmp(result, "pass") == 0) r->passed++;
    else if (strcmp(result, "skip") == 0) r->skipped++;
    else {
        r->failed++;
        if (required) r->requiredFailed++;
    }
    if (strcmp(result, "pass") != 0 || g_verbose)
        printf("%s %s: %s%s%s\n", result[0] == 'p' ? "PASS" : result[0] == 's' ? "SKIP" : "FAIL", op, name,
               detail && detail[0] ? " -- " : "", detail ? detail : "");
    if (g_json) {
        cJSON* c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "op", op);
        cJSON_AddStringToObject(c, "name", name);
        cJSON_AddBoolToObject(c, "required", required);
        cJSON_AddStringToObject(c, "result", result);
        if (detail) cJSON_AddStringToObject(c, "detail", detail);
        cJSON_AddItemToArray(g_json, c);
    }
}


static void run_case(WNNContext ctx, const char* op, const cJSON* test) {
    const char* name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(test, "name"));
    int required = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(test, "required"));
    const cJSON* graph = cJSON_GetObjectItemCaseSensitive(test, "graph");
    const cJSON* tol = cJSON_GetObjectItemCaseSensitive(test, "tolerance");
    const char* metricName = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tol, "metric"));
    double value = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tol, "value"));
    WtolMetric metric = metricName && strcmp(metricName, "ATOL") == 0 ? WTOL_ATOL : WTOL_ULP;
    char err[1024] = "";
    WgjGraph* g = NULL;
    if (wgj_build(ctx, graph, &g, err, sizeof err) || wgj_run(g, err, sizeof err)) {
        record(op, name, required, "fail", err);
        wgj_free(g);
        return;
    }
    WNNGraphPartitionInfo part;
    if (wgj_partition_info(g, &part) == WNNStatus_Success && part.fallbackNodeCount) {
        row(op)->fallback++;
        if (g_requireDevice) {
            snprintf(err, sizeof err, "%u operation(s) ran on the CPU, not on the device", part.fallbackNodeCount);
            record(op, name, required, "fail", err);
            wgj_free(g);
            return;
        }
    }
    const cJSON* expected = cJSON_GetObjectItemCaseSensitive(graph, "expectedOutputs");
    for (size_t i = 0; i < wgj_output_count(g); i++) {
        const cJSON* e = cJSON_GetObjectItemCaseSensitive(expected, wgj_output_name(g, i));
        const WtdTensor* a = wgj_output(g, i);
        WtdTensor want;
        char why[256];
        if (wtd_parse_descriptor(cJSON_GetObjectItemCaseSensitive(e, "descriptor"), &want, why, sizeof why)) {
            snprintf(err, sizeof err, "output '%s': %s", wgj_output_name(g, i), why);
            break;
        }
        if (want.type != a->type || want.rank != a->rank || memcmp(want.shape, a->shape, a->rank * sizeof(uint32_t))) {
            snprintf(err, sizeof err, "output '%s': descriptor differs from the expected one", wgj_output_name(g, i));
            break;
        }
        WtolResult r;
        if (wtol_compare(a, cJSON_GetObjectItemCaseSensitive(e, "data"), metric, value, &r)) {
            snprintf(err, sizeof err, "output '%s': %zu of %zu off; %s", wgj_output_name(g, i), r.failed, r.compared,
                     r.detail);
            break;
        }
    }
    record(op, name, required, err[0] ? "fail" : "pass", err);
    wgj_free(g);
}

/* ---- validation tables ---- */
typedef struct VNames {
    const char* names[16];
    WNNOperand ops[16];
    int n;
} VNames;

static WNNOperand vlookup(void* ctx, const char* name) {
    VNames* v = ctx;
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->names[i], name) == 0) return v->ops[i];
    return NULL;
}

static int make_input(WNNGraphBuilder b, VNames* v, const char* name, const cJSON* desc, char* err, size_t errSize) {
    WtdTensor t;
    if (wtd_parse_descriptor(desc, &t, err, errSize)) return -1;
    WNNOperandDescriptor d = {t.type, t.shape, t.rank};
    WNNOperand x = NULL;
    if (wnnGraphBuilderInput(b, name, &d, &x)) {
        snprintf(err, errSize, "input %s: %s", name, wnnGetLastErrorMessage());
        return -1;
    }
    v->names[v->n] = name;
    v->ops[v->n++] = x;
    return 0;
}

static void run_validation(WNNContext ctx, const char* family, const cJSON* test) {
    static char names[16][32];
    const char* name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(test, "name"));
    const char* op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(test, "op"));
    const cJSON* expected = cJSON_GetObjectItemCaseSensitive(test, "expected");
    char err[1024] = "", label[128];
    snprintf(label, sizeof label, "%s (validation)", family);
    WNNGraphBuilder b = NULL;
    wnnCreateGraphBuilder(ctx, &b);
    VNames v = {{0}, {0}, 0};
    cJSON* args = cJSON_CreateArray();
    int k = 0;
    for (const cJSON* in = cJSON_GetObjectItemCaseSensitive(test, "inputs")->child; in && k < 8; in = in->next, k++) {
        snprintf(names[k], sizeof names[k], "input%d", k);
        if (make_input(b, &v, names[k], in, err, sizeof err)) break;
        cJSON* a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "operand", names[k]);
        cJSON_AddItemToArray(args, a);
    }
    const cJSON* options = cJSON_GetObjectItemCaseSensitive(test, "options");
    if (options && !err[0]) {
        cJSON* o = cJSON_Duplicate(options, 1);
        for (cJSON* e = o->child; e; e = e->next) {
            const cJSON* desc = cJSON_GetObjectItemCaseSensitive(e, "operand");
            if (!desc || k >= 16) continue;
            snprintf(names[k], sizeof names[k], "option_%d", k);
            if (make_input(b, &v, names[k], desc, err, sizeof err)) break;
            cJSON* str = cJSON_CreateString(names[k++]);
            cJSON_ReplaceItemInObjectCaseSensitive(o, e->string, str);
            e = str;
        }
        cJSON* a = cJSON_CreateObject();
        cJSON_AddItemToObject(a, "options", o);
        cJSON_AddItemToArray(args, a);
    }
    if (!err[0]) {
        WNNOperand outs[16];
        size_t n = 0;
        char why[512] = "";
        WNNStatus s = wgj_call_op(b, op, args, vlookup, &v, outs, 16, &n, why, sizeof why);
        const cJSON* wantErr = cJSON_GetObjectItemCaseSensitive(expected, "error");
        const cJSON* wantOut = cJSON_GetObjectItemCaseSensitive(expected, "output");
        if (wantErr) {
            if (!s) snprintf(err, sizeof err, "accepted, expected %s", cJSON_GetStringValue(wantErr));
            else if (strcmp(wnnStatusName(s), cJSON_GetStringValue(wantErr)) != 0)
                snprintf(err, sizeof err, "rejected with %s (%s), expected %s", wnnStatusName(s), why,
                         cJSON_GetStringValue(wantErr));
        } else if (s) {
            snprintf(err, sizeof err, "rejected: %s", why);
        } else if (wantOut) {
            const cJSON* descs = cJSON_IsArray(wantOut) ? wantOut->child : wantOut;
            for (size_t i = 0; descs && !err[0]; descs = cJSON_IsArray(wantOut) ? descs->next : NULL, i++) {
                WtdTensor t;
                if (i >= n || wtd_parse_descriptor(descs, &t, err, sizeof err)) {
                    if (!err[0]) snprintf(err, sizeof err, "too few outputs");
                    break;
                }
                uint32_t shape[WNN_MAX_RANK];
                wnnOperandGetShape(outs[i], shape);
                if (wnnOperandGetDataType(outs[i]) != t.type || wnnOperandGetRank(outs[i]) != t.rank ||
                    memcmp(shape, t.shape, t.rank * sizeof(uint32_t)))
                    snprintf(err, sizeof err, "output %zu descriptor differs", i);
            }
        }
    }
    record(label, name, 1, err[0] ? "fail" : "pass", err);
    cJSON_Delete(args);
    wnnGraphBuilderRelease(b);
}

static int by_name(const struct dirent** a, const struct dirent** b) { return strcmp((*a)->d_name, (*b)->d_name); }
static int is_json(const struct dirent* d) {
    size_t n = strlen(d->d_name);
    return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Returns the number of corpus files read (-1 when the directory cannot be read). */
static int run_dir(WNNContext ctx, const char* dir, const char* only, int validation) {
    struct dirent** list;
    int n = scandir(dir, &list, is_json, by_name);
    for (int i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        cJSON* file = wtu_load_json(path);
        const char* op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(file, "op"));
        if (!file || !op) {
            fprintf(stderr, "%s: not a corpus file\n", path);
            record(list[i]->d_name, "file", 1, "fail", "unreadable corpus file");
        } else if (!only || strcmp(only, op) == 0) {
            const cJSON* tests = cJSON_GetObjectItemCaseSensitive(file, "tests");
            for (const cJSON* t = tests ? tests->child : NULL; t; t = t->next) {
                if (validation) run_validation(ctx, op, t);
                else run_case(ctx, op, t);
            }
        }
        cJSON_Delete(file);
        free(list[i]);
    }
    if (n >= 0) free(list);
    return n;
}

int main(int argc, char** argv) {
    const char *device = "cpu", *corpus = NULL, *only = NULL, *jsonPath = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) device = argv[++i];
        else if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc) corpus = argv[++i];
        else if (strcmp(argv[i], "--op") == 0 && i + 1 < argc) only = argv[++i];
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) jsonPath = argv[++i];
        else if (strcmp(argv[i], "--verbose") == 0) g_verbose = 1;
        else if (strcmp(argv[i], "--require-device") == 0) g_requireDevice = 1;
        else {
            fprintf(stderr, "usage: wnn-conformance [--device cpu|cuda] [--corpus DIR] [--op NAME] [--json FILE] "
                            "[--verbose] [--require-device]\n");
            return 2;
        }
    }
    char shared[1024], dir[1100], vdir[1200];
    if (!corpus) {
        snprintf(dir, sizeof dir, "%s/conformance", wds_shared_dir(shared, sizeof shared));
        corpus = dir;
    }
    WNNContext ctx = NULL;
    if (wds_create_context(device, &ctx)) return 2;
    if (jsonPath) g_json = cJSON_CreateArray();
    if (run_dir(ctx, corpus, only, 0) <= 0) {
        fprintf(stderr, "wnn-conformance: no corpus files in %s (use --corpus DIR or WNN_SHARED_DIR)\n", corpus);
        wnnContextRelease(ctx);
        return 2;
    }
    snprintf(vdir, sizeof vdir, "%s/validation", corpus);
    run_dir(ctx, vdir, only, 1);
    int passed = 0, failed = 0, skipped = 0, reqFailed = 0, fallback = 0;
    printf("\n%-36s %7s %7s %7s %9s %7s\n", "op", "passed", "failed", "skipped", "req.fail", "on cpu");
    for (int i = 0; i < g_rowCount; i++) {
        Row* r = &g_rows[i];
        printf("%-36s %7d %7d %7d %9d %7d\n", r->op, r->passed, r->failed, r->skipped, r->requiredFailed, r->fallback);
        fallback += r->fallback;
        passed += r->passed;
        failed += r->failed;
        skipped += r->skipped;
        reqFailed += r->requiredFailed;
    }
    if (g_json) {
        char* text = cJSON_Print(g_json);
        FILE* f = fopen(jsonPath, "w");
        if (f) {
            fputs(text, f);
            fclose(f);
        }
        free(text);
        cJSON_Delete(g_json);
    }
    printf("required cases failed: %d\n", reqFailed);
    printf("cases with operations on the CPU instead of the device: %d\n", fallback);
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    wnnContextRelease(ctx);
    return failed ? 1 : 0;
}
