/* The smallest useful instance-sandbox guest: the sandbox benchmark's workload. */
#include <stdio.h>

int main(void) {
    puts("hello from a sandbox");
    return 0;
}
