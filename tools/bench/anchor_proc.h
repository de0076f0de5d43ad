/* anchor_proc.h: an anchor script (bench/anchors/NAME_workloads.py --serve) run as a child process and driven
 * line by line, so that its rounds interleave with ours. The protocol, one JSON object per line on
 * the child's stdout (anything else it prints goes to stderr):
 *   child, once set up:   {"ready": true, "anchor": "...", "threads": T, ...}
 *   we send "round\n":    child runs 1 untimed and N timed runs, answers
 *                         {"round": k, "times_ms": [...], "checksums": {OUTPUT: {"sum", "sumsq", "sumabs", "wsum"}}}
 *   we close its stdin:   child exits 0.
 *   on any failure:       {"error": "..."} and the child exits non-zero. */
#ifndef WNN_TOOLS_BENCH_ANCHOR_PROC_H_
#define WNN_TOOLS_BENCH_ANCHOR_PROC_H_

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct WbaAnchor WbaAnchor;

/* Starts argv[0] (searched in PATH) with argv; NULL on failure (err says why). */
WbaAnchor* wba_start(char* const* argv, char* err, size_t errSize);
/* Sends `line` (NULL: send nothing) and returns the next JSON object the child prints; NULL when it
 * exits first or answers {"error"} (err says which). The caller deletes the result. */
cJSON* wba_request(WbaAnchor* a, const char* line, char* err, size_t errSize);
/* Closes the child's stdin and waits for it; returns its exit status (-1 when killed). */
int wba_stop(WbaAnchor* a);

#endif
