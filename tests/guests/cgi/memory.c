/* CGI guest `memory` (hostile): allocates 1 MiB blocks, touching every page, until malloc fails
 * or `max` MiB (query max=, default 4096, i.e. all a wasm32 memory can hold) were obtained, then
 * reports in its body how many MiB it got. The header is printed first so that stdio's buffer
 * exists before memory runs out. Under a memory limit the limit shows in the number; without one
 * (natively, no max) it is a memory bomb: native tests pass a small max. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

/* The blocks are chained and the chain's head is volatile: without an escape, the compiler may
 * drop a malloc whose memory is never read (and then assume it succeeded). */
static void *volatile head;

int main(void) {
    long max = query_long("max", 4096, 0, 1L << 20);
    fputs("Content-Type: text/plain\n\n", stdout);
    long got = 0;
    while (got < max) {
        char *block = malloc(1 << 20);
        if (!block) break;
        memset(block, (int)(got & 0xff) | 1, 1 << 20);
        *(void **)block = head;
        head = block;
        got++;
    }
    printf("allocated %ld MiB (max %ld)\n", got, max);
    return 0;
}
