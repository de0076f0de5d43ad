/* tolerance.h: the conformance corpus's comparison rules (../shared/conformance/README.md). */
#ifndef WNN_TOOLS_TOLERANCE_H_
#define WNN_TOOLS_TOLERANCE_H_

#include <cjson/cJSON.h>

#include "tensor_data.h"

typedef enum WtolMetric { WTOL_ULP, WTOL_ATOL } WtolMetric;

typedef struct WtolResult {
    size_t compared, failed;
    size_t firstBad;
    double worst; /* largest distance seen */
    char detail[256];
} WtolResult;

/* Compares actual with the expected JSON data (list, or one number = fill; a fill compares at most
 * the first 1000 elements). Returns 0 when every compared element passes. */
int wtol_compare(const WtdTensor* actual, const cJSON* expectedData, WtolMetric metric, double value, WtolResult* r);

#endif
