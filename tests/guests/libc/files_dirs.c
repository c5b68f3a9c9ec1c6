/* Files and directories through the libc: mkdir/opendir/readdir/rewinddir/scandir, getcwd/chdir,
 * rename, symlink/readlink/realpath, stat, ftruncate, mmap of files (shared write-back, private
 * copy-on-write, msync, mprotect), tmpfile and mkstemp. Runs in an empty directory and leaves it
 * empty. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }
static int no_dots(const struct dirent *d) { return d->d_name[0] != '.'; }

int main(void) {
    char top[PATH_MAX];
    getcwd(top, sizeof top);
    int r1 = mkdir("d", 0755);
    int r2 = mkdir("d", 0755);
    printf("mkdir=%d again=%d %s\n", r1, r2, errno == EEXIST ? "EEXIST" : "?");
    chdir("d");
    char here[PATH_MAX];
    getcwd(here, sizeof here);
    printf("cwd is top/d=%d\n", strlen(here) == strlen(top) + 2 && !strncmp(here, top, strlen(top)) && !strcmp(here + strlen(top), "/d"));
    const char *names[] = {"b.txt", "a.txt", "c.dat"};
    for (int i = 0; i < 3; i++) {
        FILE *f = fopen(names[i], "w");
        fprintf(f, "%s has %d bytes?\n", names[i], i);
        fclose(f);
    }
    mkdir("sub", 0700);
    struct dirent **list;
    int n = scandir(".", &list, no_dots, by_name);
    printf("scandir=%d:", n);
    for (int i = 0; i < n; i++) {
        printf(" %s%s", list[i]->d_name, list[i]->d_type == DT_DIR ? "/" : "");
        free(list[i]);
    }
    free(list);
    printf("\n");
    DIR *dir = opendir(".");
    int count = 0, again = 0;
    struct dirent *e;
    while ((e = readdir(dir))) count++;
    rewinddir(dir);
    while ((e = readdir(dir))) again++;
    printf("readdir entries incl. dots=%d after rewind=%d dirfd valid=%d\n", count, again, dirfd(dir) >= 0);
    closedir(dir);
    DIR *missing = opendir("nope");
    printf("opendir missing=%s\n", missing == NULL && errno == ENOENT ? "ENOENT" : "?");

    printf("rename=%d\n", rename("c.dat", "sub/c.dat"));
    struct stat st;
    r1 = stat("sub/c.dat", &st);
    printf("stat moved=%d size=%lld regular=%d mode=%o\n", r1, (long long)st.st_size, S_ISREG(st.st_mode),
           st.st_mode & 0777 & ~0022);
    r1 = rmdir("sub");
    printf("rmdir non-empty=%d %s\n", r1, errno == ENOTEMPTY ? "ENOTEMPTY" : "?");
    symlink("sub/c.dat", "link");
    char target[64] = {0};
    ssize_t tl = readlink("link", target, sizeof target - 1);
    printf("readlink=%zd '%s'\n", tl, target);
    char real[PATH_MAX];
    realpath("link", real);
    printf("realpath ends with /d/sub/c.dat=%d\n", strlen(real) > 12 && !strcmp(real + strlen(real) - 12, "/d/sub/c.dat"));
    lstat("link", &st);
    printf("lstat is link=%d\n", S_ISLNK(st.st_mode));

    /* mmap of a file: MAP_SHARED writes reach the file, MAP_PRIVATE ones do not. */
    int fd = open("map.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(fd, 8192);
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("mmap shared ok=%d zero filled=%d\n", m != MAP_FAILED, m[0] == 0 && m[8191] == 0);
    strcpy(m, "written through the mapping");
    strcpy(m + 4096, "second page");
    printf("msync=%d\n", msync(m, 8192, MS_SYNC));
    char rb[32] = {0};
    pread(fd, rb, 27, 0);
    printf("file sees '%s'\n", rb);
    pread(fd, rb, 11, 4096);
    rb[11] = 0;
    printf("file page 2 '%s'\n", rb);
    pwrite(fd, "FILE", 4, 0);
    printf("mapping sees pwrite: %.11s\n", m);
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    p[0] = 'p';
    pread(fd, rb, 4, 0);
    rb[4] = 0;
    printf("private write: mapping %.4s file %s\n", p, rb);
    munmap(p, 4096);
    char *off = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
    printf("mmap at offset 4096: %s\n", off);
    printf("mprotect read-only=%d\n", mprotect(m, 4096, PROT_READ));
    munmap(off, 4096);
    munmap(m, 8192);
    close(fd);
    char *bad = mmap(NULL, 4096, PROT_READ, MAP_SHARED, -1, 0);
    printf("mmap bad fd=%s\n", bad == MAP_FAILED && errno == EBADF ? "EBADF" : "?");
    char *anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(anon, 7, 1 << 20);
    printf("anonymous 1 MiB=%d\n", anon[(1 << 20) - 1] == 7);
    munmap(anon, 1 << 20);

    /* mkstemp and tmpfile. */
    char tmpl[] = "tmpXXXXXX";
    fd = mkstemp(tmpl);
    printf("mkstemp fd ok=%d name changed=%d\n", fd >= 0, strcmp(tmpl, "tmpXXXXXX") != 0);
    close(fd);
    unlink(tmpl);
    FILE *tf = tmpfile();
    fputs("scratch", tf);
    rewind(tf);
    char sb[16] = {0};
    fgets(sb, sizeof sb, tf);
    printf("tmpfile '%s'\n", sb);
    fclose(tf);

    /* Clean up. */
    unlink("map.bin");
    unlink("link");
    unlink("sub/c.dat");
    rmdir("sub");
    unlink("a.txt");
    unlink("b.txt");
    chdir("..");
    printf("rmdir=%d\n", rmdir("d"));
    return 0;
}
