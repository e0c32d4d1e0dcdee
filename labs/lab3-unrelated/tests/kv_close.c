/* kv_close.c - public tests of kv_close and of what the library leaves behind: no file
 * descriptor and no mapping outlives a closed handle or a failed open, and no call prints.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_close/..'. */
#include "lab3_util.h"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#define HINT_LEAK HINT(S_ERRNO, "kv_close must munmap and close what kv_open made; a " \
                       "failing kv_open undoes what it did")

#define ROUNDS 21

/* Bytes malloc has handed out and not had back (glibc's count; under ASan, which keeps its
 * own heap and checks leaks itself, it stays constant). */
static size_t heap_in_use(void)
{
    return mallinfo2().uordblks;
}

struct open_close_seen {
    struct mm_call create, created_close;
    struct mm_call open[ROUNDS], put[ROUNDS], close[ROUNDS];
    long long got[ROUNDS];
    int fds_before, maps_before, fds_after, maps_after;
    size_t heap_before, heap_after;
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
            o->fds_before = mm_count_fds(), o->maps_before = kvt_count_file_maps(),
            o->heap_before = heap_in_use();
        o->open[i] = kvt_open(&kv, path, 0, i % 2 ? KV_RDONLY : 0);
        if (kv == NULL)
            return;
        if (i % 2 == 0)
            o->put[i] = MM_CALL(kv_put(kv, "k", "v", 1));
        o->got[i] = MM_CALL(kv_get(kv, "k", buf, sizeof buf)).ret;
        o->close[i] = MM_CALL(kv_close(kv));
    }
    o->fds_after = mm_count_fds(), o->maps_after = kvt_count_file_maps();
    o->heap_after = heap_in_use();
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
    MM_CHECK(o.heap_after == o.heap_before, HINT(S_OPEN, "kv_close frees the handle kv_open "
             "allocated"), "after 20 kv_open + kv_close, %zu bytes of heap more were in use "
             "(malloc'd and never freed).", o.heap_after - o.heap_before);
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
        size_t heap_before, heap_after;
    } o;
    /* An open may wait up to 2 s before it decides: few rounds, and time for them. */
    MM_SUBJECT_WITH(o, .timeout_ms = 25000) {
        for (int i = 0; i < 3; i++) {
            if (i == 1)                 /* after a warm-up round, as above */
                o.fds_before = mm_count_fds(), o.maps_before = kvt_count_file_maps(),
                o.heap_before = heap_in_use();
            o.call[i][0] = MM_CALL(kv_open(missing, 0, 0));
            o.call[i][1] = MM_CALL(kv_open(dir, 0, 0));
            o.call[i][2] = MM_CALL(kv_open(dir, 0, KV_RDONLY));
            o.call[i][3] = MM_CALL(kv_open(shortfile, 0, 0));
            o.call[i][4] = MM_CALL(kv_open(text, 0, KV_RDONLY));
            o.call[i][5] = MM_CALL(kv_open(bigfile, 0, 0));
        }
        o.fds_after = mm_count_fds(), o.maps_after = kvt_count_file_maps();
        o.heap_after = heap_in_use();
    }
    static const int want[6] = { ENOENT, EISDIR, ENODEV, EINVAL, EINVAL, EINVAL };
    for (int i = 0; i < 3; i++)
        for (int c = 0; c < 6; c++)
            MM_CHECK_NULL_ERRNO(o.call[i][c], want[c], HINT_LEAK);
    MM_CHECK(o.fds_after == o.fds_before && o.maps_after == o.maps_before, HINT_LEAK,
             "after 12 failed kv_open calls: %d file descriptors (before: %d), %d file mappings "
             "(before: %d).", o.fds_after, o.fds_before, o.maps_after, o.maps_before);
    MM_CHECK(o.heap_after == o.heap_before, HINT(S_OPEN, "a failing kv_open frees the handle "
             "it allocated"), "after 12 failed kv_open calls, %zu bytes of heap more were in "
             "use (malloc'd and never freed).", o.heap_after - o.heap_before);
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

/* Library code prints nothing: the errno is the report, and the tools print it. Every call
 * runs, failing and succeeding, with standard output and error sent to a file. */
static void quiet_calls(const char *path, const char *dir, const char *text, long *ok)
{
    struct kv *kv, *ro;
    char buf[8], big[KV_VALUE_MAX + 1] = { 0 }, longkey[KV_KEY_MAX + 2];

    memset(longkey, 'k', sizeof longkey - 1), longkey[sizeof longkey - 1] = '\0';
    kv_open(NULL, 16, KV_CREATE), kv_open(path, 0, 0), kv_open(path, 0, KV_CREATE);
    kv_open(text, 0, 0), kv_open(dir, 0, 0), kv_open(dir, 0, KV_RDONLY);
    kv_open("no-slash", 16, KV_CREATE | KV_SHM);
    if ((kv = kv_open(path, 2, KV_CREATE)) == NULL)
        return;
    *ok += kv_put(kv, "a", "1", 1) == 0;
    *ok += kv_put(kv, "a", "2", 1) == 0;
    *ok += kv_put(kv, "b", "3", 1) == 0;
    kv_put(kv, "c", "4", 1), kv_put(kv, longkey, "x", 1), kv_put(kv, "big", big, sizeof big);
    kv_put(kv, "", "x", 1), kv_put(kv, NULL, "x", 1), kv_put(kv, "a", NULL, 1);
    *ok += kv_get(kv, "a", buf, sizeof buf) == 1;
    kv_get(kv, "zz", buf, sizeof buf), kv_get(kv, "a", buf, 0), kv_get(kv, "a", NULL, 4);
    *ok += kv_del(kv, "b") == 0;
    kv_del(kv, "b"), kv_foreach(kv, NULL, NULL), kv_count(kv);
    *ok += kv_sync(kv) == 0;
    if ((ro = kv_open(path, 0, KV_RDONLY)) != NULL) {
        kv_put(ro, "a", "5", 1), kv_del(ro, "a"), kv_get(ro, "a", buf, sizeof buf);
        *ok += kv_close(ro) == 0;
    }
    *ok += kv_close(kv) == 0;
    kv_close(NULL), kv_sync(NULL), kv_count(NULL), kv_get(NULL, "a", buf, 1);
    kv_del(NULL, "a"), kv_foreach(NULL, NULL, NULL), kv_unlink(NULL, 0);
    *ok += kv_unlink(path, 0) == 0;
    kv_unlink(path, 0), kv_unlink("no-slash", KV_SHM);
}

Test(kv_close, library_calls_print_nothing)
{
    const char *path = kvt_path(), *dir = mm_tmpdir();
    const char *text = mm_tmpfile("not a store, just text\n", 23);
    struct { long ok; struct mm_quiet quiet; } o;

    MM_SUBJECT(o) {
        mm_quiet_begin(&o.quiet);
        if (!o.quiet.setup_err)
            quiet_calls(path, dir, text, &o.ok);
        mm_quiet_end(&o.quiet);
    }
    mm_check_quiet(&o.quiet, HINT(S_ERRNO, "library code prints nothing, not even on errors: "
                   "set errno and return -1 (or NULL); the tools print the message. Remove "
                   "debugging printf, perror and fprintf calls"), "kvstore.c (40-odd calls)");
    MM_CHECK(o.ok == 9, HINT(S_ENTRIES, "kv_open, kv_put, kv_get, kv_del, kv_sync, kv_close "
             "and kv_unlink on a store of 2 slots"), "only %ld of the 9 calls that must "
             "succeed did.", o.ok);
}

/* Success is 0, exactly, for every call that returns an int status: callers may write
 * `if (kv_put(...) != 0)`. */
static int visit_none(const char *key, const void *val, size_t len, void *arg)
{
    (void)key, (void)val, (void)len, (void)arg;
    return 0;
}

Test(kv_close, successful_calls_return_0)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put, replace, del, sync, foreach, close, unlink; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 8, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "k", "v", 1));
            o.replace = MM_CALL(kv_put(kv, "k", "w", 1));
            o.del = MM_CALL(kv_del(kv, "k"));
            o.sync = MM_CALL(kv_sync(kv));
            o.foreach = MM_CALL(kv_foreach(kv, visit_none, NULL));
            o.close = MM_CALL(kv_close(kv));
            o.unlink = MM_CALL(kv_unlink(path, 0));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    const struct mm_call *calls[] = { &o.put, &o.replace, &o.del, &o.sync, &o.foreach,
                                      &o.close, &o.unlink };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        MM_CHECK_OK(*calls[i], HINT(S_ERRNO, "the call must succeed here"));
        MM_CHECK(calls[i]->ret == 0, HINT(S_ERRNO, "success is 0, exactly (kv_get returns "
                 "a length, kv_count a count)"), "%s succeeded with %lld, expected 0.",
                 calls[i]->text, calls[i]->ret);
    }
}
