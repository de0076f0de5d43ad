/* mt_kit.h: what the data-movement tests share. These ops never look at values, so tensors hold
 * random bytes of any data type and every output element is checked against the input element
 * (or fill element) a coordinate-wise reference says it comes from, byte for byte. */
#ifndef WNN_TESTS_MT_KIT_H_
#define WNN_TESTS_MT_KIT_H_

#include <stdlib.h>

#include "wt.h"

#define MT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const WNNOperandDataType k_mt_types[8] = {
    WNNOperandDataType_Float32, WNNOperandDataType_Float16, WNNOperandDataType_Int32, WNNOperandDataType_Uint32,
    WNNOperandDataType_Int64,   WNNOperandDataType_Uint64,  WNNOperandDataType_Int8,  WNNOperandDataType_Uint8};

typedef struct MtTensor {
    WNNOperandDataType type;
    uint32_t rank;
    uint32_t shape[WNN_MAX_RANK];
    size_t esize, count;
    unsigned char* data;
} MtTensor;

static inline size_t mt_esize(WNNOperandDataType t) {
    switch (t) {
        case WNNOperandDataType_Float16: return 2;
        case WNNOperandDataType_Int64:
        case WNNOperandDataType_Uint64: return 8;
        case WNNOperandDataType_Int8:
        case WNNOperandDataType_Uint8: return 1;
        default: return 4;
    }
}

/* A tensor of random bytes. */
static inline MtTensor mt_random(WNNOperandDataType t, uint32_t rank, const uint32_t* shape, uint64_t* seed) {
    MtTensor m = {t, rank, {0}, mt_esize(t), 1, NULL};
    for (uint32_t d = 0; d < rank; d++) {
        m.shape[d] = shape[d];
        m.count *= shape[d];
    }
    m.data = malloc(m.count * m.esize);
    for (size_t i = 0; i < m.count * m.esize; i++) m.data[i] = (unsigned char)wt_next(seed);
    return m;
}

/* An uninitialised tensor the shape of an operand (for outputs). */
static inline MtTensor mt_like(WNNOperand x) {
    uint32_t shape[WNN_MAX_RANK];
    wnnOperandGetShape(x, shape);
    uint64_t seed = 1;
    MtTensor m = mt_random(wnnOperandGetDataType(x), wnnOperandGetRank(x), shape, &seed);
    memset(m.data, 0xA5, m.count * m.esize); /* never the expected bytes by accident */
    return m;
}

static inline void mt_free(MtTensor* m) {
    free(m->data);
    m->data = NULL;
}

static inline void mt_coord(const MtTensor* m, size_t flat, uint32_t* c) {
    for (uint32_t d = m->rank; d-- > 0;) {
        c[d] = (uint32_t)(flat % m->shape[d]);
        flat /= m->shape[d];
    }
}

static inline size_t mt_flat(const MtTensor* m, const uint32_t* c) {
    size_t f = 0;
    for (uint32_t d = 0; d < m->rank; d++) f = f * m->shape[d] + c[d];
    return f;
}

static inline uint32_t mt_rand(uint64_t* seed, uint32_t lo, uint32_t hi) { /* [lo, hi] */
    return lo + (uint32_t)(wt_next(seed) % (hi - lo + 1));
}

/* Random shape of `rank` with dimensions in [lo, hi]. */
static inline void mt_shape(uint64_t* seed, uint32_t rank, uint32_t lo, uint32_t hi, uint32_t* shape) {
    for (uint32_t d = 0; d < rank; d++) shape[d] = mt_rand(seed, lo, hi);
}

/* For output coordinate c, the bytes of the element expected there. */
typedef const void* (*MtRefFn)(const void* ctx, const uint32_t* c);

/* One check per tensor: every element's bytes against the reference; prints the first misses. */
static inline void mt_expect(const char* what, const MtTensor* out, MtRefFn ref, const void* ctx) {
    uint32_t c[WNN_MAX_RANK];
    int bad = 0;
    for (size_t i = 0; i < out->count; i++) {
        mt_coord(out, i, c);
        if (memcmp(out->data + i * out->esize, ref(ctx, c), out->esize) != 0 && bad++ < 3)
            fprintf(stderr, "%s: element %zu differs from the reference\n", what, i);
    }
    wt_checks++;
    if (bad) {
        wt_failures++;
        fprintf(stderr, "%s: %d of %zu elements wrong\n", what, bad, out->count);
    }
}

/* Builds and runs b for the named outputs (at most MT_MAX_OUTPUTS); inputs (at most 8) are fed
 * from ins[i] under names[i]. */
#define MT_MAX_OUTPUTS 64
static inline WNNStatus mt_run(WNNGraphBuilder b, const char* const* names, const MtTensor* ins, size_t nin,
                               const WNNOperand* outs, MtTensor* results, size_t nout) {
    WtFeed feeds[8];
    WNNNamedOperand named[MT_MAX_OUTPUTS];
    void* data[MT_MAX_OUTPUTS];
    char outNames[MT_MAX_OUTPUTS][24];
    for (size_t i = 0; i < nin; i++) feeds[i] = (WtFeed){names[i], ins[i].data};
    for (size_t i = 0; i < nout; i++) {
        results[i] = mt_like(outs[i]);
        snprintf(outNames[i], sizeof outNames[i], "y%zu", i);
        named[i] = (WNNNamedOperand){outNames[i], outs[i]};
        data[i] = results[i].data;
    }
    return wt_run(wt_cpu(), b, feeds, nin, named, nout, data);
}

static inline WNNOperand mt_input(WNNGraphBuilder b, const char* name, const MtTensor* m) {
    return wt_input(b, name, m->type, m->rank, m->shape);
}

#endif
