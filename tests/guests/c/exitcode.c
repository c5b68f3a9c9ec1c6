/* Exits with status 42 by returning it from main (WALI: __proc_exit(42); native: exit(42)). */
#include "wali.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return 42;
}
