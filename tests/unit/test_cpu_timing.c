/* test_cpu_timing.c: the cost rule that weighs a Winograd conv against oneDNN's direct one from
 * their build-time timings (cpu_timing.h, wnn_cpu_winograd_costs), on timings as a quiet and a
 * loud host give them. */
#include <math.h>

#include "backends/cpu/cpu_timing.h"
#include "wt.h"

static void expect_costs(const char* what, double tw, double twl, double td, double tl, double wantW, double wantD) {
    double costD = 0, costW = wnn_cpu_winograd_costs(tw, twl, td, tl, &costD);
    wt_checks++;
    if (fabs(costW - wantW) > 1e-12 || fabs(costD - wantD) > 1e-12) {
        wt_failures++;
        fprintf(stderr, "%s: costs %g / %g, want %g / %g\n", what, costW, costD, wantW, wantD);
    }
}

int main(void) {
    /* both link (NHWC Winograd beside oneDNN's NHWC kernels): linked against linked */
    expect_costs("both linked", 1.0, 0.92, 1.0, 0.90, 0.92, 0.90);
    /* a burst during the linked runs (Zen 4, another build on the other core): linking only skips
     * work, so the unlinked times stand in and the faster path still wins */
    expect_costs("burst in linked runs", 0.679, 35.999, 0.965, 7.974, 0.679, 0.965);
    expect_costs("burst in the direct conv's linked runs", 0.925, 0.90, 1.049, 23.991, 0.90, 1.049);
    /* only the direct conv links: the Winograd pays the neighbours' reorders, what linking saves d */
    expect_costs("direct conv links", 1.0, -1, 1.2, 1.0, 1.2, 1.0);
    expect_costs("direct conv links, burst", 1.0, -1, 1.2, 9.0, 1.0, 1.2);
    /* nothing links */
    expect_costs("no linking", 0.8, -1, 1.1, -1, 0.8, 1.1);
    /* the Winograd failed to run: no cost, the direct conv's as measured */
    expect_costs("winograd failed", -1, -1, 1.1, 0.9, -1, 0.9);
    return wt_summary("test_cpu_timing");
}
