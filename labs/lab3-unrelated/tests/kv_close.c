/* kv_close.c - public tests of kv_close and of what kv_open keeps: no file descriptor
 * and no mapping outlives a closed handle or a failed open.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_close/..'. */
#include "lab3_util.h"

MM_SUITE(kv_close, 30);

#define HINT_LEAK "kv_close must munmap and close what kv_open made; a failing kv_open " \
    "undoes what it did (handout lab3, \"Errors and errno\")."

Test(kv_close, open_close_leaks_no_fd_or_mapping)
{
    const char *path = kvt_path();
    struct kv *kv;
    char buf[8];

    MM_EXPECT_PTR(kv = kv_open(path, 64, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    /* Round 0 is a warm-up: the first malloc of a size may map an arena (ASan's too). */
    int fds = 0, maps = 0;
    for (int i = 0; i < 21; i++) {
        if (i == 1)
            fds = mm_count_fds(), maps = mm_count_maps();
        MM_EXPECT_PTR(kv = kv_open(path, 0, i % 2 ? KV_RDONLY : 0), KVT_HINT_OPEN);
        if (i % 2 == 0)
            MM_EXPECT_OK(kv_put(kv, "k", "v", 1), "kv_put");
        MM_ASSERT(kv_get(kv, "k", buf, sizeof buf) == 1, "kv_get");
        MM_EXPECT_OK(kv_close(kv), "kv_close");
    }
    MM_ASSERT(mm_count_fds() == fds && mm_count_maps() == maps, "after 20 kv_open + "
              "kv_close: %d file descriptors (before: %d), %d mappings (before: %d).\n  "
              "Hint: " HINT_LEAK, mm_count_fds(), fds, mm_count_maps(), maps);
    MM_END();
}

Test(kv_close, failed_open_leaks_nothing)
{
    const unsigned int prefix[2] = { KV_MAGIC, KV_VERSION };
    const char *dir = mm_tmpdir(), *missing = kvt_path();
    const char *shortfile = mm_tmpfile(prefix, sizeof prefix);
    const char *text = mm_tmpfile("not a store, just text\n", 23);
    char big[8192];
    memset(big, 'x', sizeof big);
    const char *bigfile = mm_tmpfile(big, sizeof big);

    int fds = 0, maps = 0;
    for (int i = 0; i < 3; i++) {       /* few rounds: an open may wait up to 2 s to decide */
        if (i == 1)                     /* after a warm-up round, as above */
            fds = mm_count_fds(), maps = mm_count_maps();
        MM_EXPECT_NULL_ERRNO(kv_open(missing, 0, 0), ENOENT, HINT_LEAK);
        MM_EXPECT_NULL_ERRNO(kv_open(dir, 0, 0), EISDIR, HINT_LEAK);
        MM_EXPECT_NULL_ERRNO(kv_open(dir, 0, KV_RDONLY), ENODEV, HINT_LEAK);
        MM_EXPECT_NULL_ERRNO(kv_open(shortfile, 0, 0), EINVAL, HINT_LEAK);
        MM_EXPECT_NULL_ERRNO(kv_open(text, 0, KV_RDONLY), EINVAL, HINT_LEAK);
        MM_EXPECT_NULL_ERRNO(kv_open(bigfile, 0, 0), EINVAL, HINT_LEAK);
    }
    MM_ASSERT(mm_count_fds() == fds && mm_count_maps() == maps, "after 12 failed kv_open "
              "calls: %d file descriptors (before: %d), %d mappings (before: %d).\n  Hint: "
              HINT_LEAK, mm_count_fds(), fds, mm_count_maps(), maps);
    MM_END();
}
