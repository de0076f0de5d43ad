/* k_conv.c: conv2d and convTranspose2d on the CPU. Both work in float32 NHWC: inputs in another
 * layout or in float16 are converted once, the filter is packed per group as a K x Cout matrix
 * (K = kh*kw*cin/groups, columns padded to a multiple of 8 for the vector kernel), and the product
 * runs through sgemm. conv2d forms im2col rows strip by strip (64 output pixels at a time, on the
 * thread pool); convTranspose2d multiplies then scatters (col2im). */
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/sgemm.h"
#include "graph/ops/conv.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])
#define STRIP 64

/* dst[n][h][w][c] (float) from src in NCHW or NHWC, float32 or float16. */
static float* to_nhwc_f32(const WnnCpuTensor* t, int nhwc, int* owned) {
    const WnnDesc* d = t->desc;
    if (nhwc && d->type == WNNOperandDataType_Float32) {
        *owned = 0;
        return t->data;
    }
    size_t n = d->shape[0], c = nhwc ? d->shape[3] : d->shape[1], h = nhwc ? d->shape[1] : d->shape[2],
           w = nhwc ? d->shape[2] : d->shape[3];
    float* out = malloc(sizeof(float) * n * c * h * w + 1);
    if (!out) return NULL;
    *owned = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t y = 0; y < h; y++)
            for (size_t x = 0; x < w; x++)
                for (size_t ch = 0; ch < c; ch++) {
                    size_t src = nhwc ? ((i * h + y) * w + x) * c + ch : ((i * c + ch) * h + y) * w + x;
                    out[((i * h + y) * w + x) * c + ch] = (float)wnn_load_f64(t->data, d->type, src);
                }
    return out;
}

/* Writes one output value (float) at NHWC coordinates into the output in its layout and type. */
static inline void put(const WnnCpuTensor* o, int nhwc, size_t n, size_t y, size_t x, size_t c, float v) {
    const WnnDesc* d = o->desc;
    size_t H = nhwc ? d->shape[1] : d->shape[2], W = nhwc ? d->shape[2] : d->shape[3], C = nhwc ? d->shape[3] : d->shape[1];
    size_t i = nhwc ? ((n * H + y) * W + x) * C + c : ((n * C + c) * H + y) * W + x;
    if (d->type == WNNOperandDataType_Float32) ((float*)o->data)[i] = v;
    else ((uint16_t*)o->data)[i] = wnn_float_to_half(v);
}

static float bias_of(const WnnCpuTensor* b, size_t c) {
    return b->data ? (float)wnn_load_f64(b->data, b->desc->type, c) : 0.0f;
}

/* Filter value for (output channel o within all, input channel i within group, ky, kx). */
static float filter_at(const WnnCpuTensor* f, const WnnConvAttrs* a, size_t o, size_t i, size_t ky, size_t kx) {
    const WnnDesc* d = f->desc;
    size_t idx[4];
    idx[a->fo] = o;
    idx[a->fi] = i;
    idx[a->fh] = ky;
    idx[a->fw] = kx;
    size_t off = ((idx[0] * d->shape[1] + idx[1]) * d->shape[2] + idx[2]) * d->shape[3] + idx[3];
    return (float)wnn_load_f64(f->data, d->type, off);
}

typedef struct ConvJob {
    const WnnCpuKernelArgs* args;
    const WnnConvAttrs* a;
    const float* x; /* NHWC input */
    const float* w; /* [groups][K][ldw] */
    size_t N, H, W, OH, OW, cing, coutg, K, ldw, rows, strips;
    int direct;  /* 1x1, stride 1, no padding, one group: the input rows are the im2col rows */
    WNNStatus status;
} ConvJob;

static void conv_strips(void* p, size_t begin, size_t end) {
    ConvJob* j = p;
    const WnnConvAttrs* a = j->a;
    float* col = j->direct ? NULL : malloc(sizeof(float) * STRIP * j->K + 1);
    float* acc = malloc(sizeof(float) * STRIP * j->ldw + 1);
    if ((!j->direct && !col) || !acc) {
        j->status = WNNStatus_OutOfMemory;
        free(col);
        free(acc);
        return;
    }
    for (size_t task = begin; task < end; task++) {
        size_t g = task / j->strips, r0 = (task % j->strips) * STRIP;
        size_t rows = j->rows - r0 < STRIP ? j->rows - r0 : STRIP;
        const float* A;
        size_t lda;
        if (j->direct) {
            A = j->x + r0 * j->cing;
            lda = j->cing;
        } else {
            for (size_t r = 0; r < rows; r++) {
                size_t pix = r0 + r, n = pix / (j->OH * j->OW), oy = pix / j->OW % j->OH, ox = pix % j->OW;
                float* dst = col + r * j->K;
                for (size_t ky = 0; ky < a->kh; ky++) {
                    long iy = (long)(oy * a->strides[0] + ky * a->dilations[0]) - (long)a->pad[0];
                    for (size_t kx = 0; kx < a->kw; kx++, dst += j->cing) {
                        long ix = (long)(ox * a->strides[1] + kx * a->dilations[1]) - (long)a->pad[2];
                        if (iy < 0 || iy >= (long)j->H || ix < 0 || ix >= (long)j->W)
                            memset(dst, 0, sizeof(float) * j->cing);
                        else
                            memcpy(dst, j->x + ((n * j->H + (size_t)iy) * j->W + (size_t)ix) * a->cin + g * j->cing,
                                   sizeof(float) * j->cing);
                    }
                }
            }
            A = col;
            lda = j->K;
        }
        wnn_sgemm_serial(rows, j->ldw, j->K, A, lda, j->w + g * j->K * j->ldw, j->ldw, acc, j->ldw);
        for (size_t r = 0; r < rows; r++) {
            size_t pix = r0 + r, n = pix / (j->OH * j->OW), oy = pix / j->OW % j->OH, ox = pix % j->OW;
            for (size_t c = 0; c < j->coutg; c++) {
                size_t co = g * j->coutg + c;
                put(&j->args->outputs[0], a->nhwc, n, oy, ox, co, acc[r * j->ldw + c] + bias_of(&j->args->inputs[2], co));
            }
        }
    }
    free(col);
    free(acc);
}

WNNStatus wnn_cpu_conv2d(const WnnCpuKernelArgs* args) {
    const WnnConvAttrs* a = args->node->attrs;
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    ConvJob j;
    memset(&j, 0, sizeof j);
    j.args = args;
    j.a = a;
    j.N = in->shape[0];
    j.H = in->shape[a->nhwc ? 1 : 2];
    j.W = in->shape[a->nhwc ? 2 : 3];
    j.OH = out->shape[a->nhwc ? 1 : 2];
    j.OW = out->shape[a->nhwc ? 2 : 3];
    j.cing = a->cin / a->groups;
    j.coutg = a->cout / a->groups;
    j.K = a->kh * a->kw * j.cing;
    j.ldw = (j.coutg + 7) & ~(size_t)7;
    j.rows = j.N * j.OH * j.OW;
    j.strips = (j.rows + STRIP - 1) / STRIP;
    j.direct = a->kh == 1 && a->kw == 1 && a->strides[0] == 1 && a->strides[1] == 1 && a->groups == 1 &&
               !a->pad[0] && !a->pad[1] && !a->pad[2] && !a->pad[3];
    int owned = 0;
    float* x = to_nhwc_f32(&IN(0), a->nhwc, &owned);
    float* w = calloc(a->groups * j.K * j.ldw + 1, sizeof(float));
    if (!x || !w) {
        if (owned) free(x);
        free(w);
        return wnn_error(WNNStatus_OutOfMemory, "conv2d: out of memory");
    }
    /* Pack: w[g][(ky*kw + kx)*cing + ci][co] */
    for (size_t g = 0; g < a->groups; g++)
        for (size_t ky = 0; ky < a->kh; ky++)
            for (size_t kx = 0; kx < a->kw; kx++)
                for (size_t ci = 0; ci < j.cing; ci++)
                    for (size_t c = 0; c < j.coutg; c++)
                        w[(g * j.K + (ky * a->kw + kx) * j.cing + ci) * j.ldw + c] =
                            filter_at(&IN(1), a, g * j.coutg + c, ci, ky, kx);
    j.x = x;
    j.w = w;
    wnn_parallel_for(args->pool, a->groups * j.strips, 1, conv_strips, &j);
    if (owned) free(x);
    free(w);
    if (j.status) return wnn_error(j.status, "conv2d: out of memory");
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_convTranspose2d(const WnnCpuKernelArgs* args) {
    const WnnConvAttrs* a = args->node->attrs;
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    size_t N = in->shape[0], H = in->shape[a->nhwc ? 1 : 2], W = in->shape[a->nhwc ? 2 : 3];
    size_t OH = out->shape[a->nhwc ? 1 : 2], OW = out->shape[a->nhwc ? 2 : 3];
    size_t cing = a->cin / a->groups, coutg = a->cout / a->groups, cols = a->kh * a->kw * coutg;
    size_t rows = N * H * W;
    int owned = 0;
    float* x = to_nhwc_f32(&IN(0), a->nhwc, &owned);
    float* xg = malloc(sizeof(float) * rows * cing + 1);
    float* w = malloc(sizeof(float) * cing * cols + 1);
    float* prod = malloc(sizeof(float) * rows * cols + 1);
    float* acc = calloc(N * OH * OW * a->cout + 1, sizeof(float));
    WNNStatus s = WNNStatus_Success;
    if (!x || !xg || !w || !prod || !acc) {
        s = wnn_error(WNNStatus_OutOfMemory, "convTranspose2d: out of memory");
        goto done;
    }
    for (size_t g = 0; g < a->groups; g++) {
        /* xg = this group's input channels; w[ci][(ky*kw + kx)*coutg + c] */
        for (size_t r = 0; r < rows; r++) memcpy(xg + r * cing, x + r * a->cin + g * cing, sizeof(float) * cing);
        for (size_t ci = 0; ci < cing; ci++)
            for (size_t ky = 0; ky < a->kh; ky++)
                for (size_t kx = 0; kx < a->kw; kx++)
                    for (size_t c = 0; c < coutg; c++)
                        w[ci * cols + (ky * a->kw + kx) * coutg + c] = filter_at(&IN(1), a, c, g * cing + ci, ky, kx);
        wnn_sgemm(rows, cols, cing, xg, cing, w, cols, prod, cols, args->pool);
        for (size_t r = 0; r < rows; r++) {
            size_t n = r / (H * W), iy = r / W % H, ix = r % W;
            for (size_t ky = 0; ky < a->kh; ky++) {
                long oy = (long)(iy * a->strides[0] + ky * a->dilations[0]) - (long)a->pad[0];
                if (oy < 0 || oy >= (long)OH) continue;
                for (size_t kx = 0; kx < a->kw; kx++) {
                    long ox = (long)(ix * a->strides[1] + kx * a->dilations[1]) - (long)a->pad[2];
                    if (ox < 0 || ox >= (long)OW) continue;
                    const float* src = prod + r * cols + (ky * a->kw + kx) * coutg;
                    float* dst = acc + ((n * OH + (size_t)oy) * OW + (size_t)ox) * a->cout + g * coutg;
                    for (size_t c = 0; c < coutg; c++) dst[c] += src[c];
                }
            }
        }
    }
    for (size_t n = 0; n < N; n++)
        for (size_t y = 0; y < OH; y++)
            for (size_t xx = 0; xx < OW; xx++)
                for (size_t c = 0; c < a->cout; c++)
                    put(&OUT(0), a->nhwc, n, y, xx, c, acc[((n * OH + y) * OW + xx) * a->cout + c] + bias_of(&IN(2), c));
done:
    if (owned) free(x);
    free(xg);
    free(w);
    free(prod);
    free(acc);
    return s;
}
