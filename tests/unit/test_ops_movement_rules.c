/* test_ops_movement_rules.c: the validation rules of concat, split, expand, reshape, tile,
 * transpose, slice, reverse, pad and triangular: each rejected call returns TypeError with a
 * message naming the argument and the rule, leaves its output NULL and the builder usable; and the
 * shapes the accepted calls infer. */
#include "mt_kit.h"

#define F32 WNNOperandDataType_Float32

/* Expects TypeError with `needle` in the message and the output `out` reset to NULL. */
#define REJECT_INTO(out, call, needle)              \
    do {                                            \
        out = (WNNOperand)(uintptr_t)1;             \
        WT_CHECK_STATUS(call, WNNStatus_TypeError); \
        WT_CHECK_MESSAGE(needle);                   \
        WT_CHECK(out == NULL);                      \
    } while (0)
#define REJECT(call, needle) REJECT_INTO(y, call, needle)
#define REJECT_SPLIT(call, needle)           \
    do {                                     \
        n = 7;                               \
        REJECT_INTO(parts[0], call, needle); \
        WT_CHECK(n == 0);                    \
    } while (0)

/* Checks an operand's shape. */
static void expect_shape(WNNOperand x, uint32_t rank, const uint32_t* shape) {
    uint32_t got[WNN_MAX_RANK];
    WT_CHECK(x && wnnOperandGetRank(x) == rank);
    if (x && wnnOperandGetRank(x) == rank) {
        wnnOperandGetShape(x, got);
        WT_CHECK(memcmp(got, shape, rank * sizeof *got) == 0);
    }
}

static void test_concat_split_rules(WNNGraphBuilder b, WNNGraphBuilder other) {
    uint32_t s23[2] = {2, 3}, s24[2] = {2, 4}, s3[1] = {3}, s34[2] = {3, 4}, big[2] = {0x40000000, 1};
    WNNOperand x = wt_input(b, "a", F32, 2, s23), w = wt_input(b, "b", F32, 2, s24), y;
    WNNOperand v = wt_input(b, "c", F32, 1, s3), h = wt_input(b, "d", WNNOperandDataType_Float16, 2, s23);
    WNNOperand z = wt_input(b, "e", F32, 2, s34), foreign = wt_input(other, "f", F32, 2, s23);
    WNNOperand scalar = wt_input(b, "s", F32, 0, NULL);
    WNNOperand huge = wt_input(b, "huge", WNNOperandDataType_Int8, 2, big); /* never allocated */
    WNNOperand xv[2] = {x, v}, xh[2] = {x, h}, xw[2] = {x, w}, xz[2] = {x, z}, xf[2] = {x, foreign};
    WNNOperand xs[2] = {x, scalar}, hh[3] = {huge, huge, huge};
    WNNOperatorOptions label = {"cat"};
    REJECT(wnnGraphBuilderConcat(b, xv, 2, 0, NULL, &y), "inputs[1] rank 1 differs from inputs[0] rank 2");
    REJECT(wnnGraphBuilderConcat(b, xh, 2, 1, NULL, &y), "inputs[1] data type float16 differs");
    REJECT(wnnGraphBuilderConcat(b, xw, 2, 0, &label, &y),
           "concat 'cat': inputs[1] shape [2,4] differs from inputs[0] shape [2,3] outside axis 0");
    REJECT(wnnGraphBuilderConcat(b, xz, 2, 1, NULL, &y), "outside axis 1");
    REJECT(wnnGraphBuilderConcat(b, xw, 2, 2, NULL, &y), "axis 2 is out of range for rank 2");
    REJECT(wnnGraphBuilderConcat(b, xw, 0, 0, NULL, &y), "inputs has 0 operands, not a valid tensor count");
    REJECT(wnnGraphBuilderConcat(b, NULL, 2, 0, NULL, &y), "inputs is NULL");
    REJECT(wnnGraphBuilderConcat(b, xf, 2, 0, NULL, &y), "(inputs[1])");
    REJECT(wnnGraphBuilderConcat(b, xs, 2, 0, NULL, &y), "inputs rank 0 is not allowed");
    REJECT(wnnGraphBuilderConcat(b, hh, 3, 0, NULL, &y), "sum past 2147483647");
    WT_OK(wnnGraphBuilderConcat(b, xw, 2, 1, NULL, &y));
    uint32_t cat[2] = {2, 7};
    expect_shape(y, 2, cat);

    WNNOperand parts[4];
    size_t n = 7;
    uint32_t sizes[2] = {2, 2}, zero[2] = {3, 0}, ok[2] = {1, 2};
    WNNSplitOptions ax1 = {NULL, 1}, ax2 = {"sp", 2};
    REJECT_SPLIT(wnnGraphBuilderSplitSizes(b, x, sizes, 2, &ax1, parts, 4, &n),
                 "splits sum to 4, the input's axis 1 dimension is 3");
    REJECT_SPLIT(wnnGraphBuilderSplitSizes(b, x, zero, 2, &ax1, parts, 4, &n), "splits[1] is 0");
    REJECT_SPLIT(wnnGraphBuilderSplitSizes(b, x, NULL, 0, &ax1, parts, 4, &n),
                 "splits has 0 entries, not a valid tensor count");
    REJECT_SPLIT(wnnGraphBuilderSplitSizes(b, x, NULL, 2, &ax1, parts, 4, &n), "splits is NULL");
    REJECT_SPLIT(wnnGraphBuilderSplit(b, x, 2, &ax1, parts, 4, &n),
                 "splits 2 does not divide the input's axis 1 dimension 3");
    REJECT_SPLIT(wnnGraphBuilderSplit(b, x, 0, NULL, parts, 4, &n), "splits 0 is not a valid tensor count");
    REJECT_SPLIT(wnnGraphBuilderSplit(b, x, 8193, NULL, parts, 4, &n), "splits 8193 is not a valid tensor count");
    REJECT_SPLIT(wnnGraphBuilderSplit(b, x, 1, &ax2, parts, 4, &n), "split 'sp': axis 2 is out of range for rank 2");
    REJECT_SPLIT(wnnGraphBuilderSplit(b, x, 3, &ax1, parts, 2, &n), "outputs has room for 2 operands, 3 are needed");
    REJECT_SPLIT(wnnGraphBuilderSplit(b, scalar, 1, NULL, parts, 2, &n), "input rank 0 is not allowed");
    WT_OK(wnnGraphBuilderSplitSizes(b, x, ok, 2, &ax1, parts, 4, &n));
    WT_CHECK(n == 2);
    uint32_t p0[2] = {2, 1}, p1[2] = {2, 2};
    expect_shape(parts[0], 2, p0);
    expect_shape(parts[1], 2, p1);
    WT_OK(wnnGraphBuilderSplit(b, x, 3, &ax1, parts, 4, &n));
    WT_CHECK(n == 3);
}

static void test_shape_rules(WNNGraphBuilder b) {
    uint32_t s23[2] = {2, 3}, s13[2] = {1, 3};
    WNNOperand x = wt_input(b, "g", F32, 2, s23), r = wt_input(b, "r", F32, 2, s13), y;
    WNNOperand scalar = wt_input(b, "t", F32, 0, NULL);
    uint32_t to[3] = {4, 2, 3}, bad[2] = {4, 3}, zero[2] = {2, 0}, huge[2] = {2, 0x80000000u},
             nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 6};
    REJECT(wnnGraphBuilderExpand(b, x, bad, 2, NULL, &y),
           "input shape [2,3] is not unidirectionally broadcastable to newShape [4,3]");
    REJECT(wnnGraphBuilderExpand(b, x, s23 + 1, 1, NULL, &y),
           "not unidirectionally broadcastable"); /* rank may not drop */
    REJECT(wnnGraphBuilderExpand(b, r, zero, 2, NULL, &y), "newShape[1] = 0 is not a valid dimension");
    REJECT(wnnGraphBuilderExpand(b, r, NULL, 2, NULL, &y), "newShape is NULL");
    REJECT(wnnGraphBuilderExpand(b, r, nine, 9, NULL, &y), "newShape has 9 entries, more than the maximum rank 8");
    WT_OK(wnnGraphBuilderExpand(b, r, to, 3, NULL, &y));
    expect_shape(y, 3, to);
    WT_OK(wnnGraphBuilderExpand(b, scalar, to, 3, NULL, &y));

    uint32_t six[2] = {3, 2}, seven[2] = {7, 1};
    REJECT(wnnGraphBuilderReshape(b, x, seven, 2, NULL, &y), "newShape [7,1] does not hold the input's 6 elements");
    REJECT(wnnGraphBuilderReshape(b, x, zero, 2, NULL, &y), "newShape[1] = 0 is not a valid dimension");
    REJECT(wnnGraphBuilderReshape(b, x, huge, 2, NULL, &y), "newShape[1] = 2147483648 is not a valid dimension");
    REJECT(wnnGraphBuilderReshape(b, x, nine, 9, NULL, &y), "more than the maximum rank 8");
    REJECT(wnnGraphBuilderReshape(b, x, NULL, 0, NULL, &y), "newShape [] does not hold the input's 6 elements");
    WT_OK(wnnGraphBuilderReshape(b, x, six, 2, NULL, &y));
    expect_shape(y, 2, six);
    WT_OK(wnnGraphBuilderReshape(b, scalar, NULL, 0, NULL, &y)); /* a scalar stays a scalar */
    uint32_t one[1] = {1};
    WT_OK(wnnGraphBuilderReshape(b, scalar, one, 1, NULL, &y));

    uint32_t reps0[2] = {1, 0}, reps[2] = {2, 3}, repsBig[2] = {1, 0x40000000u}, tiled[2] = {4, 9};
    REJECT(wnnGraphBuilderTile(b, x, reps0, 2, NULL, &y), "repetitions[1] is 0");
    REJECT(wnnGraphBuilderTile(b, x, reps, 1, NULL, &y), "repetitions has 1 entries, the input rank is 2");
    REJECT(wnnGraphBuilderTile(b, x, repsBig, 2, NULL, &y),
           "dimension 1 (3) times repetitions[1] (1073741824) is not a valid dimension");
    WT_OK(wnnGraphBuilderTile(b, x, reps, 2, NULL, &y));
    expect_shape(y, 2, tiled);
    WT_OK(wnnGraphBuilderTile(b, scalar, NULL, 0, NULL, &y));
}

static void test_layout_rules(WNNGraphBuilder b) {
    uint32_t s234[3] = {2, 3, 4};
    WNNOperand x = wt_input(b, "h", F32, 3, s234), y;
    WNNOperand v = wt_input(b, "v", F32, 1, s234 + 2), scalar = wt_input(b, "u", F32, 0, NULL);

    uint32_t dup[3] = {0, 0, 1}, range[3] = {0, 3, 1}, perm[3] = {2, 0, 1}, permuted[3] = {4, 2, 3}, rev[3] = {4, 3, 2};
    WNNTransposeOptions tdup = {"tp", dup, 3}, trange = {NULL, range, 3}, tshort = {NULL, perm, 2},
                        tok = {NULL, perm, 3};
    REJECT(wnnGraphBuilderTranspose(b, x, &tdup, &y), "transpose 'tp': permutation contains 0 more than once");
    REJECT(wnnGraphBuilderTranspose(b, x, &trange, &y), "permutation[1] = 3 is out of range for rank 3");
    REJECT(wnnGraphBuilderTranspose(b, x, &tshort, &y), "permutation has 2 entries, the input rank is 3");
    WT_OK(wnnGraphBuilderTranspose(b, x, &tok, &y));
    expect_shape(y, 3, permuted);
    WT_OK(wnnGraphBuilderTranspose(b, x, NULL, &y));
    expect_shape(y, 3, rev);
    WT_OK(wnnGraphBuilderTranspose(b, scalar, NULL, &y));

    uint32_t starts[3] = {1, 1, 1}, sizes[3] = {1, 2, 3}, over[3] = {1, 3, 1}, zsize[3] = {1, 0, 1};
    uint32_t past[3] = {0, 4, 0}, zstep[3] = {1, 0, 1}, steps[3] = {1, 2, 2}, sliced[3] = {1, 1, 2};
    WNNSliceOptions so = {NULL, zstep, 3}, sshort = {NULL, steps, 2}, sok = {NULL, steps, 3};
    REJECT(wnnGraphBuilderSlice(b, x, starts, 3, over, 3, NULL, &y),
           "starts[1] + sizes[1] = 4 exceeds the input dimension 3");
    REJECT(wnnGraphBuilderSlice(b, x, starts, 3, zsize, 3, NULL, &y), "sizes[1] is 0");
    REJECT(wnnGraphBuilderSlice(b, x, past, 3, sizes, 3, NULL, &y), "starts[1] = 4 is past the input dimension 3");
    REJECT(wnnGraphBuilderSlice(b, x, starts, 3, sizes, 3, &so, &y), "strides[1] is 0, must be at least 1");
    REJECT(wnnGraphBuilderSlice(b, x, starts, 3, sizes, 3, &sshort, &y), "strides has 2 entries, the input rank is 3");
    REJECT(wnnGraphBuilderSlice(b, x, starts, 2, sizes, 3, NULL, &y), "starts has 2 entries, the input rank is 3");
    REJECT(wnnGraphBuilderSlice(b, x, starts, 3, sizes, 2, NULL, &y), "sizes has 2 entries");
    WT_OK(wnnGraphBuilderSlice(b, x, starts, 3, sizes, 3, &sok, &y));
    expect_shape(y, 3, sliced);

    uint32_t axdup[2] = {1, 1}, axrange[1] = {3};
    WNNReverseOptions rdup = {NULL, axdup, 2}, rrange = {NULL, axrange, 1}, rnone = {NULL, axdup, 0};
    REJECT(wnnGraphBuilderReverse(b, x, &rdup, &y), "axes contains 1 more than once");
    REJECT(wnnGraphBuilderReverse(b, x, &rrange, &y), "axes[0] = 3 is out of range for rank 3");
    WT_OK(wnnGraphBuilderReverse(b, x, &rnone, &y));
    WT_OK(wnnGraphBuilderReverse(b, scalar, NULL, &y));

    uint32_t p0[3] = {0, 0, 0}, p2[3] = {0, 2, 0}, p3[3] = {0, 3, 0}, pbig[3] = {0x7ffffffeu, 0, 0},
             padded[3] = {2, 5, 4};
    WNNPadOptions refl = {NULL, WNNPaddingMode_Reflection, {WNNNumberType_Undefined, 0, 0, 0}}, edge = refl, bad = refl;
    edge.mode = WNNPaddingMode_Edge;
    bad.mode = (WNNPaddingMode)7;
    REJECT(wnnGraphBuilderPad(b, x, p0, 3, p3, 3, &refl, &y),
           "reflection padding of dimension 1 (beginning 0, ending 3) must be smaller than its size 3");
    REJECT(wnnGraphBuilderPad(b, x, p3, 3, p0, 3, &refl, &y), "must be smaller than its size 3");
    REJECT(wnnGraphBuilderPad(b, x, p0, 2, p0, 3, NULL, &y), "beginningPadding has 2 entries, the input rank is 3");
    REJECT(wnnGraphBuilderPad(b, x, p0, 3, p0, 4, NULL, &y), "endingPadding has 4 entries");
    REJECT(wnnGraphBuilderPad(b, x, pbig, 3, p0, 3, NULL, &y),
           "padded dimension 0 is 2147483648, not a valid dimension");
    REJECT(wnnGraphBuilderPad(b, x, p0, 3, p0, 3, &bad, &y), "mode 7 is not a padding mode");
    WT_OK(wnnGraphBuilderPad(b, x, p0, 3, p2, 3, &refl, &y));
    expect_shape(y, 3, padded);
    WT_OK(wnnGraphBuilderPad(b, x, p3, 3, p3, 3, &edge, &y)); /* edge has no limit */
    WT_OK(wnnGraphBuilderPad(b, scalar, NULL, 0, NULL, 0, NULL, &y));

    WNNTriangularOptions tbad = {NULL, (WNNOptionalBool)3, 0};
    REJECT(wnnGraphBuilderTriangular(b, v, NULL, &y), "input rank 1 is not allowed (must be 2..8)");
    REJECT(wnnGraphBuilderTriangular(b, x, &tbad, &y), "upper 3 is not a WNNOptionalBool");
    WT_OK(wnnGraphBuilderTriangular(b, x, NULL, &y));
    expect_shape(y, 3, s234);
}

int main(void) {
    WNNGraphBuilder b = wt_builder(), other = wt_builder();
    test_concat_split_rules(b, other);
    test_shape_rules(b);
    test_layout_rules(b);
    /* After all the rejections the builder still builds. */
    uint32_t s[1] = {2};
    WNNOperand a = wt_input(b, "last", F32, 1, s), r;
    WT_OK(wnnGraphBuilderReverse(b, a, NULL, &r));
    float in[2] = {1, 2}, out[2] = {0, 0};
    WtFeed feed = {"last", in};
    WNNNamedOperand named = {"r", r};
    void* data[1] = {out};
    WT_OK(wt_run(wt_cpu(), b, &feed, 1, &named, 1, data));
    WT_CHECK(out[0] == 2 && out[1] == 1);
    wnnGraphBuilderRelease(b);
    wnnGraphBuilderRelease(other);
    return wt_summary("test_ops_movement_rules");
}
