/* tolerance.c: ULP (float32 sign-magnitude bits, binary16 bits, integer difference) and ATOL. */
#include "tolerance.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static int64_t ordered32(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    int64_t mag = u & 0x7fffffffu;
    return (u >> 31) ? -mag : mag;
}

static int64_t ordered16(uint16_t h) {
    int64_t mag = h & 0x7fff;
    return (h >> 15) ? -mag : mag;
}

/* Distance of one element; returns 0 when equal. Expected is the JSON value. */
static double distance(const WtdTensor* a, size_t i, const cJSON* ev, WtolMetric metric) {
    if (!wnn_type_is_float(a->type)) {
        WNNNumber n;
        if (wtd_json_mlnumber(ev, &n)) return INFINITY;
        uint64_t bytes = 0;
        wnn_store_number(&bytes, a->type, 0, n);
        if (a->type == WNNOperandDataType_Uint64) {
            uint64_t x = wnn_load_u64(a->data, a->type, i), y = wnn_load_u64(&bytes, a->type, 0);
            return (double)(x > y ? x - y : y - x);
        }
        int64_t x = wnn_load_i64(a->data, a->type, i), y = wnn_load_i64(&bytes, a->type, 0);
        return fabs((double)x - (double)y);
    }
    double e;
    if (wtd_json_number(ev, &e)) return INFINITY;
    double x = wnn_load_f64(a->data, a->type, i);
    if (a->type == WNNOperandDataType_Float16) {
        uint16_t ha = ((const uint16_t*)a->data)[i], he = wnn_double_to_half(e);
        double ea = wnn_half_to_float(he);
        if (x == ea) return 0; /* also +0 == -0 and inf == inf */
        if (isnan(x) || isnan(ea)) return INFINITY;
        return metric == WTOL_ULP ? fabs((double)(ordered16(ha) - ordered16(he))) : fabs(x - e);
    }
    float fe = (float)e;
    if ((float)x == fe) return 0;
    if (isnan(x) || isnan(fe)) return INFINITY;
    return metric == WTOL_ULP ? fabs((double)(ordered32((float)x) - ordered32(fe))) : fabs(x - e);
}

int wtol_compare(const WtdTensor* actual, const cJSON* expectedData, WtolMetric metric, double value, WtolResult* r) {
    memset(r, 0, sizeof *r);
    int fill = !cJSON_IsArray(expectedData);
    size_t n = fill ? (actual->count < 1000 ? actual->count : 1000) : (size_t)cJSON_GetArraySize(expectedData);
    if (!fill && n != actual->count) {
        snprintf(r->detail, sizeof r->detail, "expected %zu elements, got %zu", n, actual->count);
        r->failed = 1;
        return 1;
    }
    const cJSON* ev = fill ? expectedData : expectedData->child;
    for (size_t i = 0; i < n; i++) {
        double d = distance(actual, i, ev, metric);
        r->compared++;
        if (d > r->worst) r->worst = d;
        if (!(d <= value)) {
            if (!r->failed++) {
                r->firstBad = i;
                double e = 0;
                wtd_json_number(ev, &e);
                snprintf(r->detail, sizeof r->detail, "element %zu: got %.9g, expected %.9g (%s %g > %g)", i,
                         wtd_value(actual, i), e, metric == WTOL_ULP ? "ULP" : "ATOL", d, value);
            }
        }
        if (!fill) ev = ev->next;
    }
    return r->failed ? 1 : 0;
}
