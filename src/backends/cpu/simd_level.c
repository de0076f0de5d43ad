/* simd_level.c: WNN_CPU_SIMD, read once (simd_level.h). */
#include "backends/cpu/simd_level.h"

#include <stdlib.h>
#include <string.h>

WnnSimdLevel wnn_cpu_simd_most(void) {
    static int most = -1; /* the same value whichever thread stores it first */
    int m = __atomic_load_n(&most, __ATOMIC_RELAXED);
    if (m < 0) {
        const char* v = getenv("WNN_CPU_SIMD");
        m = !v                   ? WNN_SIMD_AVX512
            : !strcmp(v, "0")    ? WNN_SIMD_PORTABLE
            : !strcmp(v, "sse2") ? WNN_SIMD_BASELINE
            : !strcmp(v, "avx2") ? WNN_SIMD_AVX2
                                 : WNN_SIMD_AVX512;
        __atomic_store_n(&most, m, __ATOMIC_RELAXED);
    }
    return (WnnSimdLevel)m;
}
