/* wnn-bench: libwebnn's benchmarks (../shared/DESIGN.md section 8).
 *   wnn-bench workloads ...   the shared workloads next to ONNX Runtime or PyTorch (tools/bench/workloads.c)
 *   wnn-bench dispatch ...    host time of one dispatch call (tools/bench/dispatch.c)
 *   wnn-bench interop ...     the seed's four GPU pipelines (tools/bench/interop.c, CUDA builds only)
 *   wnn-bench peak [THREADS]  the CPU's measured float32 FMA peak (tools/bench/fma_peak.c)
 * Each subcommand takes --help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/threadpool.h"
#include "dispatch.h"
#include "fma_peak.h"
#include "workloads.h"
#ifdef WNN_BENCH_INTEROP
#include "interop.h"
#endif

static const char kUsage[] =
    "usage: wnn-bench COMMAND [options]   (wnn-bench COMMAND --help for its options)\n"
    "  workloads   time ../shared/bench/workloads/*.json against ONNX Runtime (CPU) or PyTorch\n"
    "  dispatch    host time of one wnnContextDispatch call on one- and two-op graphs\n"
    "  interop     WebNN issue #33's four conv + add + relu pipelines on a GPU (CUDA builds)\n"
    "  peak [T]    this CPU's float32 FMA peak on T threads (default: every core), measured\n";

int main(int argc, char** argv) {
    if (argc < 2) {
        fputs(kUsage, stderr);
        return 2;
    }
    const char* cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(kUsage, stdout);
        return 0;
    }
    if (strcmp(cmd, "workloads") == 0) return wnn_bench_workloads(argc - 1, argv + 1);
    if (strcmp(cmd, "dispatch") == 0) return wnn_bench_dispatch(argc - 1, argv + 1);
    if (strcmp(cmd, "interop") == 0) {
#ifdef WNN_BENCH_INTEROP
        return wnn_bench_interop(argc - 1, argv + 1);
#else
        fprintf(stderr, "wnn-bench interop: this build has no CUDA (it needs the CUDA toolkit at build time)\n");
        return 1;
#endif
    }
    if (strcmp(cmd, "peak") == 0) {
        int threads = argc > 2 ? atoi(argv[2]) : (int)wnn_cpu_count(); /* default: the cores this process may use */
        if (threads < 1 || threads > 256) {
            fprintf(stderr, "wnn-bench peak: THREADS must be 1..256\n");
            return 2;
        }
        const char* isa;
        double g = wbp_fma_peak(threads, 0.5, &isa);
        printf("float32 FMA peak: %.1f GFLOP/s on %d threads (%s)\n", g, threads, isa);
        return g > 0 ? 0 : 1;
    }
    fprintf(stderr, "wnn-bench: unknown command '%s'\n%s", cmd, kUsage);
    return 2;
}
