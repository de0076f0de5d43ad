/* sgemm_direct_avx2.c: the in-place-A GEMM (sgemm_direct.h) with AVX2 + FMA, built with -mavx2
 * -mfma (CMakeLists.txt) and run only where the CPU has them. Column groups of 3 vectors (24
 * columns: a block's project to 24 channels in one group); full tiles of 12 x 1, 6 x 2 and 4 x 3
 * vectors, 12 accumulators each, which with the B row and the broadcast fill the 16 registers. */
#include "backends/cpu/sgemm_direct_isa.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

typedef __m256 vec;
typedef __m256i vmask;
#define DIRECT_SUFFIX avx2
#define DIRECT_VW 8
#define DIRECT_GROUP 3
#define DIRECT_TILES(X) X(12, 1) X(6, 2) X(4, 3)
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VSET1(x) _mm256_set1_ps(x)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VADD(a, b) _mm256_add_ps(a, b)
#define VMIN(a, b) _mm256_min_ps(a, b)
#define VMAX(a, b) _mm256_max_ps(a, b)
#define VMASK_FIRST(n) _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define VLOAD_MASKED(m, p) _mm256_maskload_ps(p, m)
#define VSTORE_MASKED(p, m, v) _mm256_maskstore_ps(p, m, v)
#include "backends/cpu/sgemm_direct_tiles.inc"
#else
WNN_SGEMM_DIRECT_ABSENT(avx2)
#endif
