/* Prints a greeting and exits 0 through main's return (the normal WALI start/exit path). */
#include "wali.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    print("hello from wali\n");
    return 0;
}
