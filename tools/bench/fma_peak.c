/* fma_peak.c: the measured float32 FMA peak (fma_peak.h). */
#include "fma_peak.h"

#include <pthread.h>
#include <stdint.h>

#include "tool_util.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* 12 independent chains a = a * b + c; the empty asm keeps the compiler from folding the loop. */
#define CHAINS(V, FMA, SET, iters, sink)                                                              \
    do {                                                                                             \
        V a0 = SET(0.1f), a1 = SET(0.2f), a2 = SET(0.3f), a3 = SET(0.4f), a4 = SET(0.5f), a5 = SET(0.6f); \
        V a6 = SET(0.7f), a7 = SET(0.8f), a8 = SET(0.9f), a9 = SET(1.0f), a10 = SET(1.1f), a11 = SET(1.2f); \
        V b = SET(0.9999f), c = SET(1e-6f);                                                          \
        for (int64_t k = 0; k < (iters); k++) {                                                      \
            a0 = FMA(a0, b, c), a1 = FMA(a1, b, c), a2 = FMA(a2, b, c), a3 = FMA(a3, b, c);          \
            a4 = FMA(a4, b, c), a5 = FMA(a5, b, c), a6 = FMA(a6, b, c), a7 = FMA(a7, b, c);          \
            a8 = FMA(a8, b, c), a9 = FMA(a9, b, c), a10 = FMA(a10, b, c), a11 = FMA(a11, b, c);      \
            __asm__ volatile("" : "+x"(a0), "+x"(a6));                                              \
        }                                                                                            \
        V s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                          \
        (sink) = s[0];                                                                               \
    } while (0)

__attribute__((target("avx512f"))) static float loop512(int64_t iters) {
    float sink;
    CHAINS(__m512, _mm512_fmadd_ps, _mm512_set1_ps, iters, sink);
    return sink;
}

__attribute__((target("avx2,fma"))) static float loop256(int64_t iters) {
    float sink;
    CHAINS(__m256, _mm256_fmadd_ps, _mm256_set1_ps, iters, sink);
    return sink;
}

typedef struct Job {
    int wide;
    int64_t iters;
    float sink;
} Job;

static void* job_run(void* p) {
    Job* j = p;
    j->sink = j->wide ? loop512(j->iters) : loop256(j->iters);
    return NULL;
}

/* Seconds for `threads` threads to run `iters` iterations each, started together (a thread that
 * cannot be started runs its share on the calling thread, after its own). */
static double timed(int threads, int wide, int64_t iters) {
    pthread_t t[256];
    Job jobs[256];
    char started[256] = {0};
    int n = threads < 1 ? 1 : threads > 256 ? 256 : threads;
    double t0 = wtu_now_ms();
    for (int i = 0; i < n; i++) {
        jobs[i] = (Job){wide, iters, 0};
        if (i > 0) started[i] = pthread_create(&t[i], NULL, job_run, &jobs[i]) == 0;
    }
    job_run(&jobs[0]);
    for (int i = 1; i < n; i++) {
        if (started[i]) pthread_join(t[i], NULL);
        else job_run(&jobs[i]);
    }
    return (wtu_now_ms() - t0) / 1e3;
}

double wbp_fma_peak(int threads, double seconds, const char** isa) {
    __builtin_cpu_init();
    int wide = __builtin_cpu_supports("avx512f");
    if (!wide && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
        *isa = "none";
        return 0;
    }
    *isa = wide ? "avx512" : "avx2";
    double lanes = wide ? 16 : 8, best = 0;
    int64_t iters = 1000000;
    double t = timed(1, wide, iters); /* calibrate: iterations for about `seconds` per try */
    if (t > 0) iters = (int64_t)((double)iters * seconds / t);
    if (iters < 1000) iters = 1000;
    int n = threads < 1 ? 1 : threads > 256 ? 256 : threads;
    for (int r = 0; r < 3; r++) {
        double s = timed(n, wide, iters);
        double g = (double)iters * 12 * lanes * 2 * n / s / 1e9;
        if (g > best) best = g;
    }
    return best;
}
#else
double wbp_fma_peak(int threads, double seconds, const char** isa) {
    (void)threads, (void)seconds;
    *isa = "none";
    return 0;
}
#endif
