/* CGI guest `state`: shows what survives from one request to the next.
 *   count=N       a static counter incremented once per run: 1 when every request gets a fresh
 *                 sandbox (a new process or a new instance), more if one were reused.
 *   file=NAME     (query, [A-Za-z0-9_-] only) checks whether /tmp/cwali-cgi-state-NAME exists,
 *                 reports `previous=yes|no`, then creates it (`created=yes`, or `created=no
 *                 errno=E` when /tmp is not writable): a second request with the same NAME says
 *                 previous=yes when requests share a file system. The caller picks a fresh NAME,
 *                 so the output is deterministic. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "query.h"

static int counter;

int main(void) {
    counter++;
    fputs("Content-Type: text/plain\n\n", stdout);
    printf("count=%d\n", counter);

    char name[64];
    if (query_param("file", name, sizeof name)) {
        for (const char *p = name; *p; p++) {
            int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
            if (!ok) {
                puts("file=invalid");
                return 0;
            }
        }
        char path[128];
        snprintf(path, sizeof path, "/tmp/cwali-cgi-state-%s", name);
        printf("previous=%s\n", access(path, F_OK) == 0 ? "yes" : "no");
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            puts("created=yes");
            close(fd);
        } else {
            printf("created=no errno=%d\n", errno);
        }
    }
    return 0;
}
