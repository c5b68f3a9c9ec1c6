/* Prints argc and every argument, then exits with argc.
 *
 * argv[0] is the module path under WALI and the binary path natively, so it is printed last and
 * marked: a test compares the lines before "argv[0]=" between the two builds. */
#include "wali.h"

int main(int argc, char **argv) {
    print_kv("argc", argc);
    for (int i = 1; i < argc; i++) {
        print("argv[");
        print_int(i);
        print("]=");
        print(argv[i]);
        print("\n");
    }
    WALI_CHECK(argv[argc] == 0);
    print("argv[0]=");
    print(argv[0]);
    print("\n");
    return argc;
}
