/* flops.c: see flops.h. The builder does the shape inference, so the count needs no shape rules of
 * its own. */
#include "flops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_json.h"

typedef struct Names {
    const char** name;
    WNNOperand* operand;
    size_t count, cap;
} Names;

static WNNOperand lookup(void* ctx, const char* name) {
    Names* n = ctx;
    for (size_t i = n->count; i-- > 0;) /* the latest binding of a name wins, as in graph_json.c */
        if (strcmp(n->name[i], name) == 0) return n->operand[i];
    return NULL;
}

static int bind(Names* n, const char* name, WNNOperand x) {
    if (n->count == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 64;
        const char** nn = realloc(n->name, cap * sizeof *nn);
        if (nn) n->name = nn;
        WNNOperand* no = realloc(n->operand, cap * sizeof *no);
        if (no) n->operand = no;
        if (!nn || !no) return -1;
        n->cap = cap;
    }
    n->name[n->count] = name;
    n->operand[n->count++] = x;
    return 0;
}

static double numel(WNNOperand x, uint32_t shape[WNN_MAX_RANK], uint32_t* rank) {
    *rank = wnnOperandGetRank(x);
    wnnOperandGetShape(x, shape);
    double n = 1;
    for (uint32_t i = 0; i < *rank; i++) n *= shape[i];
    return n;
}

/* The index-th positional argument ({"NAME": VALUE} entries other than {"options"}) as an operand. */
static WNNOperand arg_operand(Names* n, const cJSON* args, int index) {
    int i = 0;
    for (const cJSON* a = args ? args->child : NULL; a; a = a->next) {
        if (!a->child || strcmp(a->child->string, "options") == 0) continue;
        if (i++ == index) return cJSON_IsString(a->child) ? lookup(n, a->child->valuestring) : NULL;
    }
    return NULL;
}

static const char* option_str(const cJSON* args, const char* key, const char* fallback) {
    for (const cJSON* a = args ? args->child : NULL; a; a = a->next) {
        const cJSON* o = cJSON_GetObjectItemCaseSensitive(a, "options");
        const cJSON* v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
        if (cJSON_IsString(v)) return v->valuestring;
        if (cJSON_IsBool(v)) return cJSON_IsTrue(v) ? "true" : "false";
    }
    return fallback;
}

/* Multiply-accumulates of one op given its output operand; 0 for ops that are not counted. */
static double op_macs(Names* n, const char* op, const cJSON* args, WNNOperand out) {
    uint32_t so[WNN_MAX_RANK], sf[WNN_MAX_RANK], sa[WNN_MAX_RANK], ro, rf, ra;
    if (strcmp(op, "conv2d") == 0 || strcmp(op, "convTranspose2d") == 0) {
        WNNOperand x = arg_operand(n, args, 0), w = arg_operand(n, args, 1);
        if (!x || !w) return 0;
        double fn = numel(w, sf, &rf);
        int conv = op[4] == '2';
        const char* layout = option_str(args, "filterLayout", conv ? "oihw" : "iohw");
        /* conv2d: each output element takes numel(filter) / outputChannels taps; convTranspose2d: each
         * input element feeds numel(filter) / inputChannels outputs. Every layout puts that channel
         * first or last (oihw hwio ohwi ihwo; iohw hwoi ohwi). */
        int at = strlen(layout) == 4 && layout[3] == (conv ? 'o' : 'i') ? 3 : 0;
        if (rf != 4 || sf[at] == 0) return 0;
        double elems = conv ? numel(out, so, &ro) : numel(x, sa, &ra);
        return elems * fn / sf[at];
    }
    if (strcmp(op, "matmul") == 0 || strcmp(op, "gemm") == 0) {
        WNNOperand a = arg_operand(n, args, 0);
        if (!a) return 0;
        double on = numel(out, so, &ro);
        numel(a, sa, &ra);
        if (ra < 2) return 0;
        int transposed = op[0] == 'g' && strcmp(option_str(args, "aTranspose", "false"), "true") == 0;
        return on * (transposed ? sa[ra - 2] : sa[ra - 1]);
    }
    return 0;
}

int wbf_count(WNNContext ctx, const cJSON* graph, double* flops, char* err, size_t errSize) {
    *flops = 0;
    WNNGraphBuilder b = NULL;
    if (wnnCreateGraphBuilder(ctx, &b)) {
        snprintf(err, errSize, "createGraphBuilder: %s", wnnGetLastErrorMessage());
        return -1;
    }
    Names names = {0};
    int status = 0;
    const cJSON* inputs = cJSON_GetObjectItemCaseSensitive(graph, "inputs");
    for (const cJSON* in = inputs ? inputs->child : NULL; in && !status; in = in->next) {
        WtdTensor t;
        WNNOperand x = NULL;
        if (wtd_parse_descriptor(cJSON_GetObjectItemCaseSensitive(in, "descriptor"), &t, err, errSize)) status = -1;
        WNNOperandDescriptor d = {t.type, t.shape, t.rank};
        if (!status && wnnGraphBuilderInput(b, in->string, &d, &x)) {
            snprintf(err, errSize, "input '%s': %s", in->string, wnnGetLastErrorMessage());
            status = -1;
        }
        if (!status) status = bind(&names, in->string, x);
    }
    const cJSON* ops = cJSON_GetObjectItemCaseSensitive(graph, "operators");
    for (const cJSON* op = ops ? ops->child : NULL; op && !status; op = op->next) {
        const char* name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "name"));
        const cJSON* args = cJSON_GetObjectItemCaseSensitive(op, "arguments");
        const cJSON* outputs = cJSON_GetObjectItemCaseSensitive(op, "outputs");
        WNNOperand outs[16];
        size_t count = 0;
        char why[256];
        if (!name || wgj_call_op(b, name, args, lookup, &names, outs, 16, &count, why, sizeof why)) {
            snprintf(err, errSize, "operator %s: %s", name ? name : "?", name ? why : "no name");
            status = -1;
            break;
        }
        if (count) *flops += 2 * op_macs(&names, name, args, outs[0]);
        if (cJSON_IsString(outputs) && count) status = bind(&names, outputs->valuestring, outs[0]);
        size_t k = 0;
        for (const cJSON* o = cJSON_IsArray(outputs) ? outputs->child : NULL; o && k < count && !status; o = o->next)
            status = cJSON_IsString(o) ? bind(&names, o->valuestring, outs[k++]) : 0;
    }
    free(names.name);
    free(names.operand);
    wnnGraphBuilderRelease(b);
    return status;
}
