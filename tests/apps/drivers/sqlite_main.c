/* Our SQLite driver: `sqlite DB [SQL...]` opens DB (":memory:" for none) and runs each SQL
 * argument, or all of stdin when there is none. Result rows print as the sqlite3 shell's list
 * mode does: columns joined by '|', NULL as an empty field. An error prints `error: MESSAGE` on
 * stderr and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sqlite3.h"

static int print_row(void *unused, int ncol, char **vals, char **names) {
    (void)unused;
    (void)names;
    for (int i = 0; i < ncol; i++) {
        if (i) putchar('|');
        if (vals[i]) fputs(vals[i], stdout);
    }
    putchar('\n');
    return 0;
}

static char *read_all(FILE *f) {
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) return NULL;
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
        if (cap - len < 2) buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    return buf;
}

static int run(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, print_row, NULL, &err) != SQLITE_OK) {
        fflush(stdout);
        fprintf(stderr, "error: %s\n", err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: sqlite DB [SQL...]\n");
        return 2;
    }
    sqlite3 *db;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
        fprintf(stderr, "error: cannot open %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    int rc = 0;
    if (argc > 2) {
        for (int i = 2; i < argc && rc == 0; i++) rc = run(db, argv[i]);
    } else {
        char *sql = read_all(stdin);
        rc = sql ? run(db, sql) : 1;
        free(sql);
    }
    sqlite3_close(db);
    fflush(stdout);
    return rc;
}
