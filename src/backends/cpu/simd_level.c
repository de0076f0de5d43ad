/* simd_level.c: the CPU's vector level capped by WNN_CPU_SIMD, worked out once (simd_level.h). */
#include "backends/cpu/simd_level.h"

#include <stdlib.h>
#include <string.h>

static WnnSimdLevel cpu_level(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return WNN_SIMD_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return WNN_SIMD_AVX2;
#endif
    return WNN_SIMD_BASELINE;
}

WnnSimdLevel wnn_cpu_simd_level(void) {
    static int level = -1; /* the same value whichever thread stores it first */
    int m = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (m < 0) {
        const char* v = getenv("WNN_CPU_SIMD");
        int most = !v                   ? WNN_SIMD_AVX512
                   : !strcmp(v, "0")    ? WNN_SIMD_PORTABLE
                   : !strcmp(v, "sse2") ? WNN_SIMD_BASELINE
                   : !strcmp(v, "avx2") ? WNN_SIMD_AVX2
                                        : WNN_SIMD_AVX512;
        int cpu = cpu_level();
        m = most < cpu ? most : cpu;
        __atomic_store_n(&level, m, __ATOMIC_RELAXED);
    }
    return (WnnSimdLevel)m;
}
