/* conv_block.c: an inverted-residual block as one step (conv_block.h).
 *
 * A task runs a band of one image's output rows, G rows at a time (the project's product then has
 * G x OW rows for our GEMM's micro-kernel). For each group it expands the input rows the group's
 * depthwise taps need and the previous group did not already expand into a ring of Rr rows (Rr =
 * (G - 1) * stride + kh: a row is overwritten only once no tap reads it), runs the depthwise taps
 * of the G rows into a buffer, and projects that buffer into the output, the residual added in
 * the GEMM's epilogue. The ring and the buffer are the worker thread's (grown as needed, kept for
 * the next block), a few hundred KiB: they stay in the core's L2. Rows outside the input (the
 * depthwise padding) read a row of zeros. */
#include "backends/cpu/conv_block.h"
#include "backends/cpu/eltwise_engine.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/ops/conv.h"
#include "graph/ops/elementwise.h"

static atomic_uint g_blocks;
unsigned wnn_cpu_block_count(void) { return atomic_load(&g_blocks); }

uint64_t wnn_cpu_l2_bytes(void) {
#ifdef _SC_LEVEL2_CACHE_SIZE
    long v = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (v > 0) return (uint64_t)v;
#endif
    return 1u << 20;
}

#ifdef WNN_HAVE_ONEDNN
#include "backends/cpu/onednn.h"
#include "backends/cpu/sgemm_direct.h"
#include "backends/cpu/sgemm_packed.h"
#include "backends/cpu/thread_scratch.h"

#define MAXK 7 /* widest depthwise window (rows of taps) */

/* ---- finding a block ---- */

/* The attributes of node k when it is a float32 conv2d with a constant filter and a constant or no bias. */
static const WnnConvAttrs* conv_of(const WnnGraphIR* ir, int32_t k) {
    if (k < 0) return NULL;
    const WnnNode* n = &ir->nodes[k];
    if (n->op != WNN_OP_conv2d || n->inputCount < 2 || n->outputCount != 1 || n->inputs[0] < 0) return NULL;
    const WnnIrOperand* f = &ir->operands[n->inputs[1]];
    int32_t bid = n->inputCount > 2 ? n->inputs[2] : -1;
    if (ir->operands[n->inputs[0]].desc.type != WNNOperandDataType_Float32 || f->kind != WNN_OPERAND_CONSTANT || !f->data)
        return NULL;
    if (bid >= 0 && (ir->operands[bid].kind != WNN_OPERAND_CONSTANT || !ir->operands[bid].data)) return NULL;
    return n->attrs;
}

static int pointwise(const WnnConvAttrs* a) {
    return a->kh == 1 && a->kw == 1 && a->strides[0] == 1 && a->strides[1] == 1 && a->groups == 1 &&
           !(a->pad[0] | a->pad[1] | a->pad[2] | a->pad[3]);
}

/* A stem: a dense conv on an image's few channels (MobileNet's 3 -> 32, 3x3, stride 2), as the
 * block's expand stage: its output rows are products of its windows (stem_rows). WNN_CPU_STEM=0
 * leaves stems to oneDNN. */
static int stem(const WnnConvAttrs* a) {
    const char* v = getenv("WNN_CPU_STEM");
    return !(v && !strcmp(v, "0")) && a->groups == 1 && a->cin <= 4 && a->kh <= MAXK && a->kw <= MAXK && a->dilations[0] == 1 && a->dilations[1] == 1 &&
           a->strides[0] >= 1 && a->strides[0] <= 4 && a->strides[1] >= 1 && a->strides[1] <= 4 && a->pad[0] < a->kh &&
           a->pad[1] < a->kh && a->pad[2] < a->kw && a->pad[3] < a->kw && !pointwise(a);
}

static int depthwise(const WnnConvAttrs* a) {
    return a->groups > 1 && a->groups == a->cin && a->cout == a->cin && a->dilations[0] == 1 && a->dilations[1] == 1 &&
           a->kh <= MAXK && a->kw <= MAXK && a->strides[0] >= 1 && a->strides[0] <= 4 && a->strides[1] >= 1 &&
           a->strides[1] <= 4 && a->pad[0] < a->kh && a->pad[1] < a->kh && a->pad[2] < a->kw && a->pad[3] < a->kw;
}

/* A chain our epilogues run: bias adds, then relu or clamp or nothing; a residual only where allowed. */
static int simple_chain(const WnnCpuFusion* c, int32_t residualOk) {
    if (c->hasScale || (c->residual >= 0 && c->residual != residualOk)) return 0;
    float lo, hi; /* the packed GEMM's rule for its epilogue's clamp (no NaN bound) */
    if (c->act == WNN_OP_clamp) return wnn_elt_clamp_bounds(c->actAttrs, &lo, &hi);
    return c->act == WNN_OP_COUNT || c->act == WNN_OP_relu;
}

/* The conv reading `id` as its input 0 (and only there), of the kind `want` accepts, or -1. */
static int32_t next_conv(const WnnGraphIR* ir, const uint32_t* uses, int32_t id, uint32_t after, int nhwc,
                         int (*want)(const WnnConvAttrs*)) {
    int32_t k = wnn_cpu_fuse_sole_consumer(ir, uses, id, after);
    const WnnConvAttrs* a = conv_of(ir, k);
    return a && a->nhwc == nhwc && want(a) && ir->nodes[k].inputs[0] == id ? k : -1;
}

static void absorb(WnnCpuFusion* f, const WnnCpuFusion* c) {
    for (uint32_t j = 0; j < c->absorbedCount; j++) f->absorbed[f->absorbedCount++] = c->absorbed[j];
}

int wnn_cpu_block_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f, WnnCpuBlock* b) {
    memset(b, 0, sizeof *b);
    b->expand = -1;
    const WnnConvAttrs* a = conv_of(ir, (int32_t)k);
    if (!a) return 0;
    int32_t x = ir->nodes[k].inputs[0], at = (int32_t)k;
    if (pointwise(a) || stem(a)) {
        b->expand = (int32_t)k;
        b->stem = !pointwise(a);
        wnn_cpu_fuse_candidate(ir, uses, k, &b->chain[0]);
        if (!simple_chain(&b->chain[0], -1)) return 0;
        at = next_conv(ir, uses, b->chain[0].output, k, a->nhwc, depthwise);
    } else if (!depthwise(a)) {
        return 0;
    }
    if (at < 0) return 0;
    b->dw = at;
    wnn_cpu_fuse_candidate(ir, uses, (uint32_t)at, &b->chain[1]);
    if (!simple_chain(&b->chain[1], -1)) return 0;
    b->project = next_conv(ir, uses, b->chain[1].output, (uint32_t)at, a->nhwc, pointwise);
    if (b->project < 0) return 0;
    wnn_cpu_fuse_candidate(ir, uses, (uint32_t)b->project, &b->chain[2]);
    if (!simple_chain(&b->chain[2], x)) return 0;
    memset(f, 0, sizeof *f);
    f->bias = f->residual = f->input[0] = f->input[1] = -1;
    f->act = WNN_OP_COUNT;
    if (b->expand >= 0) absorb(f, &b->chain[0]), f->absorbed[f->absorbedCount++] = (uint32_t)b->dw;
    absorb(f, &b->chain[1]);
    f->absorbed[f->absorbedCount++] = (uint32_t)b->project;
    absorb(f, &b->chain[2]);
    f->output = b->chain[2].output;
    f->channelAxis = a->nhwc ? 3 : 1;
    return 1;
}

/* ---- the prepared state ---- */

typedef struct Stage {
    float* bias; /* per output channel (padded to ep for the depthwise stage) */
    int act;     /* clamp to [lo, hi] */
    float lo, hi;
} Stage;

typedef struct Block {
    WnnOnednnExec x; /* first: an NCHW graph's block links as a oneDNN step (onednn.h); x.in / x.out NHWC */
    int viaNhwc;
    size_t N, H, W, C, E, Ep, OH, OW, Cout;
    size_t kh, kw, sh, sw, pt, pl;
    int residual;
    /* the products' B: dense K x N rounded up to 16 for the in-place-A GEMM (sgemm_direct.h: AVX-512
     * or AVX2), else packed for our GEMM (sgemm_packed.h) */
    int direct;
    /* a stem conv as the expand: its output rows (the taps' input, H x W) are products of patches
     * of skh x skw pixels of C floats (Kc floats) gathered from the block's input of H0 x W0;
     * else H0 = H, W0 = W, Kc = C */
    int stem;
    size_t H0, W0, Kc, skh, skw, ssh, ssw, spt, spl;
    float* w1;   /* expand: Kc x E, or NULL (no expand: the taps read the input) */
    float* wd;   /* depthwise: kh * kw rows of Ep floats (zeros past E) */
    float* w3;   /* project: E x Cout */
    float* zero; /* a row of zeros: W pixels of max(Ep, C) floats */
    Stage st[3];
    size_t G, Rr, scratch; /* rows per group, ring rows, floats of scratch per task */
} Block;

/* ---- the depthwise taps of one output row ---- */

typedef struct DwRow {
    const float* rows[MAXK]; /* the kh input rows the taps read (the zero row outside the input) */
    size_t W, ps;            /* input pixels, floats from one pixel to the next */
    size_t OW, sw, pl, kh, kw;
    const float* w;          /* kh * kw rows of ep floats */
    size_t ep;               /* floats per tap's row of weights and per output pixel */
    size_t vecC;             /* channels done in vectors: a multiple of the vector width */
    size_t C;                /* channels */
    const Stage* st;
    float* out; /* OW pixels of ep floats */
} DwRow;

/* v = min(max(v, lo), hi) lane by lane (C has no vector ?:): VI the integer vector of v's size. */
#define VCLAMP(VI, v, lo, hi)                                    \
    do {                                                         \
        VI m_ = (v) < (lo);                                      \
        v = (__typeof__(v))(((VI)(v) & ~m_) | ((VI)(lo) & m_));  \
        m_ = (v) > (hi);                                         \
        v = (__typeof__(v))(((VI)(v) & ~m_) | ((VI)(hi) & m_));  \
    } while (0)

/* Four neighbouring output pixels of a 3x3 window at stride S (1 or 2), all taps inside the input:
 * each input pixel of a window row is loaded once for the four (3S + 3 loads a row instead of 12),
 * so that the taps are bound by the FMAs rather than the loads. In DEFINE_DW's scope. */
#define DW3_ROW(VT, U, S, p, k0)                                                                    \
    do {                                                                                            \
        VT x_[3 * S + 3];                                                                           \
        for (int k = 0; k < 3 * S + 3; k++) x_[k] = *(const U*)((p) + (size_t)k * ps);              \
        for (int j = 0; j < 4; j++)                                                                 \
            a_[j] += w[k0] * x_[j * S] + w[k0 + 1] * x_[j * S + 1] + w[k0 + 2] * x_[j * S + 2];     \
    } while (0)
#define DW3_QUAD(VT, U, I, S)                                                                       \
    do {                                                                                            \
        size_t o_ = (size_t)ix * ps;                                                                \
        VT a_[4] = {bias, bias, bias, bias};                                                        \
        DW3_ROW(VT, U, S, r0 + o_, 0);                                                              \
        DW3_ROW(VT, U, S, r1 + o_, 3);                                                              \
        DW3_ROW(VT, U, S, r2 + o_, 6);                                                              \
        for (int j = 0; j < 4; j++) {                                                               \
            if (d->st->act) VCLAMP(I, a_[j], lo, hi);                                               \
            *(U*)(d->out + (ox + (size_t)j) * ep + c) = a_[j];                                      \
        }                                                                                           \
    } while (0)

/* acc = bias + the taps of output pixel ox, channels [c, c + VW), each tap only inside the input. */
#define DEFINE_DW(SUF, ATTR, VT, VW)                                                                          \
    typedef float VT##_u_##SUF __attribute__((vector_size(VW * 4), aligned(4)));                              \
    typedef int VT##_i_##SUF __attribute__((vector_size(VW * 4)));                                            \
    ATTR static void dw_row_##SUF(const DwRow* d) {                                                           \
        const size_t ps = d->ps, ep = d->ep;                                                                 \
        const VT lo = (VT){0} + d->st->lo, hi = (VT){0} + d->st->hi;                                         \
        for (size_t c = 0; c < d->vecC; c += VW) {                                                           \
            const VT bias = *(const VT##_u_##SUF*)(d->st->bias + c);                                         \
            if (d->kh == 3 && d->kw == 3) { /* MobileNet's: the nine weights in registers */               \
                VT w[9];                                                                                     \
                for (int t = 0; t < 9; t++) w[t] = *(const VT##_u_##SUF*)(d->w + t * ep + c);                 \
                const float *r0 = d->rows[0] + c, *r1 = d->rows[1] + c, *r2 = d->rows[2] + c;               \
                for (size_t ox = 0; ox < d->OW; ox++) {                                                      \
                    ptrdiff_t ix = (ptrdiff_t)(ox * d->sw) - (ptrdiff_t)d->pl;                                \
                    if (ix >= 0 && d->sw <= 2 && ox + 4 <= d->OW && (size_t)ix + 3 * d->sw + 2 < d->W) {     \
                        if (d->sw == 1) DW3_QUAD(VT, VT##_u_##SUF, VT##_i_##SUF, 1);                         \
                        else DW3_QUAD(VT, VT##_u_##SUF, VT##_i_##SUF, 2);                                    \
                        ox += 3;                                                                             \
                        continue;                                                                            \
                    }                                                                                        \
                    VT acc = bias;                                                                           \
                    if (ix >= 0 && (size_t)ix + 2 < d->W) {                                                  \
                        size_t o = (size_t)ix * ps;                                                          \
                        acc += w[0] * *(const VT##_u_##SUF*)(r0 + o) + w[1] * *(const VT##_u_##SUF*)(r0 + o + ps) + \
                               w[2] * *(const VT##_u_##SUF*)(r0 + o + 2 * ps);                               \
                        acc += w[3] * *(const VT##_u_##SUF*)(r1 + o) + w[4] * *(const VT##_u_##SUF*)(r1 + o + ps) + \
                               w[5] * *(const VT##_u_##SUF*)(r1 + o + 2 * ps);                               \
                        acc += w[6] * *(const VT##_u_##SUF*)(r2 + o) + w[7] * *(const VT##_u_##SUF*)(r2 + o + ps) + \
                               w[8] * *(const VT##_u_##SUF*)(r2 + o + 2 * ps);                               \
                    } else {                                                                                 \
                        for (int kx = 0; kx < 3; kx++) {                                                     \
                            ptrdiff_t i = ix + kx;                                                           \
                            if (i < 0 || (size_t)i >= d->W) continue;                                        \
                            acc += w[kx] * *(const VT##_u_##SUF*)(r0 + (size_t)i * ps) +                      \
                                   w[3 + kx] * *(const VT##_u_##SUF*)(r1 + (size_t)i * ps) +                  \
                                   w[6 + kx] * *(const VT##_u_##SUF*)(r2 + (size_t)i * ps);                   \
                        }                                                                                    \
                    }                                                                                        \
                    if (d->st->act) VCLAMP(VT##_i_##SUF, acc, lo, hi);                               \
                    *(VT##_u_##SUF*)(d->out + ox * ep + c) = acc;                                            \
                }                                                                                            \
                continue;                                                                                    \
            }                                                                                                \
            for (size_t ox = 0; ox < d->OW; ox++) {                                                          \
                ptrdiff_t ix = (ptrdiff_t)(ox * d->sw) - (ptrdiff_t)d->pl;                                    \
                VT acc = bias;                                                                               \
                for (size_t ky = 0; ky < d->kh; ky++)                                                        \
                    for (size_t kx = 0; kx < d->kw; kx++) {                                                  \
                        ptrdiff_t i = ix + (ptrdiff_t)kx;                                                    \
                        if (i < 0 || (size_t)i >= d->W) continue;                                            \
                        acc += *(const VT##_u_##SUF*)(d->w + (ky * d->kw + kx) * ep + c) *                    \
                               *(const VT##_u_##SUF*)(d->rows[ky] + (size_t)i * ps + c);                      \
                    }                                                                                        \
                if (d->st->act) VCLAMP(VT##_i_##SUF, acc, lo, hi);                                   \
                *(VT##_u_##SUF*)(d->out + ox * ep + c) = acc;                                                \
            }                                                                                                \
        }                                                                                                    \
        for (size_t c = d->vecC; c < d->C; c++) /* channels past the vectors (an input read in place) */    \
            for (size_t ox = 0; ox < d->OW; ox++) {                                                          \
                ptrdiff_t ix = (ptrdiff_t)(ox * d->sw) - (ptrdiff_t)d->pl;                                    \
                float acc = d->st->bias[c];                                                                  \
                for (size_t ky = 0; ky < d->kh; ky++)                                                        \
                    for (size_t kx = 0; kx < d->kw; kx++) {                                                  \
                        ptrdiff_t i = ix + (ptrdiff_t)kx;                                                    \
                        if (i >= 0 && (size_t)i < d->W) acc += d->w[(ky * d->kw + kx) * ep + c] * d->rows[ky][(size_t)i * ps + c]; \
                    }                                                                                        \
                if (d->st->act) acc = acc < d->st->lo ? d->st->lo : acc > d->st->hi ? d->st->hi : acc;       \
                d->out[ox * ep + c] = acc;                                                                   \
            }                                                                                                \
    }

typedef float v8 __attribute__((vector_size(32)));
DEFINE_DW(generic, , v8, 8)
#if defined(__x86_64__) || defined(__i386__)
DEFINE_DW(avx2, __attribute__((target("avx2,fma"))), v8, 8)
typedef float v16 __attribute__((vector_size(64)));
DEFINE_DW(avx512, __attribute__((target("avx512f,fma"))), v16, 16)
#endif

typedef void (*DwFn)(const DwRow*);

/* The taps' vector width follows the GEMM's micro-kernel (and so WNN_CPU_SIMD). */
static DwFn dw_fn(size_t* width) {
    const char* isa = wnn_sgemm_packed_isa();
    *width = 8;
#if defined(__x86_64__) || defined(__i386__)
    if (!strcmp(isa, "avx512")) return *width = 16, dw_row_avx512;
    if (!strcmp(isa, "avx2")) return dw_row_avx2;
#endif
    (void)isa;
    return dw_row_generic;
}

/* ---- running ---- */

typedef struct BlockRun {
    const Block* b;
    const float* x; /* NHWC */
    float* y;
    DwFn dw;
    size_t width;
    size_t chunks; /* tasks per image */
    atomic_int failed;
} BlockRun;

/* C[M x N] = e(A[M x K] * w) on the block's kind of B (ldb: N rounded up to 16). */
static void product(const Block* b, size_t M, size_t N, size_t K, const float* A, size_t lda, const float* w, float* C,
                    size_t ldc, const WnnSgemmEpilogue* e) {
    if (b->direct) {
        wnn_sgemm_direct(M, N, K, A, lda, w, (N + 15) / 16 * 16, C, ldc, e);
        return;
    }
    WnnSgemm g = {1, M, N, K, A, lda, 0, 0, w, 0, C, ldc, 0, e};
    wnn_sgemm_packed(&g, NULL);
}

/* The stem's patches for pixels [ox0, ox1) of its output row r: per pixel Kc floats in (ky, kx, c)
 * order, zeros outside the input (x: one NHWC image, where a window row's skw pixels are one run
 * of floats). */
static void gather(const Block* b, const float* x, size_t r, size_t ox0, size_t ox1, float* col) {
    typedef float v8u __attribute__((vector_size(32), aligned(4)));
    const size_t C = b->C, run = b->skw * C;
    for (size_t ox = ox0; ox < ox1; ox++) {
        float* p = col + (ox - ox0) * b->Kc;
        ptrdiff_t ix0 = (ptrdiff_t)(ox * b->ssw) - (ptrdiff_t)b->spl;
        int inside = ix0 >= 0 && (size_t)ix0 + b->skw <= b->W0;
        for (size_t ky = 0; ky < b->skh; ky++, p += run) {
            ptrdiff_t iy = (ptrdiff_t)(r * b->ssh + ky) - (ptrdiff_t)b->spt;
            if (iy < 0 || iy >= (ptrdiff_t)b->H0) {
                for (size_t i = 0; i < run; i++) p[i] = 0;
                continue;
            }
            const float* src = x + (size_t)iy * b->W0 * C;
            if (inside) {
                const float* s = src + (size_t)ix0 * C;
                size_t i = 0;
                for (; i + 8 <= run; i += 8) *(v8u*)(p + i) = *(const v8u*)(s + i);
                for (; i < run; i++) p[i] = s[i];
                continue;
            }
            for (size_t kx = 0; kx < b->skw; kx++) {
                ptrdiff_t ix = ix0 + (ptrdiff_t)kx;
                for (size_t c = 0; c < C; c++) p[kx * C + c] = ix < 0 || ix >= (ptrdiff_t)b->W0 ? 0 : src[(size_t)ix * C + c];
            }
        }
    }
}

/* The stem's output rows [r0, r0 + cnt) into out (rows of W pixels of Ep floats). On the direct
 * GEMM the pixels whose window lies inside the input read it in place, a run of skw * C floats
 * per window row (wnn_sgemm_direct_segments); the others, and every pixel on the packed GEMM,
 * from gathered patches. Gathering them all cost more than the product in MobileNetV2's graph
 * (0.087 against 0.144 ms a thread). */
static void stem_rows(const Block* b, const float* x, size_t r0, size_t cnt, float* out, float* col, const WnnSgemmEpilogue* e) {
    size_t oxa = (b->spl + b->ssw - 1) / b->ssw; /* the first pixel whose window starts inside */
    size_t oxb = b->W0 + b->spl >= b->skw ? (b->W0 + b->spl - b->skw) / b->ssw + 1 : 0; /* past the last ending inside */
    if (oxb > b->W) oxb = b->W;
    if (oxa > oxb || !b->direct) oxa = oxb = 0;
    for (size_t r = r0; r < r0 + cnt; r++) {
        float* o = out + (r - r0) * b->W * b->Ep;
        ptrdiff_t iy0 = (ptrdiff_t)(r * b->ssh) - (ptrdiff_t)b->spt;
        size_t a = oxa, z = oxb;
        if (iy0 < 0 || (size_t)iy0 + b->skh > b->H0) a = z = 0; /* the window crosses the top or bottom */
        if (a < z)
            wnn_sgemm_direct_segments(z - a, b->E, b->skw * b->C, b->skh, b->W0 * b->C,
                                      x + ((size_t)iy0 * b->W0 + a * b->ssw - b->spl) * b->C, b->ssw * b->C, b->w1,
                                      b->Ep, o + a * b->Ep, b->Ep, e);
        if (a > 0) gather(b, x, r, 0, a, col), product(b, a, b->E, b->Kc, col, b->Kc, b->w1, o, b->Ep, e);
        if (z < b->W) gather(b, x, r, z, b->W, col), product(b, b->W - z, b->E, b->Kc, col, b->Kc, b->w1, o + z * b->Ep, b->Ep, e);
    }
}

/* Output rows [r0, r1) of image n; col: the stem's patches (W x Kc floats), or unused. */
static void run_rows(const BlockRun* r, size_t n, size_t r0, size_t r1, float* ring, float* dwb, float* col) {
    const Block* b = r->b;
    const float* x = r->x + n * b->H0 * b->W0 * b->C;
    float* y = r->y + n * b->OH * b->OW * b->Cout;
    size_t rowF = b->W * b->Ep; /* floats per ring row */
    ptrdiff_t have = -1;        /* the last input row expanded into the ring */
    WnnSgemmEpilogue e1 = {.scale = 1.0f, .bias = b->st[0].bias, .clamp = b->st[0].act, .lo = b->st[0].lo, .hi = b->st[0].hi};
    for (size_t oy = r0; oy < r1; oy += b->G) {
        size_t g = r1 - oy < b->G ? r1 - oy : b->G;
        ptrdiff_t lo = (ptrdiff_t)(oy * b->sh) - (ptrdiff_t)b->pt, hi = (ptrdiff_t)((oy + g - 1) * b->sh + b->kh - 1) - (ptrdiff_t)b->pt;
        if (lo < 0) lo = 0;
        if (hi > (ptrdiff_t)b->H - 1) hi = (ptrdiff_t)b->H - 1;
        if (b->w1) {
            for (ptrdiff_t row = lo > have + 1 ? lo : have + 1; row <= hi;) {
                size_t slot = (size_t)row % b->Rr, cnt = (size_t)(hi - row + 1);
                if (cnt > b->Rr - slot) cnt = b->Rr - slot; /* up to the ring's end, then from its start */
                if (b->stem) stem_rows(b, x, (size_t)row, cnt, ring + slot * rowF, col, &e1);
                else product(b, cnt * b->W, b->E, b->C, x + (size_t)row * b->W * b->C, b->C, b->w1, ring + slot * rowF, b->Ep, &e1);
                row += (ptrdiff_t)cnt;
            }
            if (hi > have) have = hi;
        }
        for (size_t j = 0; j < g; j++) {
            DwRow d = {{0}, b->W, b->w1 ? b->Ep : b->C, b->OW, b->sw, b->pl, b->kh, b->kw, b->wd, b->Ep, 0, b->E,
                       &b->st[1], dwb + j * b->OW * b->Ep};
            d.vecC = (b->w1 ? b->Ep : b->E) / r->width * r->width;
            for (size_t ky = 0; ky < b->kh; ky++) {
                ptrdiff_t iy = (ptrdiff_t)((oy + j) * b->sh + ky) - (ptrdiff_t)b->pt;
                d.rows[ky] = iy < 0 || iy >= (ptrdiff_t)b->H ? b->zero
                             : b->w1                         ? ring + (size_t)iy % b->Rr * rowF
                                                             : x + (size_t)iy * b->W * b->C;
            }
            r->dw(&d);
        }
        WnnSgemmEpilogue e3 = {.scale = 1.0f, .bias = b->st[2].bias, .residual = b->residual ? x + oy * b->W * b->C : NULL,
                               .clamp = b->st[2].act, .lo = b->st[2].lo, .hi = b->st[2].hi};
        product(b, g * b->OW, b->Cout, b->E, dwb, b->Ep, b->w3, y + oy * b->OW * b->Cout, b->Cout, &e3);
    }
}

static void block_tasks(void* ctx, size_t begin, size_t end) {
    BlockRun* r = ctx;
    const Block* b = r->b;
    /* the padding channels of a ring row (E to Ep) are read by the taps but never written: zeros at
     * first, then whatever an earlier step left; their results are never read */
    float* ring = wnn_thread_scratch(b->scratch);
    if (!ring) {
        atomic_store(&r->failed, 1);
        return;
    }
    float* dwb = ring + b->Rr * b->W * b->Ep;
    float* col = dwb + b->G * b->OW * b->Ep;
    for (size_t t = begin; t < end; t++) {
        size_t n = t / r->chunks, c = t % r->chunks;
        run_rows(r, n, b->OH * c / r->chunks, b->OH * (c + 1) / r->chunks, ring, dwb, col);
    }
}

static WNNStatus block_run(const WnnCpuPrepared* self, const WnnCpuKernelArgs* args) {
    Block* b = (Block*)self; /* the NHWC edge buffers are the state's: one dispatch at a time */
    BlockRun r = {b, args->inputs[0].data, args->outputs[0].data, NULL, 0, 1, 0};
    r.dw = dw_fn(&r.width);
    /* a band of rows per thread (its first rows' expansion is redone by the band before it), of 2
     * rows at least */
    size_t threads = wnn_threadpool_size(args->pool);
    r.chunks = (threads + b->N - 1) / b->N;
    if (r.chunks > b->OH / 2) r.chunks = b->OH / 2 ? b->OH / 2 : 1;
    WNNStatus s = WNNStatus_Success;
    pthread_mutex_lock(&b->x.lock);
    if (b->viaNhwc) {
        wnn_onednn_set_threads(args->pool); /* the edge reorders' */
        if (!b->x.inLinked) s = wnn_onednn_edge_in(&b->x, (void*)r.x, args->pool);
        if (!s && !b->x.inLinked) s = wnn_onednn_check(dnnl_memory_get_data_handle(b->x.in, (void**)&r.x), "conv2d", "dnnl_memory_get_data_handle");
        if (!s && !b->x.outLinked) s = wnn_onednn_check(dnnl_memory_get_data_handle(b->x.out, (void**)&r.y), "conv2d", "dnnl_memory_get_data_handle");
    }
    if (!s) wnn_parallel_for(args->pool, b->N * r.chunks, 1, block_tasks, &r);
    if (!s && atomic_load(&r.failed)) s = wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory (fused block's rows)");
    if (!s && b->viaNhwc && !b->x.outLinked) s = wnn_onednn_edge_out(&b->x, args->outputs[0].data, args->pool);
    pthread_mutex_unlock(&b->x.lock);
    return s;
}

static void block_release(WnnCpuPrepared* self) {
    Block* b = (Block*)self;
    wnn_onednn_edges_release(&b->x);
    for (int i = 0; i < 3; i++) free(b->st[i].bias);
    free(b->w1);
    free(b->wd);
    free(b->w3);
    free(b->zero);
    free(b);
}

/* ---- preparing ---- */

/* Element (o, i, y, x) of node's constant filter, in any of its layouts. */
static float filter_at(const WnnGraphIR* ir, const WnnNode* node, size_t o, size_t i, size_t y, size_t x) {
    const WnnIrOperand* f = &ir->operands[node->inputs[1]];
    return ((const float*)f->data)[wnn_conv_filter_offset(node->attrs, f->desc.shape, o, i, y, x)];
}

/* A stage's bias (the conv's own plus the chain's adds, n of `len` floats) and activation. */
static WNNStatus stage_init(const WnnGraphIR* ir, const WnnNode* node, const WnnCpuFusion* c, size_t n, size_t len, Stage* st) {
    if (!(st->bias = wnn_calloc(len, sizeof(float)))) return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    int32_t own = node->inputCount > 2 ? node->inputs[2] : -1;
    for (size_t i = 0; i < n; i++) {
        if (own >= 0) st->bias[i] += ((const float*)ir->operands[own].data)[i];
        if (c->bias >= 0) {
            const WnnIrOperand* b = &ir->operands[c->bias];
            st->bias[i] += ((const float*)b->data)[wnn_desc_numel(&b->desc) == 1 ? 0 : i];
        }
    }
    st->lo = -INFINITY, st->hi = INFINITY;
    if (c->act == WNN_OP_relu) st->act = 1, st->lo = 0.0f;
    if (c->act == WNN_OP_clamp) st->act = wnn_elt_clamp_bounds(c->actAttrs, &st->lo, &st->hi); /* (checked: simple_chain) */
    return WNNStatus_Success;
}

/* Node's filter (cout x cin x kh x kw) as the products' B (K = kh * kw * cin rows in the patches'
 * (ky, kx, c) order, cout columns): dense with rows of cout rounded up to 16 (zeros past cout),
 * packed from that unless direct. */
static WNNStatus filter_b(const WnnGraphIR* ir, const WnnNode* node, int direct, float** out) {
    const WnnConvAttrs* a = node->attrs;
    size_t K = (size_t)a->kh * a->kw * a->cin, N = a->cout, ldb = (N + 15) / 16 * 16;
    float* dense = wnn_calloc(K * ldb, sizeof(float));
    float* packed = direct ? NULL : wnn_malloc(sizeof(float) * wnn_sgemm_packed_size(K, N));
    if (!dense || (!direct && !packed)) {
        free(dense);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    for (size_t o = 0; o < N; o++)
        for (size_t y = 0; y < a->kh; y++)
            for (size_t x = 0; x < a->kw; x++)
                for (size_t i = 0; i < a->cin; i++) dense[((y * a->kw + x) * a->cin + i) * ldb + o] = filter_at(ir, node, o, i, y, x);
    if (packed) wnn_sgemm_pack_b(1, K, N, dense, ldb, 0, 0, packed, NULL), free(dense);
    *out = packed ? packed : dense;
    return WNNStatus_Success;
}

/* Rows per group (the project's product: about 128 rows or more, whole output rows) and the
 * scratch a task needs, within about 640 KiB where one output row allows. */
static void plan_groups(Block* b) {
    size_t g = (128 + b->OW - 1) / b->OW;
    if (g > b->OH) g = b->OH;
    for (;; g--) {
        b->G = g;
        b->Rr = b->w1 ? (g - 1) * b->sh + b->kh : 0;
        b->scratch = (b->Rr * b->W + g * b->OW) * b->Ep + (b->stem ? b->W * b->Kc : 0);
        if (g == 1 || b->scratch * sizeof(float) <= 640 * 1024) break;
    }
}

/* WNN_CPU_BLOCK: "0" no blocks, "1" every block that fits (tests), else (auto, AVX-512 only) the blocks with an
 * expand whose depthwise conv reads at least 14 x 14 pixels at stride 1, and at stride 2 those
 * whose expanded tensor takes at least stride_h x stride_w MiB or, where a core's L2 holds at most
 * 1 MiB, any of at least 14 x 14 pixels. MobileNetV2's three 7 x 7 blocks stay oneDNN's (there the
 * expanded tensor stays in L2 anyway, and two row bands expand a third more rows than the image
 * has). Measured in the MobileNetV2 graph on 2 cores, per block, block against oneDNN's three
 * steps, ms. Stride 2 at 56 -> 28, 28 -> 14, 14 -> 7: on Zen 4 (1 MiB of L2, minima over 300
 * dispatches, WNN_CPU_PROFILE) 0.25 / 0.35, 0.12 / 0.19, 0.24 / 0.27, the whole graph 0.92 of the
 * rule without them (medians of 6 alternating pairs of wnn-run --bench 200, 5 faster); on the GPU
 * host's Xeon (2 MiB, means over 200) 0.227 / 0.211, 0.108 / 0.102, 0.216 / 0.191, the whole
 * graph even (10 pairs, 5 faster). Alone, with hot caches, they lost on Zen 4 too (1.01-1.18).
 * Stride 1 at 7 x 7 on Zen 4: 0.27 / 0.26, 0.27 / 0.28, 0.41 / 0.35. Earlier: 16 -> 96 -> 24 at
 * 112 x 112, stride 2 (4.8 MB expanded): 0.49 / 0.75 (Xeon 0.45 / 0.61); 24 -> 144 -> 24 at 56 x
 * 56: 0.38 / 0.41 (0.39 / 0.42); stride 1 at 14 x 14 alone: 0.90, 0.93 of the three steps.
 * Without an expand, 32 channels at 112 x 112: 0.23 / 0.24 and 0.23 / 0.22. */

static int worth_it(const WnnGraphIR* ir, const WnnCpuBlock* bl) {
    const char* v = getenv("WNN_CPU_BLOCK");
    if (v && !strcmp(v, "1")) return 1;
    /* Only on AVX-512: with AVX2 the blocks lost to oneDNN's AVX2 steps, on the packed GEMM
     * (MobileNetV2 with ONEDNN_MAX_CPU_ISA=AVX2 and WNN_CPU_SIMD=avx2 on Zen 4: 6.9-9.6 ms with
     * blocks in all 14 runs, 4.8-5.4 without in 9 of 14, median ratio 1.50 over 8 alternating
     * pairs) and on the AVX2 in-place-A GEMM alike (Zen 3: 7.8-8.1 ms with every block, 5.6-6.1
     * without). */
    if (strcmp(wnn_sgemm_packed_isa(), "avx512") != 0) return 0;
    const WnnNode* dn = &ir->nodes[bl->dw];
    const WnnDesc* xd = &ir->operands[dn->inputs[0]].desc; /* the expanded tensor */
    int h = ((const WnnConvAttrs*)dn->attrs)->nhwc ? 1 : 2;
    uint64_t expanded = wnn_desc_bytes(xd);
    /* A stem block only where the stem's output, which it keeps out of memory, outgrows a core's
     * L2: MobileNetV2's 1.6 MB, whole graph with / without the stem over alternating pairs, Zen 4
     * (1 MiB): 0.973 (16 pairs, 10 faster); the GPU host's Xeon (2 MiB): 1.017 (10 pairs, 2 faster). */
    if (bl->stem && expanded <= wnn_cpu_l2_bytes()) return 0;
    const WnnConvAttrs* a = dn->attrs;
    int strided = a->strides[0] > 1 || a->strides[1] > 1;
    int big = expanded >= ((uint64_t)a->strides[0] * a->strides[1] << 20);
    int wide = xd->shape[h] * xd->shape[h + 1] >= 14 * 14;
    return bl->expand >= 0 && (strided ? big || (wide && wnn_cpu_l2_bytes() <= (1u << 20)) : wide);
}

WNNStatus wnn_cpu_block_prepare(const WnnGraphIR* ir, const WnnCpuBlock* bl, WnnCpuPrepared** out) {
    *out = NULL;
    const WnnNode* first = &ir->nodes[bl->expand >= 0 ? bl->expand : bl->dw];
    const WnnNode *dn = &ir->nodes[bl->dw], *pn = &ir->nodes[bl->project];
    if (!wnn_onednn_engine() || !worth_it(ir, bl)) return WNNStatus_Success;
    const WnnConvAttrs *da = dn->attrs, *pa = pn->attrs;
    const WnnDesc *in = &ir->operands[first->inputs[0]].desc, *od = &ir->operands[pn->outputs[0]].desc;
    int nhwc = da->nhwc, h = nhwc ? 1 : 2;
    Block* b = wnn_calloc(1, sizeof *b);
    if (!b || pthread_mutex_init(&b->x.lock, NULL)) {
        free(b);
        return wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    }
    b->x.base.run = block_run;
    b->x.base.release = block_release;
    b->x.base.fused = 1;
    b->x.what = "conv2d";
    b->x.sideArg = -1;
    b->viaNhwc = !nhwc;
    b->N = in->shape[0], b->H0 = in->shape[h], b->W0 = in->shape[h + 1], b->C = in->shape[nhwc ? 3 : 1];
    const WnnDesc* dwIn = &ir->operands[dn->inputs[0]].desc; /* the expand's output */
    b->H = dwIn->shape[h], b->W = dwIn->shape[h + 1];
    b->Kc = b->C;
    if (bl->stem) {
        const WnnConvAttrs* sa = first->attrs;
        b->stem = 1, b->Kc = (size_t)sa->kh * sa->kw * b->C;
        b->skh = sa->kh, b->skw = sa->kw, b->ssh = sa->strides[0], b->ssw = sa->strides[1], b->spt = sa->pad[0], b->spl = sa->pad[2];
    }
    snprintf(b->x.base.path, sizeof b->x.base.path, "block%s %s", b->stem ? " (stem)" : "", nhwc ? "nhwc" : "nhwc (linked)");
    b->E = da->cin, b->Ep = (b->E + 15) / 16 * 16, b->Cout = pa->cout;
    b->OH = od->shape[h], b->OW = od->shape[h + 1];
    b->kh = da->kh, b->kw = da->kw, b->sh = da->strides[0], b->sw = da->strides[1], b->pt = da->pad[0], b->pl = da->pad[2];
    b->residual = bl->chain[2].residual >= 0;
    b->direct = wnn_sgemm_direct_isa() != NULL;
    WNNStatus s = WNNStatus_Success;
    size_t coutP = (b->Cout + 15) / 16 * 16; /* the direct products read biases in vectors */
    if (bl->expand >= 0) {
        s = filter_b(ir, first, b->direct, &b->w1);
        if (!s) s = stage_init(ir, first, &bl->chain[0], b->E, b->Ep, &b->st[0]);
    }
    if (!s) s = stage_init(ir, dn, &bl->chain[1], b->E, b->Ep, &b->st[1]);
    if (!s) s = filter_b(ir, pn, b->direct, &b->w3);
    if (!s) s = stage_init(ir, pn, &bl->chain[2], b->Cout, coutP, &b->st[2]);
    size_t ps = b->Ep > b->C ? b->Ep : b->C;
    if (!s && (!(b->wd = wnn_calloc(b->kh * b->kw * b->Ep, sizeof(float))) || !(b->zero = wnn_calloc(b->W * ps, sizeof(float)))))
        s = wnn_error(WNNStatus_OutOfMemory, "build: out of memory");
    for (size_t c = 0; !s && c < b->E; c++)
        for (size_t ky = 0; ky < b->kh; ky++)
            for (size_t kx = 0; kx < b->kw; kx++) b->wd[(ky * b->kw + kx) * b->Ep + c] = filter_at(ir, dn, c, 0, ky, kx);
    if (!s) s = wnn_onednn_check(dnnl_stream_create(&b->x.stream, wnn_onednn_engine(), dnnl_stream_default_flags), "conv2d", "dnnl_stream_create");
    if (!s && b->viaNhwc) {
        dnnl_dims_t xd = {in->shape[0], in->shape[1], in->shape[2], in->shape[3]};
        dnnl_dims_t yd = {od->shape[0], od->shape[1], od->shape[2], od->shape[3]};
        s = wnn_onednn_nhwc_edges(&b->x, xd, yd, 1);
    }
    if (s) {
        block_release(&b->x.base);
        return s;
    }
    plan_groups(b);
    size_t weights = (b->w1 ? wnn_sgemm_packed_size(b->Kc, b->E) : 0) + wnn_sgemm_packed_size(b->E, b->Cout) + b->kh * b->kw * b->Ep; /* (dense: the same, N rounded to 16) */
    size_t edges = b->viaNhwc ? wnn_desc_numel(in) + wnn_desc_numel(od) : 0;
    b->x.base.bytes = sizeof(float) * (weights + 2 * b->Ep + coutP + b->W * ps + edges);
    b->x.base.threadScratch = sizeof(float) * b->scratch;
    b->x.base.onednn = b->viaNhwc; /* linkable: its edges are NHWC memories */
    atomic_fetch_add(&g_blocks, 1);
    *out = &b->x.base;
    return WNNStatus_Success;
}
#else
int wnn_cpu_block_candidate(const WnnGraphIR* ir, const uint32_t* uses, uint32_t k, WnnCpuFusion* f, WnnCpuBlock* b) {
    (void)ir, (void)uses, (void)k, (void)f, (void)b;
    return 0;
}

WNNStatus wnn_cpu_block_prepare(const WnnGraphIR* ir, const WnnCpuBlock* b, WnnCpuPrepared** out) {
    (void)ir, (void)b;
    *out = NULL;
    return WNNStatus_Success;
}
#endif
