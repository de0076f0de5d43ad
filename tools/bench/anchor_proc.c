/* anchor_proc.c: see anchor_proc.h. */
#include "anchor_proc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct WbaAnchor {
    pid_t pid;
    FILE* to;   /* the child's stdin */
    FILE* from; /* the child's stdout */
};

WbaAnchor* wba_start(char* const* argv, char* err, size_t errSize) {
    int in[2], out[2];
    /* close-on-exec: a later anchor must not inherit this one's pipes (dup2 clears it on 0 and 1) */
    if (pipe2(in, O_CLOEXEC)) {
        snprintf(err, errSize, "pipe failed");
        return NULL;
    }
    if (pipe2(out, O_CLOEXEC)) {
        close(in[0]), close(in[1]);
        snprintf(err, errSize, "pipe failed");
        return NULL;
    }
    /* A child that dies must not kill us with SIGPIPE on the next request: the write fails instead. */
    signal(SIGPIPE, SIG_IGN);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        snprintf(err, errSize, "fork failed");
        return NULL;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s\n", argv[0]);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    WbaAnchor* a = calloc(1, sizeof *a);
    a->pid = pid;
    a->to = fdopen(in[1], "w");
    a->from = fdopen(out[0], "r");
    return a;
}

cJSON* wba_request(WbaAnchor* a, const char* line, char* err, size_t errSize) {
    if (line && (fputs(line, a->to) < 0 || fflush(a->to))) {
        snprintf(err, errSize, "the anchor process is gone");
        return NULL;
    }
    char* buf = NULL;
    size_t cap = 0;
    cJSON* j = NULL;
    while (!j && getline(&buf, &cap, a->from) > 0) {
        j = buf[0] == '{' ? cJSON_Parse(buf) : NULL;
        if (!j) fprintf(stderr, "anchor: %s", buf); /* not protocol: pass it on */
    }
    free(buf);
    if (!j) {
        snprintf(err, errSize, "the anchor process ended without an answer");
        return NULL;
    }
    const cJSON* e = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (e) {
        snprintf(err, errSize, "%s", cJSON_IsString(e) ? e->valuestring : "error");
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

int wba_stop(WbaAnchor* a) {
    if (!a) return 0;
    fclose(a->to);
    fclose(a->from);
    int status = 0;
    waitpid(a->pid, &status, 0);
    free(a);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
