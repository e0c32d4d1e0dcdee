/* kvtool.c - command-line client of a Lab 3 store: any number of kvtool runs, started
 * separately, share one store by its name (a file, or a shared-memory object with --shm).
 * usage: kvtool [--shm] [--create NSLOTS] STORE put KEY VALUE | get KEY | del KEY | list | stats
 * Example: kvtool --create 64 /tmp/s put lang C && kvtool /tmp/s get lang */
#include "kvstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: kvtool [--shm] [--create NSLOTS] STORE COMMAND\n"
    "  --shm            STORE is a shared-memory name (\"/name\"), not a file\n"
    "  --create NSLOTS  create the store with NSLOTS slots if it does not exist\n"
    "commands: put KEY VALUE | get KEY | del KEY | list | stats\n";

static const char *store_name;

static int version(void)
{
    puts("kvtool (mmap-labs) 1.0");      /* the same version in every tool and mmgrade */
    return 0;
}

/* Prints "kvtool: STORE: what: reason" and returns exit status 1. */
static int fail(const char *what, int err)
{
    if (what)
        fprintf(stderr, "kvtool: %s: %s: %s\n", store_name, what, strerror(err));
    else
        fprintf(stderr, "kvtool: %s: %s\n", store_name, strerror(err));
    return 1;
}

static int print_entry(const char *key, const void *val, size_t len, void *arg)
{
    (void)arg;
    printf("%s\t", key);
    fwrite(val, 1, len, stdout);
    putchar('\n');
    return ferror(stdout) ? -1 : 0;
}

/* Runs one checked command on an open store; returns the exit status. */
static int run(struct kv *kv, char **argv)
{
    const char *cmd = argv[0];
    char val[KV_VALUE_MAX];

    if (strcmp(cmd, "put") == 0)
        return kv_put(kv, argv[1], argv[2], strlen(argv[2])) == -1 ? fail("put", errno) : 0;
    if (strcmp(cmd, "get") == 0) {
        ssize_t len = kv_get(kv, argv[1], val, sizeof val);
        if (len == -1) {
            if (errno != ENOENT)
                return fail("get", errno);
            fprintf(stderr, "kvtool: %s: get %s: no such key\n", store_name, argv[1]);
            return 1;
        }
        fwrite(val, 1, (size_t)len, stdout);
        putchar('\n');
        return 0;
    }
    if (strcmp(cmd, "del") == 0) {
        if (kv_del(kv, argv[1]) == 0)
            return 0;
        if (errno != ENOENT)
            return fail("del", errno);
        fprintf(stderr, "kvtool: %s: del %s: no such key\n", store_name, argv[1]);
        return 1;
    }
    if (strcmp(cmd, "list") == 0)
        return kv_foreach(kv, print_entry, NULL) != 0 ? fail("list", errno) : 0;
    printf("entries: %zu\n", kv_count(kv));        /* stats */
    return 0;
}

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Usage is checked before the store is opened (or created): 1 if argv is a command. */
static int is_command(char **argv, int argc)
{
    static const struct { const char *name; int argc; } cmds[] = {
        { "put", 3 }, { "get", 2 }, { "del", 2 }, { "list", 1 }, { "stats", 1 },
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[0], cmds[i].name) == 0)
            return argc == cmds[i].argc;
    return 0;
}

int main(int argc, char **argv)
{
    int flags = 0, i = 1;
    size_t nslots = 0;

    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--version") == 0)
            return version();
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--shm") == 0) {
            flags |= KV_SHM;
        } else if (strcmp(argv[i], "--create") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || argv[i][0] == '-' || n == 0) {
                fprintf(stderr, "kvtool: --create %s: expected a slot count > 0\n", argv[i]);
                return 2;
            }
            nslots = (size_t)n, flags |= KV_CREATE;
        } else {
            fprintf(stderr, "kvtool: %s: unknown option\n%s", argv[i], usage);
            return 2;
        }
    }
    if (argc - i < 2 || !is_command(argv + i + 1, argc - i - 1)) {
        fputs(usage, stderr);
        return 2;
    }
    store_name = argv[i];
    int rdonly = strcmp(argv[i + 1], "get") == 0 || strcmp(argv[i + 1], "list") == 0 ||
                 strcmp(argv[i + 1], "stats") == 0;
    /* Readers open KV_RDONLY: a read-only file can be listed, and nothing gets locked. */
    struct kv *kv = kv_open(store_name, nslots, flags | (rdonly && !nslots ? KV_RDONLY : 0));
    if (kv == NULL && errno == EINVAL) {
        fprintf(stderr, "kvtool: %s: %s (not a store, or not a valid name)\n", store_name,
                strerror(EINVAL));
        return 1;
    }
    if (kv == NULL && errno == ENODEV && rdonly && !(flags & KV_SHM) && is_directory(store_name))
        errno = EISDIR;                 /* a directory is EISDIR for every command */
    if (kv == NULL)
        return fail(NULL, errno);
    int status = run(kv, argv + i + 1);
    if (fflush(stdout) == EOF && status == 0)
        status = fail("writing output", errno);
    if (kv_close(kv) == -1 && status == 0)
        status = fail("close", errno);
    return status;
}
