/* conv_depthwise.c: direct depthwise conv2d (groups == input channels, any channel multiplier m:
 * output channel co reads input channel co / m), float32, on the thread pool.
 *   NCHW: one task per output plane. The input plane is first copied with its zero padding, each
 *     row split into its `stride` phases (phase p holds columns p, p + stride, ...), so that every
 *     filter tap reads contiguous floats at a fixed offset for the whole output row, with no bounds
 *     checks; each output vector then sums all kh*kw taps in registers and is stored once.
 *   NHWC: one task per output row; each tap adds w[c] * x[c] along the channels of a pixel.
 * The two inner loops are compiled for AVX2+FMA and for the baseline ISA and picked at run time. */
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/conv_plan.h"

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4))); /* unaligned loads and stores */
#define load8(p) (*(const v8u*)(p))
#define store8(p, v) (*(v8u*)(p) = (v))

/* taps: o[i] = bias + sum_t w[t] * src[t][i];  vmul: o[i] += a[i] * b[i]. */
#define DEFINE_LOOPS(SUF, ATTR)                                                                        \
    ATTR static void taps_##SUF(float* o, const float* const* src, const float* w, size_t taps, float bias, \
                                size_t n) {                                                            \
        size_t i = 0;                                                                                  \
        for (; i + 16 <= n; i += 16) { /* two independent sums: FMA latency */                         \
            v8 a0 = (v8){0} + bias, a1 = a0;                                                           \
            for (size_t t = 0; t < taps; t++) {                                                        \
                v8 wv = (v8){0} + w[t];                                                                \
                a0 += wv * load8(src[t] + i);                                                          \
                a1 += wv * load8(src[t] + i + 8);                                                      \
            }                                                                                          \
            store8(o + i, a0);                                                                         \
            store8(o + i + 8, a1);                                                                     \
        }                                                                                              \
        for (; i + 8 <= n; i += 8) {                                                                   \
            v8 a0 = (v8){0} + bias;                                                                    \
            for (size_t t = 0; t < taps; t++) a0 += ((v8){0} + w[t]) * load8(src[t] + i);              \
            store8(o + i, a0);                                                                         \
        }                                                                                              \
        for (; i < n; i++) {                                                                           \
            float acc = bias;                                                                          \
            for (size_t t = 0; t < taps; t++) acc += w[t] * src[t][i];                                 \
            o[i] = acc;                                                                                \
        }                                                                                              \
    }                                                                                                  \
    ATTR static void vmul_##SUF(float* o, const float* a, const float* b, size_t n) {                 \
        size_t i = 0;                                                                                  \
        for (; i + 8 <= n; i += 8) store8(o + i, load8(o + i) + load8(a + i) * load8(b + i));          \
        for (; i < n; i++) o[i] += a[i] * b[i];                                                        \
    }

DEFINE_LOOPS(generic, )
#if defined(__x86_64__) || defined(__i386__)
DEFINE_LOOPS(avx2, __attribute__((target("avx2,fma"))))
#endif

typedef void (*TapsFn)(float*, const float* const*, const float*, size_t, float, size_t);
typedef void (*VmulFn)(float*, const float*, const float*, size_t);

typedef struct DwJob {
    const WnnConvRun* r;
    TapsFn taps;
    VmulFn vmul;
    int oom;
} DwJob;

static void dw_nchw(void* ctx, size_t begin, size_t end) {
    DwJob* j = ctx;
    const WnnConvRun* r = j->r;
    const WnnConvAttrs* a = &r->p->a;
    size_t sw = a->strides[1], m = r->p->coutg, taps = a->kh * a->kw;
    size_t Hp = r->H + a->pad[0] + a->pad[1], Wp = r->W + a->pad[2] + a->pad[3];
    size_t pw = (Wp + sw - 1) / sw, rowlen = pw * sw; /* floats per phase, per padded row */
    float* buf = malloc(sizeof(float) * Hp * rowlen + 1);
    const float** src = malloc(sizeof(float*) * taps + 1);
    if (!buf || !src) {
        j->oom = 1;
        free(buf);
        free(src);
        return;
    }
    for (size_t plane = begin; plane < end; plane++) {
        size_t n = plane / a->cout, co = plane % a->cout;
        const float* xin = r->x + (n * a->cin + co / m) * r->H * r->W;
        float* out = r->y + plane * r->OH * r->OW;
        /* buf[yp][p][t] = padded input at row yp, column t*sw + p (0 outside the input) */
        for (size_t yp = 0; yp < Hp; yp++) {
            float* dst = buf + yp * rowlen;
            long iy = (long)yp - (long)a->pad[0];
            if (iy < 0 || iy >= (long)r->H) {
                memset(dst, 0, sizeof(float) * rowlen);
                continue;
            }
            const float* irow = xin + (size_t)iy * r->W;
            for (size_t p = 0; p < sw; p++)
                for (size_t t = 0, xp = p; t < pw; t++, xp += sw) {
                    long ix = (long)xp - (long)a->pad[2];
                    dst[p * pw + t] = ix >= 0 && ix < (long)r->W ? irow[ix] : 0.0f;
                }
        }
        /* Output (oy, ox), tap (ky, kx) reads padded column ox*sw + kx*dw: phase kx*dw % sw, index
         * ox + kx*dw / sw, always inside buf since the output size fits the padded input. */
        for (size_t oy = 0; oy < r->OH; oy++) {
            for (size_t ky = 0; ky < a->kh; ky++) {
                const float* row = buf + (oy * a->strides[0] + ky * a->dilations[0]) * rowlen;
                for (size_t kx = 0; kx < a->kw; kx++) {
                    size_t c = kx * a->dilations[1];
                    src[ky * a->kw + kx] = row + (c % sw) * pw + c / sw;
                }
            }
            j->taps(out + oy * r->OW, src, r->w + co * taps, taps, r->bias[co], r->OW);
        }
    }
    free(buf);
    free(src);
}

static void dw_nhwc(void* ctx, size_t begin, size_t end) {
    DwJob* j = ctx;
    const WnnConvRun* r = j->r;
    const WnnConvAttrs* a = &r->p->a;
    size_t C = a->cout, m = r->p->coutg;
    for (size_t row = begin; row < end; row++) {
        size_t n = row / r->OH, oy = row % r->OH;
        for (size_t ox = 0; ox < r->OW; ox++) {
            float* o = r->y + (row * r->OW + ox) * C;
            memcpy(o, r->bias, sizeof(float) * C);
            for (size_t ky = 0; ky < a->kh; ky++) {
                long iy = (long)(oy * a->strides[0] + ky * a->dilations[0]) - (long)a->pad[0];
                if (iy < 0 || iy >= (long)r->H) continue;
                for (size_t kx = 0; kx < a->kw; kx++) {
                    long ix = (long)(ox * a->strides[1] + kx * a->dilations[1]) - (long)a->pad[2];
                    if (ix < 0 || ix >= (long)r->W) continue;
                    const float* ip = r->x + ((n * r->H + (size_t)iy) * r->W + (size_t)ix) * a->cin;
                    const float* wp = r->w + (ky * a->kw + kx) * C;
                    if (m == 1)
                        j->vmul(o, ip, wp, C);
                    else
                        for (size_t c = 0; c < C; c++) o[c] += ip[c / m] * wp[c];
                }
            }
        }
    }
}

WNNStatus wnn_conv_depthwise(const WnnConvRun* r) {
    DwJob j = {r, taps_generic, vmul_generic, 0};
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        j.taps = taps_avx2;
        j.vmul = vmul_avx2;
    }
#endif
    if (r->p->a.nhwc)
        wnn_parallel_for(r->pool, r->N * r->OH, 1, dw_nhwc, &j);
    else
        wnn_parallel_for(r->pool, r->N * r->p->a.cout, 1, dw_nchw, &j);
    return j.oom ? WNNStatus_OutOfMemory : WNNStatus_Success;
}
