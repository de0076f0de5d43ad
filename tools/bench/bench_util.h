/* bench_util.h: what the wnn-bench subcommands share: order statistics of timings, argument
 * parsing with exit-2 errors, a context with a chosen thread count, checksum comparison. */
#ifndef WNN_TOOLS_BENCH_UTIL_H_
#define WNN_TOOLS_BENCH_UTIL_H_

#include <stddef.h>

#include "tensor_data.h"
#include "webnn/webnn.h"

typedef struct WbuStats {
    int n;
    double median, p10, p90, min, max;
} WbuStats;

/* Statistics of n samples (v is left unchanged); percentiles interpolate between ranks. */
WbuStats wbu_stats(const double* v, int n);

/* Prints "wnn-bench CMD: message" and a pointer to --help on stderr; returns 2 (the exit status
 * for bad arguments). */
int wbu_usage_error(const char* cmd, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses argv[i + 1] of option argv[i] as an integer >= min or a double > 0; on failure prints why
 * (wbu_usage_error) and returns 2. Advances *i past the value. */
int wbu_int_arg(const char* cmd, int argc, char** argv, int* i, int min, int* out);
int wbu_double_arg(const char* cmd, int argc, char** argv, int* i, double* out);
/* The value of option argv[*i] (a string), or a usage error (2) when it is missing. */
int wbu_str_arg(const char* cmd, int argc, char** argv, int* i, const char** out);

/* Creates a context on "cpu" (with `threads` workers; 0 = one per core) or another --device name
 * (device_select.h). Prints why on failure and returns non-zero. */
int wbu_create_context(const char* device, unsigned threads, WNNContext* ctx);

/* Largest relative difference of a's checksums from ref's: |d sum| / sumabs, |d sumsq| / sumsq,
 * |d wsum| / sumabs (../shared/bench/README.md). */
double wbu_checksum_diff(const WtdChecksum* a, const WtdChecksum* ref);

#endif
