/* kv_close.c - public tests of kv_close and of what kv_open keeps: no file descriptor
 * and no mapping outlives a closed handle or a failed open.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_close/..'. */
#include "lab3_util.h"

#define HINT_LEAK HINT(S_ERRNO, "kv_close must munmap and close what kv_open made; a " \
                       "failing kv_open undoes what it did")

#define ROUNDS 21

struct open_close_seen {
    struct mm_call create, created_close;
    struct mm_call open[ROUNDS], put[ROUNDS], close[ROUNDS];
    long long got[ROUNDS];
    int fds_before, maps_before, fds_after, maps_after;
};

static void open_close_rounds(const char *path, struct open_close_seen *o)
{
    struct kv *kv;
    char buf[8];

    o->create = kvt_open(&kv, path, 64, KV_CREATE);
    if (kv == NULL)
        return;
    o->created_close = MM_CALL(kv_close(kv));
    /* Round 0 is a warm-up: the first malloc of a size may map an arena (ASan's too). */
    for (int i = 0; i < ROUNDS; i++) {
        if (i == 1)
            o->fds_before = mm_count_fds(), o->maps_before = kvt_count_file_maps();
        o->open[i] = kvt_open(&kv, path, 0, i % 2 ? KV_RDONLY : 0);
        if (kv == NULL)
            return;
        if (i % 2 == 0)
            o->put[i] = MM_CALL(kv_put(kv, "k", "v", 1));
        o->got[i] = MM_CALL(kv_get(kv, "k", buf, sizeof buf)).ret;
        o->close[i] = MM_CALL(kv_close(kv));
    }
    o->fds_after = mm_count_fds(), o->maps_after = kvt_count_file_maps();
}

Test(kv_close, open_close_leaks_no_fd_or_mapping)
{
    const char *path = kvt_path();
    struct open_close_seen o;

    MM_SUBJECT(o)
        open_close_rounds(path, &o);
    MM_CHECK_PTR(o.create, HINT_OPEN);
    MM_CHECK_OK(o.created_close, HINT_CLOSE);
    for (int i = 0; i < ROUNDS; i++) {
        MM_CHECK_PTR(o.open[i], HINT_OPEN);
        MM_CHECK_OK(o.put[i], HINT(S_ENTRIES, "kv_put of a new key"));
        MM_CHECK(o.got[i] == 1, HINT(S_ENTRIES, "kv_get returns the value's length"),
                 "round %d: kv_get(kv, \"k\", buf, 8) returned %lld, expected 1.", i,
                 o.got[i]);
        MM_CHECK_OK(o.close[i], HINT_CLOSE);
    }
    MM_CHECK(o.fds_after == o.fds_before && o.maps_after == o.maps_before, HINT_LEAK,
             "after 20 kv_open + kv_close: %d file descriptors (before: %d), %d file mappings "
             "(before: %d).", o.fds_after, o.fds_before, o.maps_after, o.maps_before);
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

    struct {
        struct mm_call call[3][6];
        int fds_before, maps_before, fds_after, maps_after;
    } o;
    /* An open may wait up to 2 s before it decides: few rounds, and time for them. */
    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        for (int i = 0; i < 3; i++) {
            if (i == 1)                 /* after a warm-up round, as above */
                o.fds_before = mm_count_fds(), o.maps_before = kvt_count_file_maps();
            o.call[i][0] = MM_CALL(kv_open(missing, 0, 0));
            o.call[i][1] = MM_CALL(kv_open(dir, 0, 0));
            o.call[i][2] = MM_CALL(kv_open(dir, 0, KV_RDONLY));
            o.call[i][3] = MM_CALL(kv_open(shortfile, 0, 0));
            o.call[i][4] = MM_CALL(kv_open(text, 0, KV_RDONLY));
            o.call[i][5] = MM_CALL(kv_open(bigfile, 0, 0));
        }
        o.fds_after = mm_count_fds(), o.maps_after = kvt_count_file_maps();
    }
    static const int want[6] = { ENOENT, EISDIR, ENODEV, EINVAL, EINVAL, EINVAL };
    for (int i = 0; i < 3; i++)
        for (int c = 0; c < 6; c++)
            MM_CHECK_NULL_ERRNO(o.call[i][c], want[c], HINT_LEAK);
    MM_CHECK(o.fds_after == o.fds_before && o.maps_after == o.maps_before, HINT_LEAK,
             "after 12 failed kv_open calls: %d file descriptors (before: %d), %d file mappings "
             "(before: %d).", o.fds_after, o.fds_before, o.maps_after, o.maps_before);
}

Test(kv_close, null_handle_gives_EINVAL)
{
    struct { struct mm_call close, sync, put, get, del; size_t count; } o;

    MM_SUBJECT(o) {
        char buf[8];
        o.close = MM_CALL(kv_close(NULL));
        o.sync = MM_CALL(kv_sync(NULL));
        o.put = MM_CALL(kv_put(NULL, "k", "v", 1));
        o.get = MM_CALL(kv_get(NULL, "k", buf, sizeof buf));
        o.del = MM_CALL(kv_del(NULL, "k"));
        o.count = (size_t)MM_CALL(kv_count(NULL)).ret;
    }
    MM_CHECK_ERRNO(o.close, EINVAL, HINT(S_OPEN, "kv_close(NULL) is EINVAL"));
    MM_CHECK_ERRNO(o.sync, EINVAL, HINT(S_SYNC, "kv_sync(NULL) is EINVAL"));
    MM_CHECK_ERRNO(o.put, EINVAL, HINT(S_ENTRIES, "kv NULL is EINVAL"));
    MM_CHECK_ERRNO(o.get, EINVAL, HINT(S_ENTRIES, "kv NULL is EINVAL"));
    MM_CHECK_ERRNO(o.del, EINVAL, HINT(S_ENTRIES, "kv NULL is EINVAL"));
    MM_CHECK(o.count == 0, HINT(S_ENTRIES, "kv_count(NULL) is 0"), "kv_count(NULL) returned "
             "%zu, expected 0.", o.count);
}
