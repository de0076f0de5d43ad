/* dtype.c: data type facts and generic (slow-path) element load/store. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static const struct {
    const char* name;
    size_t size;
} k_types[WNN_DATA_TYPE_COUNT] = {
    {"invalid", 0}, {"float32", 4}, {"float16", 2}, {"int32", 4}, {"uint32", 4},
    {"int64", 8},   {"uint64", 8},  {"int8", 1},    {"uint8", 1},
};

int wnn_type_valid(WNNOperandDataType t) { return t > 0 && t < WNN_DATA_TYPE_COUNT; }
size_t wnn_type_size(WNNOperandDataType t) { return wnn_type_valid(t) ? k_types[t].size : 0; }
const char* wnn_type_name(WNNOperandDataType t) { return wnn_type_valid(t) ? k_types[t].name : "invalid"; }

WNNOperandDataType wnn_type_from_name(const char* name) {
    for (int t = 1; t < WNN_DATA_TYPE_COUNT; t++)
        if (name && strcmp(name, k_types[t].name) == 0) return (WNNOperandDataType)t;
    return WNNOperandDataType_Undefined;
}

int wnn_type_is_float(WNNOperandDataType t) {
    return t == WNNOperandDataType_Float32 || t == WNNOperandDataType_Float16;
}

int wnn_type_is_signed_int(WNNOperandDataType t) {
    return t == WNNOperandDataType_Int32 || t == WNNOperandDataType_Int64 || t == WNNOperandDataType_Int8;
}

const char* wnn_type_mask_names(uint32_t mask, char* buf, size_t size) {
    size_t used = 0;
    buf[0] = 0;
    for (int t = 1; t < WNN_DATA_TYPE_COUNT; t++) {
        if (!(mask & (1u << t))) continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", k_types[t].name);
        if (n < 0 || (size_t)n >= size - used) break;
        used += (size_t)n;
    }
    return buf;
}

double wnn_load_f64(const void* data, WNNOperandDataType t, size_t i) {
    switch (t) {
        case WNNOperandDataType_Float32: return ((const float*)data)[i];
        case WNNOperandDataType_Float16: return wnn_half_to_float(((const uint16_t*)data)[i]);
        case WNNOperandDataType_Int32: return ((const int32_t*)data)[i];
        case WNNOperandDataType_Uint32: return ((const uint32_t*)data)[i];
        case WNNOperandDataType_Int64: return (double)((const int64_t*)data)[i];
        case WNNOperandDataType_Uint64: return (double)((const uint64_t*)data)[i];
        case WNNOperandDataType_Int8: return ((const int8_t*)data)[i];
        case WNNOperandDataType_Uint8: return ((const uint8_t*)data)[i];
        default: return 0.0;
    }
}

/* Float to integer: truncate toward zero, saturate at the range, NaN -> 0. */
static int64_t f64_to_i64_sat(double v, int64_t lo, int64_t hi) {
    if (isnan(v)) return 0;
    v = trunc(v);
    if (v <= (double)lo) return lo;
    if (v >= (double)hi) return hi;
    return (int64_t)v;
}

static uint64_t f64_to_u64_sat(double v, uint64_t hi) {
    if (isnan(v) || v <= 0.0) return 0;
    v = trunc(v);
    if (v >= (double)hi) return hi;
    return (uint64_t)v;
}

int64_t wnn_load_i64(const void* data, WNNOperandDataType t, size_t i) {
    switch (t) {
        case WNNOperandDataType_Int32: return ((const int32_t*)data)[i];
        case WNNOperandDataType_Uint32: return ((const uint32_t*)data)[i];
        case WNNOperandDataType_Int64: return ((const int64_t*)data)[i];
        case WNNOperandDataType_Uint64: return (int64_t)((const uint64_t*)data)[i];
        case WNNOperandDataType_Int8: return ((const int8_t*)data)[i];
        case WNNOperandDataType_Uint8: return ((const uint8_t*)data)[i];
        default: return f64_to_i64_sat(wnn_load_f64(data, t, i), INT64_MIN, INT64_MAX);
    }
}

uint64_t wnn_load_u64(const void* data, WNNOperandDataType t, size_t i) {
    switch (t) {
        case WNNOperandDataType_Uint64: return ((const uint64_t*)data)[i];
        case WNNOperandDataType_Float32:
        case WNNOperandDataType_Float16: return f64_to_u64_sat(wnn_load_f64(data, t, i), UINT64_MAX);
        default: return (uint64_t)wnn_load_i64(data, t, i);
    }
}

void wnn_store_f64(void* data, WNNOperandDataType t, size_t i, double v) {
    switch (t) {
        case WNNOperandDataType_Float32: ((float*)data)[i] = (float)v; break;
        case WNNOperandDataType_Float16: ((uint16_t*)data)[i] = wnn_double_to_half(v); break;
        case WNNOperandDataType_Int32: ((int32_t*)data)[i] = (int32_t)f64_to_i64_sat(v, INT32_MIN, INT32_MAX); break;
        case WNNOperandDataType_Uint32: ((uint32_t*)data)[i] = (uint32_t)f64_to_u64_sat(v, UINT32_MAX); break;
        case WNNOperandDataType_Int64: ((int64_t*)data)[i] = f64_to_i64_sat(v, INT64_MIN, INT64_MAX); break;
        case WNNOperandDataType_Uint64: ((uint64_t*)data)[i] = f64_to_u64_sat(v, UINT64_MAX); break;
        case WNNOperandDataType_Int8: ((int8_t*)data)[i] = (int8_t)f64_to_i64_sat(v, INT8_MIN, INT8_MAX); break;
        case WNNOperandDataType_Uint8: ((uint8_t*)data)[i] = (uint8_t)f64_to_u64_sat(v, UINT8_MAX); break;
        default: break;
    }
}

/* Integer stores wrap (two's complement truncation), as integer arithmetic results do. */
void wnn_store_i64(void* data, WNNOperandDataType t, size_t i, int64_t v) {
    switch (t) {
        case WNNOperandDataType_Float32:
        case WNNOperandDataType_Float16: wnn_store_f64(data, t, i, (double)v); break;
        case WNNOperandDataType_Int32: ((int32_t*)data)[i] = (int32_t)(uint32_t)(uint64_t)v; break;
        case WNNOperandDataType_Uint32: ((uint32_t*)data)[i] = (uint32_t)(uint64_t)v; break;
        case WNNOperandDataType_Int64: ((int64_t*)data)[i] = v; break;
        case WNNOperandDataType_Uint64: ((uint64_t*)data)[i] = (uint64_t)v; break;
        case WNNOperandDataType_Int8: ((int8_t*)data)[i] = (int8_t)(uint8_t)(uint64_t)v; break;
        case WNNOperandDataType_Uint8: ((uint8_t*)data)[i] = (uint8_t)(uint64_t)v; break;
        default: break;
    }
}

void wnn_store_u64(void* data, WNNOperandDataType t, size_t i, uint64_t v) {
    if (t == WNNOperandDataType_Float32 || t == WNNOperandDataType_Float16)
        wnn_store_f64(data, t, i, (double)v);
    else
        wnn_store_i64(data, t, i, (int64_t)v);
}

static void type_range(WNNOperandDataType t, int64_t* lo, uint64_t* hi) {
    switch (t) {
        case WNNOperandDataType_Int8: *lo = INT8_MIN; *hi = INT8_MAX; break;
        case WNNOperandDataType_Uint8: *lo = 0; *hi = UINT8_MAX; break;
        case WNNOperandDataType_Int32: *lo = INT32_MIN; *hi = INT32_MAX; break;
        case WNNOperandDataType_Uint32: *lo = 0; *hi = UINT32_MAX; break;
        case WNNOperandDataType_Uint64: *lo = 0; *hi = UINT64_MAX; break;
        default: *lo = INT64_MIN; *hi = INT64_MAX; break;
    }
}

int wnn_store_number(void* data, WNNOperandDataType t, size_t i, WNNNumber n) {
    if (n.type == WNNNumberType_Double || wnn_type_is_float(t)) {
        double v = n.type == WNNNumberType_Double ? n.asDouble
                   : n.type == WNNNumberType_Int64 ? (double)n.asInt64 : (double)n.asUint64;
        if (n.type == WNNNumberType_Undefined) return 0;
        wnn_store_f64(data, t, i, v);
        return 1;
    }
    int64_t lo;
    uint64_t hi;
    type_range(t, &lo, &hi);
    if (n.type == WNNNumberType_Int64) {
        if (n.asInt64 < lo) wnn_store_i64(data, t, i, lo);
        else if (n.asInt64 > 0 && (uint64_t)n.asInt64 > hi) wnn_store_u64(data, t, i, hi);
        else wnn_store_i64(data, t, i, n.asInt64);
        return 1;
    }
    if (n.type == WNNNumberType_Uint64) {
        wnn_store_u64(data, t, i, n.asUint64 > hi ? hi : n.asUint64);
        return 1;
    }
    return 0;
}
