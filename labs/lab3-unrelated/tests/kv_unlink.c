/* kv_unlink.c - public tests of kv_unlink and of stores in POSIX shared memory (KV_SHM):
 * a round trip between this process and kvtool, then removal.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_unlink/..'. */
#include "lab3_util.h"

#include <unistd.h>

MM_SUITE(kv_unlink, 30);

#define HINT_SHM "with KV_SHM use shm_open/shm_unlink instead of open/unlink (handout " \
    "lab3, \"Background: sharing by name\")."

Test(kv_unlink, shm_store_round_trip_and_unlink)
{
    const char *name = kvt_shm_name();
    struct kv *kv;
    struct kvt_run r;
    char buf[16];

    MM_EXPECT_PTR(kv = kv_open(name, 16, KV_CREATE | KV_SHM), HINT_SHM);
    MM_ASSERT(kvt_shm_exists(name), "kv_open(\"%s\", 16, KV_CREATE | KV_SHM) did not make "
              "/dev/shm%s.\n  Hint: " HINT_SHM, name, name);
    MM_EXPECT_OK(kv_put(kv, "where", "shm", 3), "kv_put");
    kvt_run(&r, 5000, "kvtool", "--shm", name, "get", "where", NULL);
    MM_ASSERT(r.status == 0 && strcmp(r.out, "shm\n") == 0, "`kvtool --shm %s get where` "
              "exited %d and printed \"%s\" (stderr: %s), expected \"shm\".\n  Hint: "
              HINT_SHM, name, r.status, r.out, r.err);
    kvt_run(&r, 5000, "kvtool", "--shm", name, "put", "back", "again", NULL);
    MM_ASSERT(r.status == 0, "`kvtool --shm %s put back again` exited %d (stderr: %s).",
              name, r.status, r.err);
    ssize_t n = kv_get(kv, "back", buf, sizeof buf);
    MM_ASSERT(n == 5 && memcmp(buf, "again", 5) == 0, "the value kvtool put is not seen "
              "through this process's handle (kv_get returned %zd).", n);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_EXPECT_OK(kv_unlink(name, KV_SHM), HINT_SHM);
    MM_ASSERT(!kvt_shm_exists(name), "/dev/shm%s is still there after kv_unlink.\n  Hint: "
              HINT_SHM, name);
    MM_EXPECT_NULL_ERRNO(kv_open(name, 0, KV_SHM), ENOENT, "the store was unlinked; "
                         HINT_SHM);
    MM_END();
}

Test(kv_unlink, file_store_unlink_removes_file)
{
    const char *path = kvt_path();
    struct kv *kv;

    MM_EXPECT_PTR(kv = kv_open(path, 16, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_EXPECT_OK(kv_unlink(path, 0), "kv_unlink of a file store is unlink(2).");
    MM_ASSERT(access(path, F_OK) == -1, "the store file is still there after kv_unlink.");
    MM_EXPECT_ERRNO(kv_unlink(path, 0), ENOENT, "unlinking a missing store passes "
                    "unlink's ENOENT through (handout lab3, \"Errors and errno\").");
    MM_END();
}
