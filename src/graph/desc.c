/* desc.c: operand descriptors, their validation, and broadcasting. */
#include <stdio.h>
#include <string.h>

#include "graph/graph.h"

uint64_t wnn_desc_numel(const WnnDesc* d) {
    uint64_t n = 1;
    for (uint32_t i = 0; i < d->rank; i++) n *= d->shape[i];
    return n;
}

uint64_t wnn_desc_bytes(const WnnDesc* d) { return wnn_desc_numel(d) * wnn_type_size(d->type); }

bool wnn_desc_same_shape(const WnnDesc* a, const WnnDesc* b) {
    return a->rank == b->rank && memcmp(a->shape, b->shape, a->rank * sizeof(uint32_t)) == 0;
}

bool wnn_desc_equal(const WnnDesc* a, const WnnDesc* b) { return a->type == b->type && wnn_desc_same_shape(a, b); }

const char* wnn_dims_str(const uint32_t* dims, size_t n, char* buf, size_t size) {
    size_t used = 0;
    int k = snprintf(buf, size, "[");
    used = k > 0 ? (size_t)k : 0;
    for (size_t i = 0; i < n && used < size; i++) {
        k = snprintf(buf + used, size - used, "%s%u", i ? "," : "", dims[i]);
        if (k < 0) break;
        used += (size_t)k;
    }
    if (used < size) snprintf(buf + used, size - used, "]");
    return buf;
}

const char* wnn_desc_str(const WnnDesc* d, char* buf, size_t size) {
    char dims[128];
    snprintf(buf, size, "%s %s", wnn_type_name(d->type), wnn_dims_str(d->shape, d->rank, dims, sizeof dims));
    return buf;
}

/* The spec's "valid dimension": an integer in [1, 2^31-1]. */
#define WNN_MAX_DIM 0x7fffffffu

WNNStatus wnn_desc_from_public(const char* what, WNNOperandDataType type, const uint32_t* shape, uint32_t rank,
                               WnnDesc* out) {
    if (!wnn_type_valid(type)) return wnn_error(WNNStatus_TypeError, "%s: invalid data type %d", what, (int)type);
    if (rank > WNN_MAX_RANK)
        return wnn_error(WNNStatus_TypeError, "%s: rank %u exceeds the maximum rank %d", what, rank, WNN_MAX_RANK);
    if (rank > 0 && !shape) return wnn_error(WNNStatus_TypeError, "%s: shape is NULL for rank %u", what, rank);
    WnnDesc d = {type, rank, {0}};
    uint64_t numel = 1;
    for (uint32_t i = 0; i < rank; i++) {
        if (shape[i] == 0 || shape[i] > WNN_MAX_DIM)
            return wnn_error(WNNStatus_TypeError, "%s: dimension %u is %u, not a valid dimension (1..2147483647)", what,
                             i, shape[i]);
        d.shape[i] = shape[i];
        numel *= shape[i];
        if (numel > WNN_MAX_DIM)
            return wnn_error(WNNStatus_TypeError, "%s: element count exceeds 2147483647", what);
    }
    if (numel * wnn_type_size(type) > WNN_MAX_TENSOR_BYTES)
        return wnn_error(WNNStatus_TypeError, "%s: byte length exceeds maxTensorByteLength", what);
    *out = d;
    return WNNStatus_Success;
}

bool wnn_broadcast_shapes(const WnnDesc* a, const WnnDesc* b, WnnDesc* out) {
    uint32_t rank = a->rank > b->rank ? a->rank : b->rank;
    WnnDesc r = {a->type, rank, {0}};
    for (uint32_t i = 0; i < rank; i++) {
        uint32_t da = i < rank - a->rank ? 1 : a->shape[i - (rank - a->rank)];
        uint32_t db = i < rank - b->rank ? 1 : b->shape[i - (rank - b->rank)];
        if (da != db && da != 1 && db != 1) return false;
        r.shape[i] = da == 1 ? db : da;
    }
    *out = r;
    return true;
}

bool wnn_broadcast_unidirectional(const WnnDesc* from, const WnnDesc* to) {
    if (from->rank > to->rank) return false;
    uint32_t off = to->rank - from->rank;
    for (uint32_t i = 0; i < from->rank; i++)
        if (from->shape[i] != 1 && from->shape[i] != to->shape[i + off]) return false;
    return true;
}
