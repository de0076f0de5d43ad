/* workloads.c: `wnn-bench workloads` (see workloads.h): options, the list of workloads, and the
 * report (table and JSON); workload_run.c does the timing. */
#include "workloads.h"

#include <glob.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "device_select.h"
#include "flops.h"
#include "fma_peak.h"
#include "graph_json.h"
#include "tool_util.h"
#include "workload_run.h"

#define CMD "workloads"

static const char kUsage[] =
    "usage: wnn-bench workloads [--device cpu|cuda] [--vs ort|torch|none] [--fp16] [--runs N] [--rounds R]\n"
    "           [--threads T] [--json FILE] [--workloads DIR] [--only NAME[,NAME...]] [--peak-gflops G]\n"
    "           [--python PATH] [--anchors DIR]\n"
    "Times every workload (DIR/*.json; default $WNN_SHARED_DIR/bench/workloads) with libwebnn and with an\n"
    "anchor on the same graph, weights and inputs, interleaved: R rounds (default 5), each running ours\n"
    "1 + N times (default 10) and then the anchor 1 + N times; medians and p10-p90 over the N x R timed runs.\n"
    "  --vs ort     ONNX Runtime's CPU provider (bench/anchors/ort_workloads.py; the default on cpu)\n"
    "  --vs torch   PyTorch on the same device (bench/anchors/torch_workloads.py; the default on cuda)\n"
    "  --vs none    ours only\n"
    "Timed, ours: on cpu, wnnContextDispatch + wnnContextReadTensor of every output (inputs written once\n"
    "before: ONNX Runtime and PyTorch on the CPU read their input arrays in place); on cuda, also the\n"
    "wnnContextWriteTensor of every input, as PyTorch's timed round trip uploads. Host buffers are the\n"
    "context's host memory (wnnContextAllocateHostMemory: page-locked on a GPU, as PyTorch's pinned\n"
    "buffers). Wall clock, per run.\n"
    "The anchor prints what it times. FLOPs = 2 x MACs of conv2d, convTranspose2d, matmul and gemm;\n"
    "percent of peak against --peak-gflops (default on cpu: this machine's float32 FMA peak, measured\n"
    "at the start on the same thread count, AVX-512 or AVX2: fma_peak.h). Checksums (sum, sumsq, sumabs, wsum) must agree with the\n"
    "anchor's within 1e-4 relative (1e-2 with --fp16, 1e-3 for integer outputs). --threads: our CPU worker threads and the\n"
    "anchor's (default: our adapter's count). --python: the interpreter for the anchor (python3);\n"
    "--anchors: the directory of the anchor scripts (found beside the working directory or the binary).\n"
    "Exit status: 0 all ran and matched, 1 a failure or mismatch, 2 bad arguments.\n";

typedef struct Opts {
    const char *device, *vs, *json, *dir, *only, *python, *anchors;
    int fp16, runs, rounds, threads;
    double peak; /* GFLOP/s; 0: none given */
} Opts;

static int parse(int argc, char** argv, Opts* o) {
    *o = (Opts){"cpu", NULL, NULL, NULL, NULL, "python3", NULL, 0, 10, 5, 0, 0};
    for (int i = 1; i < argc; i++) {
        const char* a = argv[i];
        int bad = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(kUsage, stdout);
            exit(0);
        } else if (strcmp(a, "--device") == 0) bad = wbu_str_arg(CMD, argc, argv, &i, &o->device);
        else if (strcmp(a, "--vs") == 0) bad = wbu_str_arg(CMD, argc, argv, &i, &o->vs);
        else if (strcmp(a, "--json") == 0) bad = wbu_str_arg(CMD, argc, argv, &i, &o->json);
        else if (strcmp(a, "--workloads") == 0) bad = wbu_str_arg(CMD, argc, argv, &i, &o->dir);
        else if (strcmp(a, "--only") == 0) bad = wbu_str_arg(CMD, argc, argv, &i, &o->only);
        else if (strcmp(a, "--python") == 0) bad = wbu_str_arg(CMD, argc, argv, &i, &o->python);
        else if (strcmp(a, "--anchors") == 0) bad = wbu_str_arg(CMD, argc, argv, &i, &o->anchors);
        else if (strcmp(a, "--runs") == 0) bad = wbu_int_arg(CMD, argc, argv, &i, 1, &o->runs);
        else if (strcmp(a, "--rounds") == 0) bad = wbu_int_arg(CMD, argc, argv, &i, 1, &o->rounds);
        else if (strcmp(a, "--threads") == 0) bad = wbu_int_arg(CMD, argc, argv, &i, 1, &o->threads);
        else if (strcmp(a, "--peak-gflops") == 0) bad = wbu_double_arg(CMD, argc, argv, &i, &o->peak);
        else if (strcmp(a, "--fp16") == 0) o->fp16 = 1;
        else return wbu_usage_error(CMD, "unknown argument '%s'", a);
        if (bad) return 2;
    }
    if (strcmp(o->device, "cpu") != 0 && strcmp(o->device, "cuda") != 0)
        return wbu_usage_error(CMD, "--device wants cpu or cuda, not '%s'", o->device);
    int cpu = strcmp(o->device, "cpu") == 0;
    if (!o->vs) o->vs = cpu ? "ort" : "torch";
    if (strcmp(o->vs, "ort") != 0 && strcmp(o->vs, "torch") != 0 && strcmp(o->vs, "none") != 0)
        return wbu_usage_error(CMD, "--vs wants ort, torch or none, not '%s'", o->vs);
    if (!cpu && strcmp(o->vs, "ort") == 0)
        return wbu_usage_error(CMD, "--vs ort runs ONNX Runtime's CPU provider only: use --device cpu or --vs torch");
    return 0;
}

/* Is `name` (or the file's base name) one of the comma-separated names of --only? */
static int selected(const char* only, const char* name, const char* base) {
    if (!only) return 1;
    size_t n = strlen(name), b = strlen(base);
    for (const char* p = only; *p;) {
        size_t len = strcspn(p, ",");
        if ((len == n && strncmp(p, name, n) == 0) || (len == b && strncmp(p, base, b) == 0)) return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

/* The anchor script `file`: in --anchors, $WNN_BENCH_ANCHORS, ./bench/anchors, beside the binary
 * (BUILD/../bench/anchors), or the source tree this was built from. */
static int find_anchor(const char* dir, const char* file, char* out, size_t size) {
    char exe[1024] = "", beside[1200] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        snprintf(beside, sizeof beside, "%s/../bench/anchors", dirname(exe));
    }
    const char* dirs[] = {dir, getenv("WNN_BENCH_ANCHORS"), "bench/anchors", beside,
#ifdef WNN_BENCH_ANCHORS_DIR
                          WNN_BENCH_ANCHORS_DIR
#else
                          NULL
#endif
    };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i] || !dirs[i][0]) continue;
        snprintf(out, size, "%s/%s", dirs[i], file);
        if (access(out, R_OK) == 0) return 0;
        if (i == 0) break; /* an explicit --anchors must hold it */
    }
    return -1;
}

/* Checksums of a float64 evaluation, from ../anchors/ort_cpu_2core.json beside the workloads. */
static const cJSON* reference(const cJSON* refs, const char* workload, const char* output) {
    const cJSON* w = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(refs, "workloads"), workload);
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(w, "checksums_float64_reference"), output);
}

static WtdChecksum checksum_of(const cJSON* o) {
    WtdChecksum c = {cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "sum")),
                     cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "sumsq")),
                     cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "sumabs")),
                     cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "wsum"))};
    return c;
}

static cJSON* checksum_json(const WtdChecksum* c) {
    cJSON* o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "sum", c->sum);
    cJSON_AddNumberToObject(o, "sumsq", c->sumsq);
    cJSON_AddNumberToObject(o, "sumabs", c->sumabs);
    cJSON_AddNumberToObject(o, "wsum", c->wsum);
    return o;
}

static cJSON* stats_json(const WbuStats* s, double flops, double peak) {
    cJSON* o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "runs", s->n);
    cJSON_AddNumberToObject(o, "median_ms", s->median);
    cJSON_AddNumberToObject(o, "p10_ms", s->p10);
    cJSON_AddNumberToObject(o, "p90_ms", s->p90);
    cJSON_AddNumberToObject(o, "min_ms", s->min);
    cJSON_AddNumberToObject(o, "max_ms", s->max);
    double gflops = flops / s->median * 1e-6;
    cJSON_AddNumberToObject(o, "gflop_per_s", gflops);
    if (peak > 0) cJSON_AddNumberToObject(o, "percent_of_peak", 100 * gflops / peak);
    return o;
}

typedef struct Totals {
    int failed, mismatched, noAnchor;
} Totals;

/* Prints one table row and returns the workload's JSON record. */
static cJSON* report(const Opts* o, const char* name, double flops, const WbwResult* r, const cJSON* refs, Totals* tot) {
    int cpu = strcmp(o->device, "cpu") == 0;
    double bar = o->fp16 ? 1e-2 : 1e-4;
    /* Quantized outputs: ONNX Runtime's int8 kernels put some values 1 step away from the exact
     * QDQ result (2.5% of resnet_block_int8_nchw's outputs, 3.8e-4 on the checksums), so integer
     * outputs agree within 1e-3. */
    for (size_t i = 0; i < r->outputCount; i++)
        if (r->outputs[i].quantized && !o->fp16) bar = 1e-3;
    WbuStats us = wbu_stats(r->oursMs, r->oursN), them = wbu_stats(r->anchorMs, r->anchorN);
    int hasAnchor = r->anchorN > 0 && !r->anchorError[0];
    double diff = hasAnchor ? 0 : NAN, f64 = 0, anchorF64 = 0;
    int hasRef = !o->fp16 && refs;
    cJSON* rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "name", name);
    cJSON_AddNumberToObject(rec, "gflop", flops * 1e-9);
    cJSON_AddNumberToObject(rec, "build_ms", r->buildMs);
    cJSON_AddNumberToObject(rec, "build_start_ms", r->buildStartMs);
    if (r->anchorReadyMs > 0) cJSON_AddNumberToObject(rec, "anchor_ready_ms", r->anchorReadyMs);
    cJSON* ours = stats_json(&us, flops, o->peak);
    cJSON_AddItemToObject(rec, "ours", ours);
    cJSON* oc = cJSON_AddObjectToObject(ours, "checksums");
    cJSON* anchor = hasAnchor ? stats_json(&them, flops, o->peak) : cJSON_CreateObject();
    cJSON_AddItemToObject(rec, "anchor", anchor);
    cJSON* ac = hasAnchor ? cJSON_AddObjectToObject(anchor, "checksums") : NULL;
    if (!hasAnchor) cJSON_AddStringToObject(anchor, "error", r->anchorError);
    for (size_t i = 0; i < r->outputCount; i++) {
        const WbwOutput* out = &r->outputs[i];
        cJSON_AddItemToObject(oc, out->name, checksum_json(&out->ours));
        if (hasAnchor && out->hasAnchor) {
            cJSON_AddItemToObject(ac, out->name, checksum_json(&out->anchor));
            diff = fmax(diff, wbu_checksum_diff(&out->ours, &out->anchor));
        } else if (hasAnchor) {
            diff = INFINITY; /* an output the anchor did not report */
        }
        const cJSON* ref = hasRef ? reference(refs, name, out->name) : NULL;
        if (ref) {
            WtdChecksum rc = checksum_of(ref);
            f64 = fmax(f64, wbu_checksum_diff(&out->ours, &rc));
            if (hasAnchor && out->hasAnchor) anchorF64 = fmax(anchorF64, wbu_checksum_diff(&out->anchor, &rc));
        } else {
            hasRef = 0;
        }
    }
    int match = hasAnchor && diff <= bar;
    if (hasAnchor) {
        cJSON_AddNumberToObject(rec, "ratio_ours_to_anchor", us.median / them.median);
        cJSON_AddNumberToObject(rec, "checksum_max_relative_difference", diff);
        cJSON_AddBoolToObject(rec, "checksums_match", match);
    }
    if (hasRef) cJSON_AddNumberToObject(ours, "checksum_vs_float64", f64);
    if (hasRef && hasAnchor) cJSON_AddNumberToObject(anchor, "checksum_vs_float64", anchorF64);
    tot->mismatched += hasAnchor && !match;
    tot->noAnchor += !hasAnchor;

    double rate = flops / us.median * 1e-6; /* GFLOP/s */
    printf("%-18s %7.3f %9.3f %8.3f-%-8.3f", name, flops * 1e-9, us.median, us.p10, us.p90);
    if (hasAnchor) printf(" %9.3f %8.3f-%-8.3f %6.2f", them.median, them.p10, them.p90, us.median / them.median);
    else printf(" %9s %17s %6s", "-", "", "-");
    if (cpu) printf(" %8.1f", rate);
    else printf(" %8.2f", rate * 1e-3);
    if (o->peak > 0) printf(" %6.1f%%", 100 * rate / o->peak);
    if (hasAnchor) printf("  %-8s %.1e", match ? "ok" : "MISMATCH", diff);
    else printf("  %-8s %7s", "-", "");
    if (hasRef) printf("  %.1e", f64);
    printf("\n");
    if (!hasAnchor && strcmp(o->vs, "none") != 0) printf("  anchor: %s\n", r->anchorError);
    fflush(stdout);
    return rec;
}

/* The workload files of dir that --only selects, as their names; NULL after a usage error. */
static char** select_files(const Opts* o, const char* dir, size_t* count, int* unreadable) {
    char pattern[1300];
    glob_t files;
    snprintf(pattern, sizeof pattern, "%s/*.json", dir);
    if (glob(pattern, 0, NULL, &files) != 0 || files.gl_pathc == 0) {
        wbu_usage_error(CMD, "no workloads (*.json) in %s", dir);
        return NULL;
    }
    char** keep = calloc(files.gl_pathc + 1, sizeof *keep);
    *count = 0;
    for (size_t f = 0; f < files.gl_pathc; f++) {
        const char* path = files.gl_pathv[f];
        char base[256];
        snprintf(base, sizeof base, "%s", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
        base[strcspn(base, ".")] = 0;
        cJSON* graph = wtu_load_json(path);
        const char* name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(graph, "name"));
        if (!graph) {
            fprintf(stderr, "%s: cannot read or parse\n", path);
            ++*unreadable;
        } else if (selected(o->only, name ? name : base, base)) {
            keep[(*count)++] = strdup(path);
        }
        cJSON_Delete(graph);
    }
    globfree(&files);
    if (*count == 0) {
        wbu_usage_error(CMD, "--only %s names no workload in %s", o->only ? o->only : "", dir);
        free(keep);
        return NULL;
    }
    return keep;
}

static int write_json(const char* path, const cJSON* doc) {
    char* text = cJSON_Print(doc);
    FILE* out = fopen(path, "w");
    int bad = !text || !out || fputs(text, out) < 0;
    if (out) bad |= fclose(out) != 0;
    if (bad) fprintf(stderr, "wnn-bench workloads: cannot write %s\n", path);
    free(text);
    return bad;
}

int wnn_bench_workloads(int argc, char** argv) {
    Opts o;
    if (parse(argc, argv, &o)) return 2;
    char shared[1024], dir[1200], script[1400];
    if (!o.dir) snprintf(dir, sizeof dir, "%s/bench/workloads", wds_shared_dir(shared, sizeof shared));
    else snprintf(dir, sizeof dir, "%s", o.dir);
    if (strcmp(o.vs, "none") != 0 &&
        find_anchor(o.anchors, strcmp(o.vs, "ort") == 0 ? "ort_workloads.py" : "torch_workloads.py", script, sizeof script))
        return wbu_usage_error(CMD, "cannot find bench/anchors/%s_workloads.py (give --anchors DIR)", o.vs);
    Totals tot = {0, 0, 0};
    size_t count = 0;
    int unreadable = 0;
    char** paths = select_files(&o, dir, &count, &unreadable);
    if (!paths) return 2;
    tot.failed = unreadable;

    if (o.fp16) wgj_use_float16(1);
    WNNContext ctx;
    if (wbu_create_context(o.device, (unsigned)o.threads, &ctx)) {
        for (size_t f = 0; f < count; f++) free(paths[f]);
        free(paths);
        return 1;
    }
    WNNAdapterInfo info;
    wnnContextGetAdapterInfo(ctx, &info);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = o.threads ? o.threads : info.threadCount ? (int)info.threadCount : (int)(cores > 0 ? cores : 1);
    char threadArg[16];
    snprintf(threadArg, sizeof threadArg, "%d", threads);
    const char* anchorArgv[] = {o.python, script, "--serve", "--threads", threadArg, "--device", o.device,
                                o.fp16 ? "--fp16" : NULL, NULL};
    WbwConfig cfg = {ctx, strcmp(o.device, "cpu") != 0, o.runs, o.rounds, strcmp(o.vs, "none") ? anchorArgv : NULL};

    const char* peakIsa = "given";
    if (o.peak == 0 && strcmp(o.device, "cpu") == 0) o.peak = wbp_fma_peak(threads, 0.3, &peakIsa);
    char refsPath[1400];
    snprintf(refsPath, sizeof refsPath, "%s/../anchors/ort_cpu_2core.json", dir);
    cJSON* refs = wtu_load_json(refsPath);
    printf("wnn-bench workloads: ours on %s, the anchor's threads %d, %s, vs %s; %d rounds x %d runs per side, "
           "interleaved\n", info.name, threads, o.fp16 ? "float16" : "float32", o.vs, o.rounds, o.runs);
    if (o.peak > 0) printf("%%peak against %.1f GFLOP/s (%s float32 FMA peak, %d threads)\n", o.peak,
                           strcmp(peakIsa, "given") ? peakIsa : "--peak-gflops", threads);
    printf("timed, ours: %s, wall clock per run\n",
           cfg.timeUpload ? "wnnContextWriteTensor of every input + wnnContextDispatch + wnnContextReadTensor of every output"
                          : "wnnContextDispatch + wnnContextReadTensor of every output (inputs written once before)");
    const char* label = strcmp(o.vs, "ort") == 0 ? "ORT" : strcmp(o.vs, "torch") == 0 ? "torch" : "anchor";
    printf("\n%-18s %7s %9s %-17s %9s %-17s %6s %8s %7s  %-16s%s\n", "workload", "GFLOP", "ours ms", " p10-p90",
           label, " p10-p90", "ratio", cfg.timeUpload ? "TFLOP/s" : "GFLOP/s", o.peak > 0 ? "%peak" : "",
           "checksum", refs && !o.fp16 ? "  ours vs f64" : "");

    cJSON* doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "device", info.name);
    cJSON_AddNumberToObject(doc, "threads", threads);
    cJSON_AddStringToObject(doc, "precision", o.fp16 ? "float16" : "float32");
    cJSON_AddStringToObject(doc, "vs", o.vs);
    cJSON_AddNumberToObject(doc, "runs", o.runs);
    cJSON_AddNumberToObject(doc, "rounds", o.rounds);
    cJSON_AddBoolToObject(doc, "ours_times_input_upload", cfg.timeUpload);
    if (o.peak > 0) cJSON_AddNumberToObject(doc, "peak_gflop_per_s", o.peak);
    cJSON* list = cJSON_AddArrayToObject(doc, "workloads");
    char anchorInfo[256] = "";
    for (size_t f = 0; f < count; f++) {
        cJSON* graph = wtu_load_json(paths[f]);
        const char* name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(graph, "name"));
        if (!name) name = paths[f];
        char err[1024];
        double flops = 0;
        if (wbf_count(ctx, graph, &flops, err, sizeof err)) fprintf(stderr, "%s: FLOPs not counted: %s\n", name, err);
        WbwResult r = {0};
        if (!graph || wbw_run(&cfg, paths[f], graph, &r, err, sizeof err)) {
            printf("%-18s FAILED: %s\n", name, graph ? err : "cannot read or parse");
            tot.failed++;
        } else {
            cJSON* rec = report(&o, name, flops, &r, refs, &tot);
            if (r.anchorInfo[0]) {
                snprintf(anchorInfo, sizeof anchorInfo, "%s", r.anchorInfo);
                cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(rec, "anchor"), "what", r.anchorInfo);
            }
            cJSON_AddItemToArray(list, rec);
        }
        wbw_result_free(&r);
        cJSON_Delete(graph);
        free(paths[f]);
    }
    free(paths);
    if (anchorInfo[0]) printf("\n%s: %s\n", label, anchorInfo);
    int anchored = strcmp(o.vs, "none") != 0;
    printf("%zu workloads: %d failed, %d checksum mismatches, %d without anchor timings\n", count + (size_t)unreadable, tot.failed,
           tot.mismatched, anchored ? tot.noAnchor : 0);
    int status = tot.failed || tot.mismatched || (anchored && tot.noAnchor) ? 1 : 0;
    if (o.json && write_json(o.json, doc)) status = 1;
    cJSON_Delete(doc);
    cJSON_Delete(refs);
    wnnContextRelease(ctx);
    return status;
}
