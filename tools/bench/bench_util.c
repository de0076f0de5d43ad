/* bench_util.c: see bench_util.h. */
#include "bench_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_select.h"
#include "tool_util.h"

static double rank(const double* sorted, int n, double p) {
    double at = p * (n - 1);
    int lo = (int)at;
    if (lo >= n - 1) return sorted[n - 1];
    return sorted[lo] + (at - lo) * (sorted[lo + 1] - sorted[lo]);
}

WbuStats wbu_stats(const double* v, int n) {
    WbuStats s = {n, NAN, NAN, NAN, NAN, NAN};
    if (n <= 0) return s;
    double* c = malloc(sizeof(double) * (size_t)n);
    if (!c) return s;
    memcpy(c, v, sizeof(double) * (size_t)n);
    wtu_sort(c, n);
    s.median = rank(c, n, 0.5);
    s.p10 = rank(c, n, 0.1);
    s.p90 = rank(c, n, 0.9);
    s.min = c[0];
    s.max = c[n - 1];
    free(c);
    return s;
}

int wbu_usage_error(const char* cmd, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "wnn-bench %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see wnn-bench %s --help)\n", cmd);
    return 2;
}

int wbu_str_arg(const char* cmd, int argc, char** argv, int* i, const char** out) {
    if (*i + 1 >= argc) return wbu_usage_error(cmd, "%s needs a value", argv[*i]);
    *out = argv[++*i];
    return 0;
}

int wbu_int_arg(const char* cmd, int argc, char** argv, int* i, int min, int* out) {
    const char* s = NULL;
    if (wbu_str_arg(cmd, argc, argv, i, &s)) return 2;
    char* end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < min || v > 1000000000L)
        return wbu_usage_error(cmd, "%s wants an integer >= %d, not '%s'", argv[*i - 1], min, s);
    *out = (int)v;
    return 0;
}

int wbu_double_arg(const char* cmd, int argc, char** argv, int* i, double* out) {
    const char* s = NULL;
    if (wbu_str_arg(cmd, argc, argv, i, &s)) return 2;
    char* end;
    double v = strtod(s, &end);
    if (*end || end == s || !(v > 0) || !isfinite(v))
        return wbu_usage_error(cmd, "%s wants a positive number, not '%s'", argv[*i - 1], s);
    *out = v;
    return 0;
}

int wbu_create_context(const char* device, unsigned threads, WNNContext* ctx) {
    if (strcmp(device, "cpu") != 0) return wds_create_context(device, ctx);
    WNNContextOptions o = WNN_CONTEXT_OPTIONS_INIT;
    o.adapterIndex = wnnSomeUint32(0); /* the CPU adapter is always index 0 */
    o.threadCount = threads;
    if (wnnCreateContext(&o, ctx)) {
        fprintf(stderr, "createContext(cpu): %s\n", wnnGetLastErrorMessage());
        return 1;
    }
    return 0;
}

static double rel(double a, double b, double scale) { return scale > 0 ? fabs(a - b) / scale : (a == b ? 0 : INFINITY); }

double wbu_checksum_diff(const WtdChecksum* a, const WtdChecksum* ref) {
    double d = rel(a->sum, ref->sum, ref->sumabs);
    d = fmax(d, rel(a->sumsq, ref->sumsq, ref->sumsq));
    d = fmax(d, rel(a->wsum, ref->wsum, ref->sumabs));
    return isnan(a->sum) || isnan(a->sumsq) ? INFINITY : d;
}
