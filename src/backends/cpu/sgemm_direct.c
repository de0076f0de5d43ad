/* sgemm_direct.c: picks the in-place-A GEMM (sgemm_direct.h) for the CPU's GEMM path: the same
 * instruction set as the packed GEMM's micro-kernel (wnn_sgemm_packed_isa, which honours
 * WNN_CPU_SIMD), so that a block's products and the graph's other GEMMs agree. Built for the
 * baseline ISA: it runs before anything knows what the CPU has. */
#include "backends/cpu/sgemm_direct_isa.h"

#include <string.h>

typedef int (*DirectFn)(size_t, size_t, size_t, size_t, size_t, const float*, size_t, const float*, size_t, float*,
                        size_t, const WnnSgemmEpilogue*);

/* No kernel for this CPU: nothing done. */
static int none(size_t M, size_t N, size_t K, size_t segs, size_t segStride, const float* A, size_t lda, const float* B,
                size_t ldb, float* C, size_t ldc, const WnnSgemmEpilogue* e) {
    (void)M, (void)N, (void)K, (void)segs, (void)segStride, (void)A, (void)lda, (void)B, (void)ldb, (void)C, (void)ldc, (void)e;
    return 0;
}

/* Chosen once, as the packed GEMM's micro-kernel is (a block calls this per band of rows). */
static DirectFn direct_fn(const char** isa) {
    static DirectFn chosen;
    static const char* chosenIsa;
    DirectFn fn = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (!fn) {
        const char* packed = wnn_sgemm_packed_isa();
        const char* name = "none";
        fn = none;
#if defined(__x86_64__) || defined(__i386__)
        if (!strcmp(packed, "avx512")) fn = wnn_sgemm_direct_segments_avx512, name = "avx512";
        if (!strcmp(packed, "avx2")) fn = wnn_sgemm_direct_segments_avx2, name = "avx2";
#endif
        __atomic_store_n(&chosenIsa, name, __ATOMIC_RELAXED);
        __atomic_store_n(&chosen, fn, __ATOMIC_RELEASE);
    }
    *isa = __atomic_load_n(&chosenIsa, __ATOMIC_RELAXED);
    return fn;
}

const char* wnn_sgemm_direct_isa(void) {
    const char* isa;
    DirectFn fn = direct_fn(&isa);
    /* a build without that ISA's file compiled for it answers 0: probe with an empty product */
    return fn(0, 0, 0, 1, 0, NULL, 0, NULL, 0, NULL, 0, NULL) ? isa : NULL;
}

int wnn_sgemm_direct(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
                     size_t ldc, const WnnSgemmEpilogue* e) {
    return wnn_sgemm_direct_segments(M, N, K, 1, 0, A, lda, B, ldb, C, ldc, e);
}

int wnn_sgemm_direct_segments(size_t M, size_t N, size_t K, size_t segs, size_t segStride, const float* A, size_t lda,
                              const float* B, size_t ldb, float* C, size_t ldc, const WnnSgemmEpilogue* e) {
    const char* isa;
    return direct_fn(&isa)(M, N, K, segs, segStride, A, lda, B, ldb, C, ldc, e);
}
