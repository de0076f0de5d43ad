/* sgemm_direct_avx512.c: the in-place-A GEMM (sgemm_direct.h) with AVX-512, built with
 * -mavx512f (CMakeLists.txt) and run only where the CPU has it. Column groups of 4 vectors (64
 * columns); full tiles of 12 x 1, 12 x 2, 8 x 3 and 6 x 4 vectors (at most 24 of the 32 registers
 * hold accumulators). */
#include "backends/cpu/sgemm_direct_isa.h"

#if defined(__AVX512F__)
#include <immintrin.h>

typedef __m512 vec;
typedef __mmask16 vmask;
#define DIRECT_SUFFIX avx512
#define DIRECT_VW 16
#define DIRECT_GROUP 4
#define DIRECT_TILES(X) X(12, 1) X(12, 2) X(8, 3) X(6, 4)
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSET1(x) _mm512_set1_ps(x)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VADD(a, b) _mm512_add_ps(a, b)
#define VMIN(a, b) _mm512_min_ps(a, b)
#define VMAX(a, b) _mm512_max_ps(a, b)
#define VMASK_FIRST(n) ((__mmask16)((n) >= 16 ? 0xFFFFu : (1u << (n)) - 1))
#define VLOAD_MASKED(m, p) _mm512_maskz_loadu_ps(m, p)
#define VSTORE_MASKED(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#include "backends/cpu/sgemm_direct_tiles.inc"
#else
WNN_SGEMM_DIRECT_ABSENT(avx512)
#endif
