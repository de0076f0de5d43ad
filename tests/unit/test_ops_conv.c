/* test_ops_conv.c: conv2d and convTranspose2d on random shapes in every layout against a direct
 * float64 reference, float16, matmul with broadcast batches, gemm with transposes, l2Pool2d and
 * resample2d (no W3C data), and the validation rules. */
#include <math.h>
#include <stdlib.h>

#include "wt.h"

/* Logical index (n, c, y, x) in NCHW or NHWC. */
static size_t act_at(int nhwc, const uint32_t* d, size_t n, size_t c, size_t y, size_t x) {
    return nhwc ? ((n * d[1] + y) * d[2] + x) * d[3] + c : ((n * d[1] + c) * d[2] + y) * d[3] + x;
}

/* Filter index of (o, i, ky, kx) given where each lives (dims order fo, fi, fh, fw). */
static size_t filt_at(const uint32_t* shape, const int* pos, size_t o, size_t i, size_t ky, size_t kx) {
    size_t idx[4];
    idx[pos[0]] = o;
    idx[pos[1]] = i;
    idx[pos[2]] = ky;
    idx[pos[3]] = kx;
    return ((idx[0] * shape[1] + idx[1]) * shape[2] + idx[2]) * shape[3] + idx[3];
}

/* One conv2d case: the filter constant (packed once at build) or a graph input (packed per
 * dispatch), the bias constant, absent or a graph input. */
typedef struct ConvCase {
    int nhwc, layout, f16, filterInput, biasMode; /* layout: oihw hwio ohwi ihwo; biasMode: 0 const, 1 none, 2 input */
    uint32_t groups, cinG, coutG, N, H, W, kh, kw, sh, sw, dh, dw, pad[4];
} ConvCase;

static void check_conv2d(const char* name, const ConvCase* c, uint64_t* seed) {
    static const int pos[4][4] = {{0, 1, 2, 3}, {3, 2, 0, 1}, {0, 3, 1, 2}, {3, 0, 1, 2}}; /* oihw hwio ohwi ihwo */
    int nhwc = c->nhwc, f16 = c->f16;
    uint32_t groups = c->groups, cinG = c->cinG, coutG = c->coutG, N = c->N, H = c->H, W = c->W, kh = c->kh, kw = c->kw;
    uint32_t sh = c->sh, sw = c->sw, dh = c->dh, dw = c->dw;
    const uint32_t* pad = c->pad;
    uint32_t cin = cinG * groups, cout = coutG * groups;
    uint32_t OH = (H + pad[0] + pad[1] - ((kh - 1) * dh + 1)) / sh + 1, OW = (W + pad[2] + pad[3] - ((kw - 1) * dw + 1)) / sw + 1;
    uint32_t xs[4] = {N, nhwc ? H : cin, nhwc ? W : H, nhwc ? cin : W};
    uint32_t logical[4] = {cout, cinG, kh, kw}, fs[4];
    for (int k = 0; k < 4; k++) fs[pos[c->layout][k]] = logical[k];
    uint32_t ys[4] = {N, nhwc ? OH : cout, nhwc ? OW : OH, nhwc ? cout : OW};
    size_t nx = (size_t)N * cin * H * W, nf = (size_t)cout * cinG * kh * kw, ny = (size_t)N * cout * OH * OW;
    float *x = malloc(4 * nx), *f = malloc(4 * nf), *y = malloc(4 * ny), *bias = malloc(4 * cout);
    uint16_t *xh = malloc(2 * nx), *fh = malloc(2 * nf), *yh = malloc(2 * ny), *biash = malloc(2 * cout);
    double* want = malloc(8 * ny);
    for (size_t i = 0; i < nx; i++) { x[i] = (float)wt_rand(seed, -1, 1); xh[i] = wt_f2h(x[i]); if (f16) x[i] = wt_h2f(xh[i]); }
    for (size_t i = 0; i < nf; i++) { f[i] = (float)wt_rand(seed, -1, 1); fh[i] = wt_f2h(f[i]); if (f16) f[i] = wt_h2f(fh[i]); }
    for (uint32_t i = 0; i < cout; i++) {
        bias[i] = c->biasMode == 1 ? 0.0f : (float)wt_rand(seed, -1, 1);
        biash[i] = wt_f2h(bias[i]);
        if (f16) bias[i] = wt_h2f(biash[i]);
    }
    for (size_t n = 0; n < N; n++)
        for (size_t o = 0; o < cout; o++)
            for (size_t oy = 0; oy < OH; oy++)
                for (size_t ox = 0; ox < OW; ox++) {
                    double s = bias[o];
                    size_t g = o / coutG;
                    for (size_t i = 0; i < cinG; i++)
                        for (size_t ky = 0; ky < kh; ky++)
                            for (size_t kx = 0; kx < kw; kx++) {
                                long iy = (long)(oy * sh + ky * dh) - (long)pad[0], ix = (long)(ox * sw + kx * dw) - (long)pad[2];
                                if (iy < 0 || iy >= (long)H || ix < 0 || ix >= (long)W) continue;
                                s += (double)x[act_at(nhwc, xs, n, g * cinG + i, (size_t)iy, (size_t)ix)] *
                                     f[filt_at(fs, pos[c->layout], o, i, ky, kx)];
                            }
                    want[act_at(nhwc, ys, n, o, oy, ox)] = s;
                }
    WNNOperandDataType t = f16 ? WNNOperandDataType_Float16 : WNNOperandDataType_Float32;
    WNNGraphBuilder b = wt_builder();
    void *fdata = f16 ? (void*)fh : (void*)f, *bdata = f16 ? (void*)biash : (void*)bias;
    WNNOperand in = wt_input(b, "x", t, 4, xs), out;
    WNNOperand w = c->filterInput ? wt_input(b, "w", t, 4, fs) : wt_constant(b, t, 4, fs, fdata);
    uint32_t bs[1] = {cout};
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
    uint32_t strides[2] = {sh, sw}, dil[2] = {dh, dw}, padv[4] = {pad[0], pad[1], pad[2], pad[3]};
    o.padding = padv; o.paddingCount = 4;
    o.strides = strides; o.stridesCount = 2;
    o.dilations = dil; o.dilationsCount = 2;
    o.groups = wnnSomeUint32(groups);
    o.inputLayout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
    o.filterLayout = (WNNConv2dFilterOperandLayout)(c->layout + 1);
    if (c->biasMode == 0) o.bias = wt_constant(b, t, 1, bs, bdata);
    if (c->biasMode == 2) o.bias = wt_input(b, "b", t, 1, bs);
    WT_OK(wnnGraphBuilderConv2d(b, in, w, &o, &out));
    WtFeed feeds[3] = {{"x", f16 ? (void*)xh : (void*)x}};
    size_t nfeeds = 1;
    if (c->filterInput) feeds[nfeeds++] = (WtFeed){"w", fdata};
    if (c->biasMode == 2) feeds[nfeeds++] = (WtFeed){"b", bdata};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* data[1] = {f16 ? (void*)yh : (void*)y};
    WT_OK(wt_run(wt_cpu(), b, feeds, nfeeds, outs, 1, data));
    /* Random signs cancel, so compare absolutely: |error| <= K * eps * sum|x*w| with |x|,|w| <= 1. */
    double k = kh * kw * cinG + 1;
    if (f16)
        for (size_t i = 0; i < ny; i++) y[i] = wt_h2f(yh[i]);
    char what[200];
    snprintf(what, sizeof what, "%s %s nhwc %d layout %d groups %u cinG %u coutG %u k %ux%u stride %u %u dil %u %u pad %u %u %u %u filter %s bias %d",
             name, f16 ? "f16" : "f32", nhwc, c->layout, groups, cinG, coutG, kh, kw, sh, sw, dh, dw, pad[0], pad[1], pad[2], pad[3],
             c->filterInput ? "input" : "const", c->biasMode);
    wt_expect_f32_atol(what, y, want, ny, k * (f16 ? 2e-3 : 2.4e-7));
    free(x); free(f); free(y); free(bias); free(xh); free(fh); free(yh); free(biash); free(want);
    wnnGraphBuilderRelease(b);
}

static void test_conv2d_random(void) {
    uint64_t seed = 11;
    for (int rep = 0; rep < 24; rep++) {
        ConvCase c = {0};
        c.nhwc = rep & 1; c.layout = (rep >> 1) % 4; c.f16 = rep % 5 == 4;
        c.groups = 1 + (uint32_t)(wt_next(&seed) % 3); c.cinG = 1 + (uint32_t)(wt_next(&seed) % 3);
        c.coutG = 1 + (uint32_t)(wt_next(&seed) % 3);
        if (rep % 6 == 5) { c.cinG = 1; c.coutG = 1; c.groups = 4; } /* depthwise */
        c.N = 1 + (uint32_t)(wt_next(&seed) % 2); c.H = 5 + (uint32_t)(wt_next(&seed) % 4); c.W = 5 + (uint32_t)(wt_next(&seed) % 4);
        c.kh = 1 + (uint32_t)(wt_next(&seed) % 3); c.kw = 1 + (uint32_t)(wt_next(&seed) % 3);
        c.sh = 1 + (uint32_t)(wt_next(&seed) % 2); c.sw = 1 + (uint32_t)(wt_next(&seed) % 2); c.dh = 1 + rep % 2; c.dw = 1;
        c.pad[0] = (uint32_t)(wt_next(&seed) % 2); c.pad[1] = (uint32_t)(wt_next(&seed) % 2); c.pad[2] = 1; c.pad[3] = 0;
        c.filterInput = rep % 7 == 3; c.biasMode = rep % 4 == 2 ? 1 : 0;
        check_conv2d("conv2d", &c, &seed);
    }
}

/* The direct depthwise kernel (groups == input channels): channel multipliers 1-3, strides 1-3,
 * dilations 1-2, asymmetric padding wider than the filter reach, both layouts, every filter layout,
 * float16, the filter and bias constant (prepared at build) or graph inputs; rows wider than a vector. */
static void test_conv2d_depthwise(void) {
    uint64_t seed = 23;
    for (int rep = 0; rep < 40; rep++) {
        ConvCase c = {0};
        c.nhwc = rep & 1; c.layout = (rep >> 1) % 4; c.f16 = rep % 5 == 3;
        c.groups = 1 + (uint32_t)(wt_next(&seed) % 11); c.cinG = 1; c.coutG = 1 + (uint32_t)(rep / 3 % 3);
        c.N = 1 + (uint32_t)(rep % 7 == 0); c.H = 3 + (uint32_t)(wt_next(&seed) % 20); c.W = 3 + (uint32_t)(wt_next(&seed) % 24);
        c.kh = 1 + (uint32_t)(wt_next(&seed) % 3); c.kw = 1 + (uint32_t)(wt_next(&seed) % 4);
        c.sh = 1 + (uint32_t)(wt_next(&seed) % 3); c.sw = 1 + (uint32_t)(rep / 2 % 3);
        c.dh = 1 + (uint32_t)(rep % 3 == 1); c.dw = 1 + (uint32_t)(rep % 4 == 2);
        for (int i = 0; i < 4; i++) c.pad[i] = (uint32_t)(wt_next(&seed) % 4);
        if ((c.kh - 1) * c.dh + 1 > c.H + c.pad[0] + c.pad[1]) c.dh = 1;
        if ((c.kw - 1) * c.dw + 1 > c.W + c.pad[2] + c.pad[3]) c.dw = 1;
        c.filterInput = rep % 3 == 2; c.biasMode = rep % 5 == 1 ? 1 : rep % 5 == 4 ? 2 : 0;
        check_conv2d("conv2d depthwise", &c, &seed);
    }
}

/* The GEMM kernels with a constant filter (packed at build) and with the filter and bias as graph
 * inputs, same shapes: NCHW (cout x pixels, 1x1 read in place, strips and channel blocks) and NHWC. */
static void test_conv2d_gemm_paths(void) {
    uint64_t seed = 31;
    static const uint32_t shapes[][7] = {
        /* groups cinG coutG H W k stride */
        {1, 7, 40, 13, 11, 1, 1}, /* 1x1 stride 1: NCHW reads x directly; 143 pixels = 2 strips */
        {1, 5, 70, 6, 5, 1, 2},   /* 1x1 stride 2: im2col; few pixels: channel blocks split */
        {1, 9, 19, 17, 12, 3, 1}, /* 3x3 */
        {2, 3, 18, 9, 14, 3, 2},  /* grouped 3x3 stride 2 */
        {3, 2, 1, 12, 12, 2, 1},  /* grouped, one output channel per group */
    };
    for (int rep = 0; rep < 20; rep++) {
        const uint32_t* s = shapes[rep / 4];
        ConvCase c = {0};
        c.nhwc = rep & 1; c.filterInput = rep >> 1 & 1; c.biasMode = c.filterInput ? 2 : 0;
        c.layout = rep % 4; c.f16 = rep % 7 == 6;
        c.groups = s[0]; c.cinG = s[1]; c.coutG = s[2]; c.N = 1 + (uint32_t)(rep % 3 == 0); c.H = s[3]; c.W = s[4];
        c.kh = c.kw = s[5]; c.sh = c.sw = s[6]; c.dh = c.dw = 1;
        if (s[5] > 1) { c.pad[0] = 1; c.pad[1] = 0; c.pad[2] = 1; c.pad[3] = 2; }
        check_conv2d("conv2d gemm", &c, &seed);
    }
}

/* float16 convolutions whose channel counts are not multiples of 8 (13 -> 21, 100 -> 100 as in
 * seed_conv) and aligned ones (16 -> 24), both layouts, batch 2, bias constant, a graph input or
 * none: on a GPU these may take the padded path (channels padded to 8, nhwc inside; forced with
 * WNN_CUDA_CONV=padded), whose repacking must drop nothing and add nothing. */
static void test_conv2d_unaligned_channels(void) {
    uint64_t seed = 41;
    static const uint32_t channels[][2] = {{13, 21}, {100, 100}, {16, 24}};
    for (int rep = 0; rep < 12; rep++) {
        ConvCase c = {0};
        c.f16 = 1; c.nhwc = rep & 1; c.layout = rep / 2 % 4; c.biasMode = rep / 4 % 3;
        c.groups = 1; c.cinG = channels[rep % 3][0]; c.coutG = channels[rep % 3][1];
        c.N = 1 + (uint32_t)(rep % 4 < 2); c.H = 9; c.W = 7 + (uint32_t)(rep % 2);
        c.kh = c.kw = 3; c.sh = c.sw = 1; c.dh = c.dw = 1;
        c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
        check_conv2d("conv2d unaligned channels", &c, &seed);
    }
}

/* float32 3x3 stride-1 convolutions with many input channels, where the error bound K eps sum|x w|
 * is widest and a Winograd path's rounding is nearest it (WNN_CPU_CONV=winograd / winograd-nhwc:
 * F(4x4, 3x3) on the NHWC transforms, winograd_f4.h); outputs of 12 x 10 leave partial tiles. */
static void test_conv2d_wide_f32(void) {
    uint64_t seed = 43;
    static const uint32_t channels[][2] = {{64, 40}, {100, 100}, {256, 16}};
    for (int rep = 0; rep < 6; rep++) {
        ConvCase c = {0};
        c.nhwc = rep & 1; c.layout = rep % 4; c.biasMode = rep % 3 == 2 ? 1 : 0;
        c.groups = 1; c.cinG = channels[rep / 2][0]; c.coutG = channels[rep / 2][1];
        c.N = 1; c.H = 12; c.W = 10;
        c.kh = c.kw = 3; c.sh = c.sw = 1; c.dh = c.dw = 1;
        c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
        check_conv2d("conv2d wide channels", &c, &seed);
    }
}

/* convTranspose2d in every filter layout (iohw hwoi ohwi) and input layout, with groups, strides,
 * dilations, asymmetric padding, outputPadding or outputSizes, a bias, the filter a constant or a
 * graph input, in float32 and float16, against a float64 scatter: y[oy] += x[iy] * w[ky] where
 * oy = iy * stride + ky * dilation - padBegin. (cuDNN pads both sides alike: the GPU crops a larger
 * result when padEnd differs beyond what outputPadding makes up for.) */
static void test_conv_transpose_random(void) {
    static const int pos[3][4] = {{1, 0, 2, 3}, {2, 3, 0, 1}, {0, 3, 1, 2}}; /* where o, i, h, w live */
    uint64_t seed = 5;
    for (int rep = 0; rep < 48; rep++) {
        int nhwc = rep & 1, layout = rep / 2 % 3, f16 = rep % 4 == 3, constFilter = rep % 5 != 4, sizes = rep % 3 == 1;
        uint32_t groups = 1 + (uint32_t)(wt_next(&seed) % 3), cinG = 1 + (uint32_t)(wt_next(&seed) % 3),
                 coutG = 1 + (uint32_t)(wt_next(&seed) % 3);
        uint32_t N = 1 + (uint32_t)(wt_next(&seed) % 2), H = 2 + (uint32_t)(wt_next(&seed) % 3), W = 2 + (uint32_t)(wt_next(&seed) % 3);
        uint32_t kh = 1 + (uint32_t)(wt_next(&seed) % 3), kw = 1 + (uint32_t)(wt_next(&seed) % 3);
        uint32_t st[2] = {1 + (uint32_t)(wt_next(&seed) % 3), 1 + (uint32_t)(wt_next(&seed) % 3)}, dil[2] = {1 + rep / 6 % 2, 1};
        uint32_t pad[4], outPad[2] = {(uint32_t)(wt_next(&seed) % st[0]), (uint32_t)(wt_next(&seed) % st[1])};
        for (int i = 0; i < 4; i++) pad[i] = (uint32_t)(wt_next(&seed) % 3);
        int64_t calcH = (int64_t)(H - 1) * st[0] + (kh - 1) * dil[0] + 1 - pad[0] - pad[1],
                calcW = (int64_t)(W - 1) * st[1] + (kw - 1) * dil[1] + 1 - pad[2] - pad[3];
        if (calcH < 1) { /* more padding than output: none in that dimension */
            calcH += pad[0] + pad[1];
            pad[0] = pad[1] = 0;
        }
        if (calcW < 1) {
            calcW += pad[2] + pad[3];
            pad[2] = pad[3] = 0;
        }
        uint32_t cin = cinG * groups, cout = coutG * groups, OH = (uint32_t)calcH + outPad[0], OW = (uint32_t)calcW + outPad[1];
        uint32_t xs[4] = {N, nhwc ? H : cin, nhwc ? W : H, nhwc ? cin : W}, logical[4] = {coutG, cin, kh, kw}, fs[4];
        for (int k = 0; k < 4; k++) fs[pos[layout][k]] = logical[k];
        uint32_t ys[4] = {N, nhwc ? OH : cout, nhwc ? OW : OH, nhwc ? cout : OW}, bs[1] = {cout};
        size_t nx = (size_t)N * cin * H * W, nf = (size_t)cin * coutG * kh * kw, ny = (size_t)N * cout * OH * OW;
        float *x = malloc(4 * nx), *f = malloc(4 * nf), *y = malloc(4 * ny), bias[16];
        uint16_t *xh = malloc(2 * nx), *fh = malloc(2 * nf), *yh = malloc(2 * ny), biash[16];
        double* want = calloc(ny, 8);
        for (size_t i = 0; i < nx; i++) { x[i] = (float)wt_rand(&seed, -1, 1); xh[i] = wt_f2h(x[i]); if (f16) x[i] = wt_h2f(xh[i]); }
        for (size_t i = 0; i < nf; i++) { f[i] = (float)wt_rand(&seed, -1, 1); fh[i] = wt_f2h(f[i]); if (f16) f[i] = wt_h2f(fh[i]); }
        for (uint32_t i = 0; i < cout; i++) { bias[i] = (float)wt_rand(&seed, -1, 1); biash[i] = wt_f2h(bias[i]); if (f16) bias[i] = wt_h2f(biash[i]); }
        for (size_t n = 0; n < N; n++)
            for (size_t o = 0; o < cout; o++)
                for (size_t oy = 0; oy < OH; oy++)
                    for (size_t ox = 0; ox < OW; ox++) want[act_at(nhwc, ys, n, o, oy, ox)] = bias[o];
        for (size_t n = 0; n < N; n++)
            for (size_t c = 0; c < cin; c++)
                for (size_t iy = 0; iy < H; iy++)
                    for (size_t ix = 0; ix < W; ix++)
                        for (size_t co = 0; co < coutG; co++)
                            for (size_t ky = 0; ky < kh; ky++)
                                for (size_t kx = 0; kx < kw; kx++) {
                                    long oy = (long)(iy * st[0] + ky * dil[0]) - (long)pad[0], ox = (long)(ix * st[1] + kx * dil[1]) - (long)pad[2];
                                    if (oy < 0 || oy >= (long)OH || ox < 0 || ox >= (long)OW) continue;
                                    size_t g = c / cinG;
                                    want[act_at(nhwc, ys, n, g * coutG + co, (size_t)oy, (size_t)ox)] +=
                                        (double)x[act_at(nhwc, xs, n, c, iy, ix)] * f[filt_at(fs, pos[layout], co, c, ky, kx)];
                                }
        WNNOperandDataType t = f16 ? WNNOperandDataType_Float16 : WNNOperandDataType_Float32;
        WNNGraphBuilder b = wt_builder();
        WNNOperand in = wt_input(b, "x", t, 4, xs), out;
        WNNOperand w = constFilter ? wt_constant(b, t, 4, fs, f16 ? (void*)fh : (void*)f) : wt_input(b, "w", t, 4, fs);
        WNNConvTranspose2dOptions o = WNN_CONV_TRANSPOSE2D_OPTIONS_INIT;
        uint32_t outSizes[2] = {OH, OW};
        o.padding = pad; o.paddingCount = 4;
        o.strides = st; o.stridesCount = 2;
        o.dilations = dil; o.dilationsCount = 2;
        if (sizes) { o.outputSizes = outSizes; o.outputSizesCount = 2; }
        else { o.outputPadding = outPad; o.outputPaddingCount = 2; }
        o.groups = wnnSomeUint32(groups);
        o.inputLayout = nhwc ? WNNInputOperandLayout_Nhwc : WNNInputOperandLayout_Nchw;
        o.filterLayout = (WNNConvTranspose2dFilterOperandLayout)(layout + 1);
        o.bias = wt_constant(b, t, 1, bs, f16 ? (void*)biash : (void*)bias);
        WT_OK(wnnGraphBuilderConvTranspose2d(b, in, w, &o, &out));
        WtFeed feeds[2] = {{"x", f16 ? (void*)xh : (void*)x}, {"w", f16 ? (void*)fh : (void*)f}};
        WNNNamedOperand outs[1] = {{"y", out}};
        void* data[1] = {f16 ? (void*)yh : (void*)y};
        WT_OK(wt_run(wt_cpu(), b, feeds, constFilter ? 1 : 2, outs, 1, data));
        if (f16)
            for (size_t i = 0; i < ny; i++) y[i] = wt_h2f(yh[i]);
        /* as conv2d: |error| <= K * eps * sum|x*w| with |x|,|w| <= 1 and K the products per output, plus the bias */
        double k = kh * kw * cinG + 1;
        char what[160];
        snprintf(what, sizeof what, "convTranspose2d #%d %s nhwc %d layout %d groups %u pad %u %u %u %u stride %u %u", rep,
                 f16 ? "f16" : "f32", nhwc, layout, groups, pad[0], pad[1], pad[2], pad[3], st[0], st[1]);
        wt_expect_f32_atol(what, y, want, ny, k * (f16 ? 2e-3 : 2.4e-7));
        free(x); free(f); free(y); free(xh); free(fh); free(yh); free(want);
        wnnGraphBuilderRelease(b);
    }
}

static void test_matmul_gemm(void) {
    /* a [2,1,3,4] x b [3,4,5] -> [2,3,3,5] */
    uint32_t sa[4] = {2, 1, 3, 4}, sb[3] = {3, 4, 5};
    float a[24], bb[60], y[90];
    double want[90];
    uint64_t seed = 1;
    for (int i = 0; i < 24; i++) a[i] = (float)wt_rand(&seed, -1, 1);
    for (int i = 0; i < 60; i++) bb[i] = (float)wt_rand(&seed, -1, 1);
    for (int p = 0; p < 2; p++)
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 5; j++) {
                    double s = 0;
                    for (int k = 0; k < 4; k++) s += (double)a[(p * 3 + i) * 4 + k] * bb[(q * 4 + k) * 5 + j];
                    want[((p * 3 + q) * 3 + i) * 5 + j] = s;
                }
    WNNGraphBuilder b = wt_builder();
    WNNOperand x = wt_input(b, "a", WNNOperandDataType_Float32, 4, sa), z = wt_input(b, "b", WNNOperandDataType_Float32, 3, sb), out;
    WT_OK(wnnGraphBuilderMatmul(b, x, z, NULL, &out));
    WtFeed feeds[2] = {{"a", a}, {"b", bb}};
    WNNNamedOperand outs[1] = {{"y", out}};
    void* data[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, feeds, 2, outs, 1, data));
    wt_expect_f32_atol("matmul broadcast", y, want, 90, 4 * 2.4e-7);
    wnnGraphBuilderRelease(b);

    /* gemm: alpha * a^T * b^T + beta * c, a [4,3], b [5,4], c [5] */
    uint32_t ga[2] = {4, 3}, gb[2] = {5, 4}, gc[1] = {5};
    float c[5] = {1, 2, 3, 4, 5}, gy[15];
    double gw[15];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 5; j++) {
            double s = 0;
            for (int k = 0; k < 4; k++) s += (double)a[k * 3 + i] * bb[j * 4 + k];
            gw[i * 5 + j] = 0.5 * s + 2.0 * c[j];
        }
    b = wt_builder();
    x = wt_input(b, "a", WNNOperandDataType_Float32, 2, ga);
    z = wt_input(b, "b", WNNOperandDataType_Float32, 2, gb);
    WNNGemmOptions o = WNN_GEMM_OPTIONS_INIT;
    o.c = wt_constant(b, WNNOperandDataType_Float32, 1, gc, c);
    o.alpha = wnnSomeDouble(0.5);
    o.beta = wnnSomeDouble(2.0);
    o.aTranspose = o.bTranspose = true;
    WT_OK(wnnGraphBuilderGemm(b, x, z, &o, &out));
    WNNNamedOperand gouts[1] = {{"y", out}};
    void* gdata[1] = {gy};
    WT_OK(wt_run(wt_cpu(), b, feeds, 2, gouts, 1, gdata));
    wt_expect_f32_atol("gemm transposes", gy, gw, 15, 1e-5);
    wnnGraphBuilderRelease(b);
}

static void test_l2pool_resample(void) {
    uint32_t xs[4] = {1, 1, 4, 4};
    float x[16], y[4], r[64];
    for (int i = 0; i < 16; i++) x[i] = (float)(i - 7) * 0.5f;
    WNNGraphBuilder b = wt_builder();
    WNNOperand in = wt_input(b, "x", WNNOperandDataType_Float32, 4, xs), o1, o2;
    WNNPool2dOptions po = WNN_POOL2D_OPTIONS_INIT;
    uint32_t win[2] = {2, 2}, strides[2] = {2, 2};
    po.windowDimensions = win; po.windowDimensionsCount = 2;
    po.strides = strides; po.stridesCount = 2;
    WT_OK(wnnGraphBuilderL2Pool2d(b, in, &po, &o1));
    WNNResample2dOptions ro = WNN_RESAMPLE2D_OPTIONS_INIT;
    float scales[2] = {2.0f, 2.0f};
    ro.scales = scales; ro.scalesCount = 2;
    ro.mode = WNNInterpolationMode_Linear;
    WT_OK(wnnGraphBuilderResample2d(b, in, &ro, &o2));
    WtFeed feed = {"x", x};
    WNNNamedOperand outs[2] = {{"l2", o1}, {"rs", o2}};
    void* data[2] = {y, r};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, outs, 2, data));
    double want[4], wr[64];
    for (int oy = 0; oy < 2; oy++)
        for (int ox = 0; ox < 2; ox++) {
            double s = 0;
            for (int ky = 0; ky < 2; ky++)
                for (int kx = 0; kx < 2; kx++) s += (double)x[(oy * 2 + ky) * 4 + ox * 2 + kx] * x[(oy * 2 + ky) * 4 + ox * 2 + kx];
            want[oy * 2 + ox] = sqrt(s);
        }
    for (int oy = 0; oy < 8; oy++)
        for (int ox = 0; ox < 8; ox++) { /* half-pixel bilinear, clamped at the borders */
            double sy = fmin(fmax((oy + 0.5) / 2 - 0.5, 0), 3), sx = fmin(fmax((ox + 0.5) / 2 - 0.5, 0), 3);
            int y0 = (int)floor(sy), x0 = (int)floor(sx), y1 = y0 < 3 ? y0 + 1 : 3, x1 = x0 < 3 ? x0 + 1 : 3;
            double fy = sy - y0, fx = sx - x0;
            wr[oy * 8 + ox] = (1 - fy) * ((1 - fx) * x[y0 * 4 + x0] + fx * x[y0 * 4 + x1]) + fy * ((1 - fx) * x[y1 * 4 + x0] + fx * x[y1 * 4 + x1]);
        }
    wt_expect_f32("l2Pool2d", y, want, 4, 6);
    wt_expect_f32("resample2d linear", r, wr, 64, 84);
    wnnGraphBuilderRelease(b);
    /* nearest, downsample by sizes on axes [2,3] */
    b = wt_builder();
    in = wt_input(b, "x", WNNOperandDataType_Float32, 4, xs);
    WNNResample2dOptions no = WNN_RESAMPLE2D_OPTIONS_INIT;
    uint32_t sizes[2] = {2, 2};
    no.sizes = sizes; no.sizesCount = 2;
    WT_OK(wnnGraphBuilderResample2d(b, in, &no, &o1));
    WNNNamedOperand o3[1] = {{"n", o1}};
    void* d3[1] = {y};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, o3, 1, d3));
    double wn[4] = {x[0], x[2], x[8], x[10]}; /* source 0.5 -> round half down to 0; 2.5 -> 2 */
    wt_expect_f32("resample2d nearest", y, wn, 4, 0);
    wnnGraphBuilderRelease(b);
}

static void test_validation(void) {
    WNNGraphBuilder b = wt_builder();
    uint32_t xs[4] = {1, 4, 5, 5}, fs[4] = {6, 2, 3, 3}, bs[1] = {5};
    WNNOperand x = wt_input(b, "x", WNNOperandDataType_Float32, 4, xs), f = wt_input(b, "f", WNNOperandDataType_Float32, 4, fs);
    WNNOperand bias = wt_input(b, "b", WNNOperandDataType_Float32, 1, bs), out;
    WNNConv2dOptions o = WNN_CONV2D_OPTIONS_INIT;
    WT_CHECK_STATUS(wnnGraphBuilderConv2d(b, x, f, &o, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("input channels 4 / groups 1 != filter input channels 2");
    o.groups = wnnSomeUint32(0);
    WT_CHECK_STATUS(wnnGraphBuilderConv2d(b, x, f, &o, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("groups must be > 0");
    o.groups = wnnSomeUint32(2);
    o.bias = bias;
    WT_CHECK_STATUS(wnnGraphBuilderConv2d(b, x, f, &o, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("bias must have shape [6]");
    o.bias = NULL;
    uint32_t pad3[3] = {1, 1, 1};
    o.padding = pad3; o.paddingCount = 3;
    WT_CHECK_STATUS(wnnGraphBuilderConv2d(b, x, f, &o, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("padding must have 4 entries");
    o.padding = NULL; o.paddingCount = 0;
    WT_OK(wnnGraphBuilderConv2d(b, x, f, &o, &out));
    uint32_t expect[4] = {1, 6, 3, 3}, got[4];
    wnnOperandGetShape(out, got);
    WT_CHECK(memcmp(got, expect, sizeof got) == 0);
    WNNConvTranspose2dOptions t = WNN_CONV_TRANSPOSE2D_OPTIONS_INIT;
    uint32_t strides[2] = {2, 2}, op[2] = {2, 0};
    t.strides = strides; t.stridesCount = 2;
    t.outputPadding = op; t.outputPaddingCount = 2;
    uint32_t tf[4] = {4, 3, 3, 3};
    WNNOperand tfil = wt_input(b, "tf", WNNOperandDataType_Float32, 4, tf);
    WT_CHECK_STATUS(wnnGraphBuilderConvTranspose2d(b, x, tfil, &t, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("outputPadding[0]");
    WNNPool2dOptions p = WNN_POOL2D_OPTIONS_INIT;
    uint32_t win[2] = {2, 2}, sz[2] = {7, 7};
    p.windowDimensions = win; p.windowDimensionsCount = 2;
    p.outputSizes = sz; p.outputSizesCount = 2;
    WT_CHECK_STATUS(wnnGraphBuilderMaxPool2d(b, x, &p, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("outputSizes");
    uint32_t m1[2] = {2, 3}, m2[2] = {4, 2};
    WNNOperand a = wt_input(b, "a", WNNOperandDataType_Float32, 2, m1), c = wt_input(b, "c", WNNOperandDataType_Float32, 2, m2);
    WT_CHECK_STATUS(wnnGraphBuilderMatmul(b, a, c, NULL, &out), WNNStatus_TypeError);
    WT_CHECK_MESSAGE("columns of a (3)");
    WT_CHECK_STATUS(wnnGraphBuilderGemm(b, a, c, NULL, &out), WNNStatus_TypeError);
    WNNResample2dOptions r = WNN_RESAMPLE2D_OPTIONS_INIT;
    float bad[2] = {0.0f, 1.0f};
    r.scales = bad; r.scalesCount = 2;
    WT_CHECK_STATUS(wnnGraphBuilderResample2d(b, x, &r, &out), WNNStatus_TypeError);
    wnnGraphBuilderRelease(b);
}

int main(void) {
    test_conv2d_random();
    test_conv2d_depthwise();
    test_conv2d_gemm_paths();
    test_conv2d_unaligned_channels();
    test_conv2d_wide_f32();
    test_conv_transpose_random();
    test_matmul_gemm();
    test_l2pool_resample();
    test_validation();
    return wt_summary("test_ops_conv");
}
