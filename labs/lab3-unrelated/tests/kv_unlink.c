/* kv_unlink.c - public tests of kv_unlink and of stores in POSIX shared memory (KV_SHM):
 * a round trip between this process and kvtool, then removal.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_unlink/..'. */
#include "lab3_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#define HINT_SHM HINT(S_SHARING, "with KV_SHM use shm_open/shm_unlink instead of open/unlink")

Test(kv_unlink, shm_store_round_trip_and_unlink)
{
    const char *name = kvt_shm_name();
    /* kvtool runs while this handle is open: the subject starts it (sealed, mm_spawn). */
    static struct {
        struct mm_call open, put, close, unlink, reopen;
        bool existed, exists_after;
        struct kvt_run get, put_back;
        struct kvt_val back;
    } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, name, 16, KV_CREATE | KV_SHM);
        if (kv != NULL) {
            o.existed = kvt_shm_exists(name);
            o.put = MM_CALL(kv_put(kv, "where", "shm", 3));
            kvt_run(&o.get, 5000, "kvtool", "--shm", name, "get", "where", NULL);
            kvt_run(&o.put_back, 5000, "kvtool", "--shm", name, "put", "back", "again", NULL);
            o.back = kvt_get(kv, "back", 16);
            o.close = MM_CALL(kv_close(kv));
            o.unlink = MM_CALL(kv_unlink(name, KV_SHM));
            o.exists_after = kvt_shm_exists(name);
            o.reopen = kvt_open(&kv, name, 0, KV_SHM);
            if (kv != NULL)
                kv_close(kv);
        }
    }
    MM_CHECK_PTR(o.open, HINT_SHM);
    MM_CHECK(o.existed, HINT_SHM, "kv_open(\"%s\", 16, KV_CREATE | KV_SHM) did not make "
             "/dev/shm%s.", name, name);
    MM_CHECK_OK(o.put, HINT(S_ENTRIES, "kv_put of a new key"));
    o.get.out[sizeof o.get.out - 1] = o.get.err[sizeof o.get.err - 1] = '\0';
    MM_CHECK(o.get.status == 0 && strcmp(o.get.out, "shm\n") == 0, HINT_SHM, "`kvtool --shm "
             "%s get where` exited %d and printed \"%s\" (stderr: %s), expected \"shm\".",
             name, o.get.status, o.get.out, o.get.err);
    o.put_back.err[sizeof o.put_back.err - 1] = '\0';
    MM_CHECK(o.put_back.status == 0, HINT_SHM, "`kvtool --shm %s put back again` exited %d "
             "(stderr: %s).", name, o.put_back.status, o.put_back.err);
    MM_CHECK(kvt_val_is(&o.back, "again", 5), HINT_SHM, "the value kvtool put is not seen "
             "through this process's handle (kv_get returned %lld).", o.back.get.ret);
    MM_CHECK_OK(o.close, HINT_CLOSE);
    MM_CHECK_OK(o.unlink, HINT_SHM);
    MM_CHECK(!o.exists_after && !kvt_shm_exists(name), HINT_SHM, "/dev/shm%s is still there "
             "after kv_unlink.", name);
    MM_CHECK_NULL_ERRNO(o.reopen, ENOENT, HINT(S_SHARING, "the store was unlinked"));
}

Test(kv_unlink, file_store_unlink_removes_file)
{
    const char *path = kvt_path();
    struct { struct mm_call open, close, unlink; } o;
    bool gone;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL)
            o.close = MM_CALL(kv_close(kv));
        o.unlink = MM_CALL(kv_unlink(path, 0));
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.close, HINT_CLOSE);
    MM_CHECK_OK(o.unlink, HINT(S_SHARING, "kv_unlink of a file store is unlink(2)"));
    gone = !kvt_exists(path);
    MM_CHECK(gone, HINT(S_SHARING, "kv_unlink of a file store is unlink(2)"), "the store file "
             "is still there after kv_unlink.");
    MM_CALL_ERRNO(kv_unlink(path, 0), ENOENT, HINT(S_ERRNO, "unlinking a missing store passes "
                  "unlink's ENOENT through"));
}

Test(kv_unlink, bad_names_give_EINVAL)
{
    const char *name = kvt_shm_name();      /* removed at the end */
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: shm_open(%s) failed: %s", name,
             strerror(errno));
    close(fd);
    struct { struct mm_call null_file, null_shm, no_slash; } o;

    MM_SUBJECT(o) {
        o.null_file = MM_CALL(kv_unlink(NULL, 0));
        o.null_shm = MM_CALL(kv_unlink(NULL, KV_SHM));
        o.no_slash = MM_CALL(kv_unlink(name + 1, KV_SHM));
    }
    MM_CHECK_ERRNO(o.null_file, EINVAL, HINT(S_ERRNO, "kv_unlink(NULL, ...) is EINVAL"));
    MM_CHECK_ERRNO(o.null_shm, EINVAL, HINT(S_ERRNO, "kv_unlink(NULL, ...) is EINVAL"));
    MM_CHECK_ERRNO(o.no_slash, EINVAL, HINT(S_ERRNO, "with KV_SHM a name without a leading "
                   "'/' is EINVAL: check it before calling shm_unlink"));
    MM_CHECK(kvt_shm_exists(name), HINT(S_ERRNO, "never add the '/' yourself"),
             "kv_unlink(\"%s\", KV_SHM) removed /dev/shm%s.", name + 1, name);
}
