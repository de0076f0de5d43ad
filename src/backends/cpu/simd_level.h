/* simd_level.h: how wide the CPU backend's own vector kernels may go, from WNN_CPU_SIMD (read
 * once): unset = as wide as the CPU allows, "avx2" = at most AVX2, "0" = portable code only. The
 * tests set it to run each kernel path on one machine. */
#ifndef WNN_BACKENDS_CPU_SIMD_LEVEL_H_
#define WNN_BACKENDS_CPU_SIMD_LEVEL_H_

typedef enum { WNN_SIMD_PORTABLE = 0, WNN_SIMD_AVX2 = 1, WNN_SIMD_AVX512 = 2 } WnnSimdLevel;

/* The most WNN_CPU_SIMD allows; the caller still asks the CPU what it has. */
WnnSimdLevel wnn_cpu_simd_most(void);

#endif
