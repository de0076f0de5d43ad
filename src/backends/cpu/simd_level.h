/* simd_level.h: how wide the CPU backend's own vector kernels go: as wide as the CPU runs and
 * WNN_CPU_SIMD allows (read once): unset = no limit, "avx2" = at most AVX2, "sse2" = baseline
 * x86-64's vectors, "0" = portable code only (scalar where a kernel has a scalar form). The tests
 * set it to run each kernel path on one machine. */
#ifndef WNN_BACKENDS_CPU_SIMD_LEVEL_H_
#define WNN_BACKENDS_CPU_SIMD_LEVEL_H_

typedef enum { WNN_SIMD_PORTABLE = 0, WNN_SIMD_BASELINE = 1, WNN_SIMD_AVX2 = 2, WNN_SIMD_AVX512 = 3 } WnnSimdLevel;

/* The level to run: AVX512 where the CPU has AVX-512F, AVX2 where it has AVX2 and FMA, else
 * BASELINE (generic vectors), each capped by WNN_CPU_SIMD. */
WnnSimdLevel wnn_cpu_simd_level(void);

#endif
