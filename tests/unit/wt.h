/* wt.h: the small test kit the unit tests share (checks, a CPU context, one-call graph runs,
 * random data, ULP distances). Each tests/unit/test_*.c is its own executable with a main() that
 * calls its cases and ends with `return wt_summary("name");`. */
#ifndef WNN_TESTS_WT_H_
#define WNN_TESTS_WT_H_

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "webnn/webnn.h"

extern int wt_failures;
extern int wt_checks;

#define WT_CHECK(cond)                                                                 \
    do {                                                                               \
        wt_checks++;                                                                   \
        if (!(cond)) {                                                                 \
            wt_failures++;                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

/* Checks a call returns `expected`; on mismatch prints the last error message. */
#define WT_CHECK_STATUS(expr, expected)                                                         \
    do {                                                                                        \
        wt_checks++;                                                                            \
        WNNStatus wt_s_ = (expr);                                                               \
        if (wt_s_ != (expected)) {                                                              \
            wt_failures++;                                                                      \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s (%s)\n", __FILE__, __LINE__,   \
                    #expr, wnnStatusName(wt_s_), wnnStatusName(expected),                     \
                    wnnGetLastErrorMessage());                                                  \
        }                                                                                       \
    } while (0)

#define WT_OK(expr) WT_CHECK_STATUS(expr, WNNStatus_Success)

/* Checks the last error message contains `needle`. */
#define WT_CHECK_MESSAGE(needle)                                                                \
    do {                                                                                        \
        wt_checks++;                                                                            \
        if (!strstr(wnnGetLastErrorMessage(), (needle))) {                                      \
            wt_failures++;                                                                      \
            fprintf(stderr, "%s:%d: error message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__,  \
                    wnnGetLastErrorMessage(), (needle));                                        \
        }                                                                                       \
    } while (0)

/* Prints "name: N checks, N failures" and returns the exit status. Releases the shared context. */
int wt_summary(const char* name);

/* A CPU context shared by the tests of one executable. */
WNNContext wt_cpu(void);

/* A fresh builder on wt_cpu(). */
WNNGraphBuilder wt_builder(void);

/* Shorthand for an input operand. */
WNNOperand wt_input(WNNGraphBuilder b, const char* name, WNNOperandDataType type, uint32_t rank,
                    const uint32_t* shape);
WNNOperand wt_constant(WNNGraphBuilder b, WNNOperandDataType type, uint32_t rank, const uint32_t* shape,
                       const void* data);
/* An activation of x by index: relu, clamp [-0.25, 0.5], sigmoid, tanh, leakyRelu 0.2, gelu,
 * hardSwish, elu 0.7, softplus, hardSigmoid (0.3, 0.4), linear (2, -1); any other index: x itself. */
WNNOperand wt_activation(WNNGraphBuilder b, WNNOperand x, int which);

typedef struct WtFeed {
    const char* name; /* a graph input */
    const void* data; /* its bytes (the descriptor's byte length) */
} WtFeed;

/* Builds the builder's graph for outputs[], creates a tensor per graph input (writing the matching
 * feed) and per output, dispatches, and reads each output into outData[i] (its byte length).
 * Returns the first failing status (with its message intact). Releases what it created (not b). */
WNNStatus wt_run(WNNContext ctx, WNNGraphBuilder b, const WtFeed* feeds, size_t feedCount,
                 const WNNNamedOperand* outputs, size_t outputCount, void* const* outData);

/* splitmix64-based uniform double in [lo, hi). */
double wt_rand(uint64_t* state, double lo, double hi);
uint64_t wt_next(uint64_t* state);

/* ULP distance as the conformance README defines it (sign-magnitude, monotonic across zero). */
uint64_t wt_ulp_f32(float a, float b);
uint64_t wt_ulp_f16(uint16_t a, uint16_t b);
uint16_t wt_f2h(float f);
float wt_h2f(uint16_t h);
uint16_t wt_d2h(double d);

/* Compares `count` float32 values with expected doubles (rounded to float32) within `ulp`; prints
 * the first few mismatches with `what`. Returns the number of mismatches (and counts failures). */
int wt_expect_f32(const char* what, const float* actual, const double* expected, size_t count, uint64_t ulp);
/* Same for float16 data, comparing in binary16 ULP. */
int wt_expect_f16(const char* what, const uint16_t* actual, const double* expected, size_t count, uint64_t ulp);
/* Absolute tolerance variant for float32. */
int wt_expect_f32_atol(const char* what, const float* actual, const double* expected, size_t count, double atol);

/* float64 references of layout and products, for tests that build them from graph ops. */
#define WT_MAX_RANK 8
/* y = x transposed by perm (output dimension d is x's dimension perm[d]); yshape gets its shape. */
void wt_permute_f64(const double* x, const uint32_t* shape, uint32_t rank, const uint32_t* perm, double* y,
                    uint32_t* yshape);
/* x transposed by perm in the graph */
WNNOperand wt_transpose(WNNGraphBuilder b, WNNOperand x, const uint32_t* perm, uint32_t rank);
/* elements of a shape */
size_t wt_numel(const uint32_t* shape, uint32_t rank);
/* c = a x b over the last two dimensions of rank-`rank` a and b, batch dimensions broadcast (b's may be 1). */
void wt_matmul_f64(const double* a, const uint32_t* as, const double* b, const uint32_t* bs, uint32_t rank, double* c);

#endif
