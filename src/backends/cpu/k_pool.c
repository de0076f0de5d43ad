/* k_pool.c: averagePool2d, l2Pool2d, maxPool2d and resample2d on the CPU. Windows skip padding
 * (the average divides by the number of input elements the window covers). */
#include <math.h>
#include <string.h>

#include "backends/cpu/cpu_kernels.h"
#include "graph/ops/conv.h"

#define IN(k) (args->inputs[k])
#define OUT(k) (args->outputs[k])

typedef enum { P_AVG, P_L2, P_MAX } PoolKind;

typedef struct Geometry {
    size_t N, C, H, W, OH, OW;
    int nhwc;
} Geometry;

static Geometry geometry(const WnnDesc* in, const WnnDesc* out, int nhwc) {
    Geometry g = {in->shape[0], in->shape[nhwc ? 3 : 1], in->shape[nhwc ? 1 : 2], in->shape[nhwc ? 2 : 3],
                  out->shape[nhwc ? 1 : 2], out->shape[nhwc ? 2 : 3], nhwc};
    return g;
}

static size_t at(const Geometry* g, size_t n, size_t c, size_t y, size_t x, size_t H, size_t W) {
    return g->nhwc ? ((n * H + y) * W + x) * g->C + c : ((n * g->C + c) * H + y) * W + x;
}

typedef struct PoolJob {
    const WnnCpuKernelArgs* args;
    PoolKind kind;
    Geometry g;
} PoolJob;

/* Pools the (n, c) planes [begin, end): each task owns whole output planes. */
static void pool_planes(void* p, size_t begin, size_t end) {
    const PoolJob* j = p;
    const WnnCpuKernelArgs* args = j->args;
    const WnnPoolAttrs* a = args->node->attrs;
    const WnnDesc* in = IN(0).desc;
    const Geometry g = j->g;
    PoolKind kind = j->kind;
    int isFloat = wnn_type_is_float(in->type), isU64 = in->type == WNNOperandDataType_Uint64;
    for (size_t plane = begin; plane < end; plane++) {
        size_t n = plane / g.C, c = plane % g.C;
        for (size_t oy = 0; oy < g.OH; oy++)
            for (size_t ox = 0; ox < g.OW; ox++) {
                double sum = 0, best = -INFINITY;
                int64_t ibest = INT64_MIN;
                uint64_t ubest = 0;
                size_t count = 0;
                for (size_t ky = 0; ky < a->window[0]; ky++) {
                    long iy = (long)(oy * a->strides[0] + ky * a->dilations[0]) - (long)a->pad[0];
                    if (iy < 0 || iy >= (long)g.H) continue;
                    for (size_t kx = 0; kx < a->window[1]; kx++) {
                        long ix = (long)(ox * a->strides[1] + kx * a->dilations[1]) - (long)a->pad[2];
                        if (ix < 0 || ix >= (long)g.W) continue;
                        size_t i = at(&g, n, c, (size_t)iy, (size_t)ix, g.H, g.W);
                        count++;
                        if (kind == P_MAX && !isFloat) {
                            int64_t v = wnn_load_i64(IN(0).data, in->type, i);
                            uint64_t u = wnn_load_u64(IN(0).data, in->type, i);
                            if (v > ibest) ibest = v;
                            if (u > ubest) ubest = u;
                            continue;
                        }
                        double v = wnn_load_f64(IN(0).data, in->type, i);
                        if (kind == P_MAX) best = isnan(v) || isnan(best) ? NAN : fmax(best, v);
                        else sum += kind == P_L2 ? v * v : v;
                    }
                }
                size_t o = at(&g, n, c, oy, ox, g.OH, g.OW);
                if (kind == P_MAX && !isFloat) {
                    if (isU64) wnn_store_u64(OUT(0).data, in->type, o, ubest);
                    else wnn_store_i64(OUT(0).data, in->type, o, count ? ibest : 0);
                } else {
                    double v = kind == P_MAX ? best : kind == P_L2 ? sqrt(sum) : count ? sum / (double)count : 0;
                    wnn_store_f64(OUT(0).data, in->type, o, v);
                }
            }
    }
}

static WNNStatus pool(const WnnCpuKernelArgs* args, PoolKind kind) {
    const WnnPoolAttrs* a = args->node->attrs;
    PoolJob j = {args, kind, geometry(IN(0).desc, OUT(0).desc, a->nhwc)};
    size_t work = j.g.OH * j.g.OW * a->window[0] * a->window[1];
    wnn_parallel_for(args->pool, j.g.N * j.g.C, 65536 / (work + 1) + 1, pool_planes, &j);
    return WNNStatus_Success;
}

WNNStatus wnn_cpu_averagePool2d(const WnnCpuKernelArgs* args) { return pool(args, P_AVG); }
WNNStatus wnn_cpu_l2Pool2d(const WnnCpuKernelArgs* args) { return pool(args, P_L2); }
WNNStatus wnn_cpu_maxPool2d(const WnnCpuKernelArgs* args) { return pool(args, P_MAX); }

/* Source coordinate of output index o along an axis (half-pixel mapping), clamped into range. */
static double source_coord(size_t o, uint32_t inSize, uint32_t outSize) {
    double scale = (double)outSize / inSize, x = ((double)o + 0.5) / scale - 0.5;
    return x < 0 ? 0 : x > inSize - 1 ? inSize - 1 : x;
}

WNNStatus wnn_cpu_resample2d(const WnnCpuKernelArgs* args) {
    const WnnResampleAttrs* a = args->node->attrs;
    const WnnDesc *in = IN(0).desc, *out = OUT(0).desc;
    uint32_t ax0 = a->axes[0], ax1 = a->axes[1];
    size_t total = (size_t)wnn_desc_numel(out);
    size_t inStride[4], s = 1;
    for (int d = 3; d >= 0; d--) {
        inStride[d] = s;
        s *= in->shape[d];
    }
    uint32_t c[4] = {0, 0, 0, 0};
    for (size_t o = 0; o < total; o++) {
        size_t base = 0;
        for (int d = 0; d < 4; d++)
            if ((uint32_t)d != ax0 && (uint32_t)d != ax1) base += c[d] * inStride[d];
        double y = source_coord(c[ax0], in->shape[ax0], out->shape[ax0]);
        double x = source_coord(c[ax1], in->shape[ax1], out->shape[ax1]);
        double v;
        if (!a->linear) {
            /* nearest: round half down, the spec's ceil(x - 0.5) */
            size_t iy = (size_t)ceil(y - 0.5), ix = (size_t)ceil(x - 0.5);
            v = wnn_load_f64(IN(0).data, in->type, base + iy * inStride[ax0] + ix * inStride[ax1]);
        } else {
            size_t y0 = (size_t)floor(y), x0 = (size_t)floor(x);
            size_t y1 = y0 + 1 < in->shape[ax0] ? y0 + 1 : y0, x1 = x0 + 1 < in->shape[ax1] ? x0 + 1 : x0;
            double fy = y - (double)y0, fx = x - (double)x0;
#define V(yy, xx) wnn_load_f64(IN(0).data, in->type, base + (yy) * inStride[ax0] + (xx) * inStride[ax1])
            v = (1 - fy) * ((1 - fx) * V(y0, x0) + fx * V(y0, x1)) + fy * ((1 - fx) * V(y1, x0) + fx * V(y1, x1));
#undef V
        }
        wnn_store_f64(OUT(0).data, out->type, o, v);
        for (int d = 3; d >= 0; d--) {
            if (++c[d] < out->shape[d]) break;
            c[d] = 0;
        }
    }
    return WNNStatus_Success;
}
