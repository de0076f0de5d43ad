/* tool_util.h: small helpers the command-line tools share. */
#ifndef WNN_TOOLS_TOOL_UTIL_H_
#define WNN_TOOLS_TOOL_UTIL_H_

#include <cjson/cJSON.h>

/* Reads and parses a JSON file; NULL when it cannot be read or parsed. */
cJSON* wtu_load_json(const char* path);
/* Monotonic clock in milliseconds. */
double wtu_now_ms(void);
/* Sorts n doubles ascending. */
void wtu_sort(double* v, int n);

#endif
