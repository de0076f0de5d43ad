/* simd_clones.h: WNN_CLONES compiles a function written once with GCC / clang vector extensions
 * for AVX-512, AVX2 and baseline x86-64; the loader picks one per CPU (target_clones). Features,
 * not arch=haswell: the resolver gives an arch= clone only to CPUs of that vendor's model, and
 * AMD's AVX2 CPUs ran the baseline clone. */
#ifndef WNN_BACKENDS_CPU_SIMD_CLONES_H_
#define WNN_BACKENDS_CPU_SIMD_CLONES_H_

#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__)
#define WNN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WNN_CLONES
#endif

#endif
