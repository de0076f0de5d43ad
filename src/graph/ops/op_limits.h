/* op_limits.h: shorthands for writing the op table's limits (wnn_opinfo_<op>). */
#ifndef WNN_GRAPH_OPS_OP_LIMITS_H_
#define WNN_GRAPH_OPS_OP_LIMITS_H_

#include "graph/graph.h"

#define RANK_N WNN_MAX_RANK
/* A slot: name, allowed types, required types, allowed ranks, required ranks. */
#define SLOT(name, allowed, required, rmin, rmax, qmin, qmax) {name, allowed, required, rmin, rmax, qmin, qmax}
#define REQ_INT (WNN_T_F32 | WNN_T_F16 | WNN_T_I32) /* the common required set */
#define SIGNED_NUM (WNN_T_FLOAT | WNN_T_I64 | WNN_T_I32 | WNN_T_I8)
#define NUMERIC_NO8 (WNN_T_FLOAT | WNN_T_I32 | WNN_T_U32 | WNN_T_I64 | WNN_T_U64)

#endif
