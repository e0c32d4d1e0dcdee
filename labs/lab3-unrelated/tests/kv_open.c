/* kv_open.c - public tests of kv_open: creating and reopening a store, four programs
 * creating one at the same moment, and the errno of every way opening can fail.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_open/..'. */
#include "lab3_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

MM_SUITE(kv_open, 30);

#define HINT_CREATE "create with O_CREAT | O_EXCL, ftruncate to the full size, then " \
    "initialise (handout lab3, \"Opening and creating a store (kv_open)\")."
#define HINT_ERRORS "see the handout lab3, \"Errors and errno\"."

Test(kv_open, create_then_reopen_keeps_data)
{
    const char *path = kvt_path();
    struct kv *kv;
    char buf[16];

    MM_EXPECT_PTR(kv = kv_open(path, 16, KV_CREATE), HINT_CREATE);
    MM_EXPECT_OK(kv_put(kv, "lang", "C11", 3), HINT_CREATE);
    MM_EXPECT_OK(kv_close(kv), "kv_close unmaps and closes.");
    MM_EXPECT_PTR(kv = kv_open(path, 0, 0), "an existing store opens without KV_CREATE; "
                  KVT_HINT_OPEN);
    ssize_t n = kv_get(kv, "lang", buf, sizeof buf);
    MM_ASSERT(n == 3 && memcmp(buf, "C11", 3) == 0, "after reopening, kv_get(\"lang\") "
              "returned %zd, expected 3 (\"C11\").\n  Hint: the data must live in the "
              "MAP_SHARED mapping of the file (handout lab3, \"Store layout\").", n);
    MM_EXPECT_OK(kv_close(kv), "kv_close unmaps and closes.");
    MM_END();
}

Test(kv_open, missing_without_create_gives_ENOENT)
{
    MM_EXPECT_NULL_ERRNO(kv_open(kvt_path(), 16, 0), ENOENT,
                         "without KV_CREATE a missing store is an error; " HINT_ERRORS);
    MM_END();
}

Test(kv_open, nslots_zero_gives_EINVAL)
{
    const char *path = kvt_path();
    MM_EXPECT_NULL_ERRNO(kv_open(path, 0, KV_CREATE), EINVAL,
                         "a new store needs at least one slot; " HINT_ERRORS);
    MM_ASSERT(access(path, F_OK) == -1, "kv_open(path, 0, KV_CREATE) failed but left a file "
              "behind.\n  Hint: check nslots before creating anything (handout lab3, "
              "\"Errors and errno\").");
    MM_END();
}

Test(kv_open, shm_name_without_slash_gives_EINVAL)
{
    const char *name = kvt_shm_name();      /* "/mmtest-kv-...": removed at the end */
    MM_EXPECT_NULL_ERRNO(kv_open(name + 1, 16, KV_CREATE | KV_SHM), EINVAL,
                         "a POSIX shared-memory name starts with '/'; " HINT_ERRORS);
    MM_ASSERT(!kvt_shm_exists(name), "kv_open failed but created /dev/shm%s.\n  Hint: check "
              "the name before calling shm_open.", name);
    MM_END();
}

Test(kv_open, text_file_is_not_a_store_gives_EINVAL)
{
    char text[20000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "the quick brown fox jumps over the lazy dog\n"[i % 44];
    const char *path = mm_tmpfile(text, sizeof text);
    MM_EXPECT_NULL_ERRNO(kv_open(path, 16, KV_CREATE), EINVAL,
                         "an existing file without KV_MAGIC is not a store, even with "
                         "KV_CREATE; check the magic (handout lab3, \"Store layout\").");
    size_t len;
    char *after = mm_slurp(path, &len);
    MM_ASSERT(after && len == sizeof text && memcmp(after, text, len) == 0,
              "kv_open changed a file that is not a store.\n  Hint: never ftruncate or "
              "write a file you did not create (handout lab3, \"Opening and creating a "
              "store (kv_open)\").");
    free(after);
    MM_END();
}

Test(kv_open, short_file_gives_EINVAL_not_SIGBUS)
{
    static const unsigned char one[1] = { 'K' };
    const unsigned int prefix[2] = { KV_MAGIC, KV_VERSION };

    MM_EXPECT_NULL_ERRNO(kv_open(mm_tmpfile(one, sizeof one), 0, 0), EINVAL,
                         "a 1-byte file is shorter than any header; check its size with "
                         "fstat before mapping (handout lab3, \"Store layout\").");
    MM_EXPECT_NULL_ERRNO(kv_open(mm_tmpfile(prefix, sizeof prefix), 0, KV_RDONLY), EINVAL,
                         "a file holding only KV_MAGIC and KV_VERSION is shorter than the "
                         "header: compare st_size with the header size before reading it "
                         "(primer, \"SIGBUS and SIGSEGV\").");
    MM_END();
}

Test(kv_open, directory_gives_EISDIR)
{
    MM_EXPECT_NULL_ERRNO(kv_open(mm_tmpdir(), 16, 0), EISDIR,
                         "open(dir, O_RDWR) says EISDIR: pass it through; " HINT_ERRORS);
    MM_EXPECT_NULL_ERRNO(kv_open(mm_tmpdir(), 16, KV_CREATE), EISDIR,
                         "KV_CREATE on an existing directory: still EISDIR; " HINT_ERRORS);
    MM_END();
}

Test(kv_open, directory_rdonly_gives_ENODEV)
{
    MM_EXPECT_NULL_ERRNO(kv_open(mm_tmpdir(), 0, KV_RDONLY), ENODEV,
                         "a directory opens O_RDONLY but cannot be mapped: ENODEV, as mmap "
                         "says (check S_ISREG after fstat); " HINT_ERRORS);
    MM_END();
}

Test(kv_open, four_programs_create_at_once)
{
    kvt_create_race(kvt_path(), 0, 8);
    MM_END();
}

Test(kv_open, store_outlives_every_program)
{
    const char *path = kvt_path();
    struct kvt_run r;

    kvt_run(&r, 10000, "kvhelper", path, "fill", "128", "persist-", "0", "50", NULL);
    MM_ASSERT(r.status == 0, "a program creating the store and putting 50 keys exited %d "
              "(stderr: %s).\n  Hint: " KVT_HINT_OPEN, r.status, r.err);
    kvt_run(&r, 10000, "kvhelper", path, "check", "persist-", "0", "50", NULL);
    MM_ASSERT(r.status == 0, "a program started after the writer had exited could not read "
              "its 50 keys back (exit %d): %s  Hint: the store lives in the file, mapped "
              "MAP_SHARED (handout lab3, \"Background: sharing by name\").", r.status, r.err);
    struct kv *kv;
    MM_EXPECT_PTR(kv = kv_open(path, 0, KV_RDONLY), KVT_HINT_OPEN);
    MM_ASSERT(kv_count(kv) == 50, "kv_count is %zu in a store holding 50 keys.",
              kv_count(kv));
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

/* Plays a creator that has won O_EXCL but is slow to initialise: the store file exists,
 * empty, while a program opens it with KV_CREATE; only then does the file become a store
 * (bytes of a real one, written the way a creator writes them: size first, header last). */
Test(kv_open, opener_waits_for_a_slow_creator)
{
    const char *path = kvt_path(), *model = kvt_path();
    struct kv *kv;
    int go[2], ready[2];
    size_t len;

    MM_EXPECT_PTR(kv = kv_open(model, 64, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kvt_put(kv, "early", 1), "kv_put");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    char *image = mm_slurp(model, &len);
    long page = sysconf(_SC_PAGESIZE);
    MM_ASSERT(image != NULL && len > (size_t)page, "could not read a store file back");
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    MM_ASSERT(fd != -1, "could not create %s", path);

    MM_ASSERT(pipe2(go, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0, "pipe2 failed");
    const char *argv[] = { "kvhelper", path, "create", "64", "late", NULL };
    pid_t pid = kvt_spawn(argv, go[0], ready[1]);
    close(go[0]), close(ready[1]);
    char c;
    int started = read(ready[0], &c, 1) == 1;
    close(ready[0]);
    close(go[1]);                       /* the program calls kv_open now... */
    kvt_sleep_ms(200);                  /* ...and must still be waiting 200 ms later */
    int written = ftruncate(fd, (off_t)len) == 0 &&
                  pwrite(fd, image + page, len - (size_t)page, page) == (ssize_t)len - page &&
                  pwrite(fd, image, (size_t)page, 0) == page;
    close(fd);
    free(image);
    MM_ASSERT(started && written, "could not start the program or write the store file");
    int rc = kvt_wait(pid, 10000);
    MM_ASSERT(rc == 0, "a program opening, with KV_CREATE, a store whose creator needed 200 ms "
              "to initialise it %s.\n  Hint: when O_CREAT | O_EXCL fails with EEXIST, "
              "another process is creating the store: wait (at most 2 s) until it is as long "
              "as the header and says ready (handout lab3, \"Opening and creating a store "
              "(kv_open)\").", rc == -1 ? "crashed or hung" : "failed");
    MM_EXPECT_PTR(kv = kv_open(path, 0, KV_RDONLY), KVT_HINT_OPEN);
    unsigned char val[KV_VALUE_MAX];
    ssize_t n_late = kv_get(kv, "late", val, sizeof val);
    ssize_t n_early = kv_get(kv, "early", val, sizeof val);
    MM_ASSERT(n_late > 0 && n_early > 0, "after the slow creator finished, the key put by "
              "the waiting program is %s and the creator's key is %s.\n  Hint: only the "
              "process whose O_CREAT | O_EXCL succeeded initialises; an existing empty file "
              "is somebody else's creation in progress.", n_late > 0 ? "there" : "missing",
              n_early > 0 ? "there" : "missing");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}
