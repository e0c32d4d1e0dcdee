/* asan_probe.c - what the sanitizers of `make asan` check and what they do not, on the
 * machine that builds the handouts: a read past a malloc'd block is reported, a read past a
 * mapped window into the next mapping is not (ASan does not poison mmap'd memory). Built
 * with the labs' SANFLAGS; prints errno-probe rows (id, group, as root, as user, setup).
 * Run: build/handouts/asan-probe >> build/handouts/gen/errno.tsv */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { R_REPORTED = 42, R_SETUP = 255 };

/* The sanitizers' own hooks: a report ends the process with this status instead of 1. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void) { return "exitcode=42"; }
const char *__ubsan_default_options(void) { return "exitcode=42"; }

static long pg;

static int c_malloc_overread(void)
{
    char *p = malloc(16);
    volatile size_t one_past = 16;      /* volatile: the compiler must not see the bug */
    if (p == NULL)
        return R_SETUP;
    memset(p, 0, 16);
    return p[one_past] == 0x7f;
}

/* A one-page window of a file, and the next pages mapped anonymously right after it. */
static int c_mmap_overread(void)
{
    char path[] = "/tmp/asan-probe.XXXXXX";
    int fd = mkstemp(path);
    if (fd == -1 || unlink(path) == -1 || ftruncate(fd, pg) == -1)
        return R_SETUP;
    char *area = mmap(NULL, 5 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return R_SETUP;
    volatile char *window = mmap(area, pg, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
    if (window != area)
        return R_SETUP;
    return window[3 * pg] == 0x7f;      /* 3 pages past the window's end */
}

static const char *run(int (*fn)(void))
{
    pid_t pid = fork();
    if (pid == -1)
        return "setup-failed";
    if (pid == 0) {
        /* The report itself is noise in a build log; its exit status is the result. */
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(R_SETUP);
        _exit(fn());
    }
    int st;
    if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
        return "setup-failed";
    switch (WEXITSTATUS(st)) {
    case 0:          return "not-reported";
    case R_REPORTED: return "reported";
    default:         return "setup-failed";
    }
}

int main(int argc, char **argv)
{
    static const struct { const char *id; int (*fn)(void); const char *setup; } cases[] = {
        { "asan_malloc_overread", c_malloc_overread,
          "ASan+UBSan build: read the byte just past a 16-byte malloc block" },
        { "asan_mmap_overread", c_mmap_overread,
          "ASan+UBSan build: read 3 pages past a one-page file window, into the next mapping" },
    };
    if (argc > 1) {
        fprintf(stderr, "usage: %s >> errno.tsv   (no options)\n", argv[0]);
        return 2;
    }
    pg = sysconf(_SC_PAGESIZE);
    int root = geteuid() == 0, bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *r = run(cases[i].fn);
        bad |= strcmp(r, "setup-failed") == 0;
        printf("%s\tsanitizer\t%s\t%s\t%s\n", cases[i].id, root ? r : "-", root ? "-" : r,
               cases[i].setup);
    }
    return bad;
}
