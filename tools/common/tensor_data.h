/* tensor_data.h: typed tensor buffers from the JSON data of the corpus and workload formats
 * (lists, scalar fills, "NaN"/"Infinity" strings, exact int64 strings, float16 rounding, and the
 * seeded splitmix64 PRNG of ../shared/bench/README.md), and checksums. */
#ifndef WNN_TOOLS_TENSOR_DATA_H_
#define WNN_TOOLS_TENSOR_DATA_H_

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "webnn/webnn.h"

typedef struct WtdTensor {
    WNNOperandDataType type;
    uint32_t rank;
    uint32_t shape[WNN_MAX_RANK];
    size_t count; /* elements */
    void* data;   /* count * element size bytes */
} WtdTensor;

/* Parses {"shape": [...], "dataType": "..."} into t (data NULL). 0 on success; err gets a message. */
int wtd_parse_descriptor(const cJSON* desc, WtdTensor* t, char* err, size_t errSize);
/* Allocates t->data and fills it from `data` (list, single number, or {"random": {...}}). */
int wtd_fill(WtdTensor* t, const cJSON* data, char* err, size_t errSize);
void wtd_free(WtdTensor* t);
size_t wtd_byte_length(const WtdTensor* t);

/* One JSON scalar as a double (numbers, "NaN", "Infinity", "-Infinity", decimal strings). */
int wtd_json_number(const cJSON* v, double* out);
/* One JSON scalar as an MLNumber: integers beyond 2^53 (decimal strings) stay exact. */
int wtd_json_mlnumber(const cJSON* v, WNNNumber* out);

/* splitmix64 as the bench README defines it: element i of a tensor with the given seed. */
float wtd_prng_value(uint64_t seed, uint64_t index, double min, double max);

/* Checksums of ../shared/bench/README.md, over the values as doubles. */
typedef struct WtdChecksum {
    double sum, sumsq, sumabs, wsum;
} WtdChecksum;
WtdChecksum wtd_checksum(const WtdTensor* t);
double wtd_value(const WtdTensor* t, size_t i);

#endif
