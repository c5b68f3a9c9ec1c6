/* The four applications in one program, a ~2 MB module for the start-up benchmark (issue 13:
 * a cached start of a multi-megabyte program): `all lua|sqlite|zstd|zlib ARGS...` runs that
 * application's driver with ARGS (argv[0] becomes the application's name). build.sh compiles
 * each driver with -Dmain=NAME_main. */
#include <stdio.h>
#include <string.h>

int lua_main(int argc, char **argv);
int sqlite_main(int argc, char **argv);
int zstd_main(int argc, char **argv);
int zlib_main(int argc, char **argv);

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        int (*main)(int, char **);
    } apps[] = {{"lua", lua_main}, {"sqlite", sqlite_main}, {"zstd", zstd_main}, {"zlib", zlib_main}};
    for (unsigned i = 0; argc > 1 && i < sizeof apps / sizeof apps[0]; i++) {
        if (strcmp(argv[1], apps[i].name) == 0) return apps[i].main(argc - 1, argv + 1);
    }
    fprintf(stderr, "usage: all lua|sqlite|zstd|zlib ARGS...\n");
    return 2;
}
