/* tensor_data.c: see tensor_data.h. */
#include "tensor_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int wtd_parse_descriptor(const cJSON* desc, WtdTensor* t, char* err, size_t errSize) {
    memset(t, 0, sizeof *t);
    const cJSON* shape = cJSON_GetObjectItemCaseSensitive(desc, "shape");
    const cJSON* type = cJSON_GetObjectItemCaseSensitive(desc, "dataType");
    if (!cJSON_IsArray(shape) || !cJSON_IsString(type)) {
        snprintf(err, errSize, "descriptor needs shape and dataType");
        return -1;
    }
    t->type = wnn_type_from_name(type->valuestring);
    if (!t->type) {
        snprintf(err, errSize, "unknown data type '%s'", type->valuestring);
        return -1;
    }
    int rank = cJSON_GetArraySize(shape);
    if (rank > WNN_MAX_RANK) {
        snprintf(err, errSize, "rank %d too large", rank);
        return -1;
    }
    t->rank = (uint32_t)rank;
    t->count = 1;
    for (int i = 0; i < rank; i++) {
        double d = cJSON_GetArrayItem(shape, i)->valuedouble;
        t->shape[i] = d < 0 || d > 4294967295.0 ? 0 : (uint32_t)d;
        t->count *= t->shape[i];
    }
    return 0;
}

int wtd_json_number(const cJSON* v, double* out) {
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return 0;
    }
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v) ? 1 : 0;
        return 0;
    }
    if (!cJSON_IsString(v)) return -1;
    const char* s = v->valuestring;
    if (strcmp(s, "NaN") == 0) *out = NAN;
    else if (strcmp(s, "Infinity") == 0) *out = INFINITY;
    else if (strcmp(s, "-Infinity") == 0) *out = -INFINITY;
    else {
        char* end;
        *out = strtod(s, &end);
        if (end == s) return -1;
    }
    return 0;
}

int wtd_json_mlnumber(const cJSON* v, WNNNumber* out) {
    if (cJSON_IsString(v)) {
        const char* s = v->valuestring;
        char* end;
        errno = 0;
        if (s[0] == '-') {
            long long x = strtoll(s, &end, 10);
            if (*end == 0 && errno == 0) { *out = wnnNumberInt64(x); return 0; }
        } else if (s[0] >= '0' && s[0] <= '9') {
            unsigned long long x = strtoull(s, &end, 10);
            if (*end == 0 && errno == 0) { *out = wnnNumberUint64(x); return 0; }
        }
    }
    double d;
    if (wtd_json_number(v, &d)) return -1;
    *out = wnnNumberDouble(d);
    return 0;
}

float wtd_prng_value(uint64_t seed, uint64_t index, double min, double max) {
    uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    double u = (double)(z >> 40) / 16777216.0;
    return (float)(min + (max - min) * u);
}

/* Stores one JSON element into slot i: integers exactly from strings, floats rounded once. */
static int store_element(WtdTensor* t, size_t i, const cJSON* v) {
    if (!wnn_type_is_float(t->type) && cJSON_IsString(v)) {
        WNNNumber n;
        if (wtd_json_mlnumber(v, &n)) return -1;
        wnn_store_number(t->data, t->type, i, n);
        return 0;
    }
    double d;
    if (wtd_json_number(v, &d)) return -1;
    if (t->type == WNNOperandDataType_Float16) ((uint16_t*)t->data)[i] = wnn_double_to_half(d);
    else if (wnn_type_is_float(t->type)) wnn_store_f64(t->data, t->type, i, d);
    else wnn_store_number(t->data, t->type, i, wnnNumberDouble(d));
    return 0;
}

int wtd_fill(WtdTensor* t, const cJSON* data, char* err, size_t errSize) {
    size_t esize = wnn_type_size(t->type);
    t->data = calloc(t->count ? t->count : 1, esize);
    if (!t->data) {
        snprintf(err, errSize, "out of memory");
        return -1;
    }
    if (cJSON_IsArray(data)) {
        size_t n = (size_t)cJSON_GetArraySize(data);
        if (n != t->count) {
            snprintf(err, errSize, "data has %zu elements, shape needs %zu", n, t->count);
            return -1;
        }
        size_t i = 0;
        for (const cJSON* v = data->child; v; v = v->next, i++)
            if (store_element(t, i, v)) {
                snprintf(err, errSize, "bad element %zu", i);
                return -1;
            }
        return 0;
    }
    const cJSON* random = cJSON_GetObjectItemCaseSensitive(data, "random");
    if (random) {
        double seed = cJSON_GetObjectItemCaseSensitive(random, "seed")->valuedouble;
        double lo = cJSON_GetObjectItemCaseSensitive(random, "min")->valuedouble;
        double hi = cJSON_GetObjectItemCaseSensitive(random, "max")->valuedouble;
        for (size_t i = 0; i < t->count; i++)
            wnn_store_f64(t->data, t->type, i, wtd_prng_value((uint64_t)seed, i, lo, hi));
        return 0;
    }
    for (size_t i = 0; i < t->count; i++)
        if (store_element(t, i, data)) {
            snprintf(err, errSize, "bad fill value");
            return -1;
        }
    return 0;
}

void wtd_free(WtdTensor* t) {
    free(t->data);
    t->data = NULL;
}

size_t wtd_byte_length(const WtdTensor* t) { return t->count * wnn_type_size(t->type); }

double wtd_value(const WtdTensor* t, size_t i) { return wnn_load_f64(t->data, t->type, i); }

WtdChecksum wtd_checksum(const WtdTensor* t) {
    WtdChecksum c = {0, 0, 0, 0};
    for (size_t i = 0; i < t->count; i++) {
        double x = wtd_value(t, i);
        c.sum += x;
        c.sumsq += x * x;
        c.sumabs += fabs(x);
        c.wsum += x * (double)((i % 251) + 1) / 251.0;
    }
    return c;
}
