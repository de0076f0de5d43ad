/* tool_util.c: see tool_util.h. */
#include "tool_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

cJSON* wtu_load_json(const char* path) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char* text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    size_t got = text ? fread(text, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!text) return NULL;
    text[got] = 0;
    cJSON* j = cJSON_Parse(text);
    free(text);
    return j;
}

double wtu_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

void wtu_sort(double* v, int n) { qsort(v, (size_t)n, sizeof(double), cmp); }
