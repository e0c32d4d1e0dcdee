/* kv_foreach.c - public tests of kv_foreach and of `kvtool list`, which is built on it.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_foreach/..'. */
#include "lab3_util.h"

#define HINT_FOREACH(text) HINT(S_ENTRIES, text)
#define MAX_VISITS 24

/* What kv_foreach passed to the callback, visit by visit (the first MAX_VISITS). */
struct visits {
    int calls, stop_at;
    struct { char key[KV_KEY_MAX + 1]; size_t len; unsigned char val[KV_VALUE_MAX]; }
        visit[MAX_VISITS];
};

static int record(const char *key, const void *val, size_t len, void *arg)
{
    struct visits *v = arg;
    if (v->calls < MAX_VISITS) {
        snprintf(v->visit[v->calls].key, sizeof v->visit[0].key, "%s", key);
        v->visit[v->calls].len = len;
        memcpy(v->visit[v->calls].val, val, len < KV_VALUE_MAX ? len : KV_VALUE_MAX);
    }
    v->calls++;
    return v->calls == v->stop_at ? 42 : 0;
}

struct foreach_seen {
    struct mm_call open, put[20], del, foreach, close;
    struct visits v;
};

/* n entries "entry<i>" (generation i), entry<deleted> deleted (-1: none), then kv_foreach
 * with a callback that returns 42 on its stop_at-th call. */
static void put_then_visit(const char *path, int n, int deleted, int stop_at,
                           struct foreach_seen *o)
{
    struct kv *kv;
    char key[16];

    o->v.stop_at = stop_at;
    o->open = kvt_open(&kv, path, 32, KV_CREATE);
    if (kv == NULL)
        return;
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "entry%d", i);
        o->put[i] = kvt_put(kv, key, (unsigned)i);
    }
    if (deleted >= 0) {
        snprintf(key, sizeof key, "entry%d", deleted);
        o->del = kvt_del(kv, key);
    }
    o->foreach = MM_CALL(kv_foreach(kv, record, &o->v));
    o->close = MM_CALL(kv_close(kv));
}

Test(kv_foreach, visits_every_entry_once)
{
    const char *path = kvt_path();
    static struct foreach_seen o;
    int seen[20] = { 0 }, bad = 0;

    MM_SUBJECT(o)
        put_then_visit(path, 20, 7, -1, &o);
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 20; i++)
        MM_CHECK_OK(o.put[i], HINT_FOREACH("kv_put of a new key"));
    MM_CHECK_OK(o.del, HINT_FOREACH("kv_del of a key just put"));
    MM_CHECK(o.foreach.ret == 0, HINT_FOREACH("return 0 after visiting every entry"),
             "kv_foreach returned %lld (errno %s), expected 0 (every call returned 0).",
             o.foreach.ret, mm_errno_name(o.foreach.err));
    MM_CHECK(o.v.calls <= MAX_VISITS, HINT_FOREACH("visit live slots only, never empty ones "
             "or tombstones"), "kv_foreach called the callback %d times for 19 entries.",
             o.v.calls);
    for (int c = 0; c < o.v.calls; c++) {
        int i;
        char *key = o.v.visit[c].key;
        key[KV_KEY_MAX] = '\0';
        if (sscanf(key, "entry%d", &i) != 1 || i < 0 || i >= 20 ||
            o.v.visit[c].len > KV_VALUE_MAX ||
            kvc_check(key, o.v.visit[c].val, o.v.visit[c].len, NULL) != 0)
            bad++;
        else
            seen[i]++;
    }
    MM_CHECK(bad == 0, HINT_FOREACH("pass each entry's own key, value and length"),
             "kv_foreach passed %d entr(y/ies) with a wrong key, value or length.", bad);
    for (int i = 0; i < 20; i++)
        MM_CHECK(seen[i] == (i != 7), HINT_FOREACH("visit live slots only, never empty ones "
                 "or tombstones"), "kv_foreach visited entry%d %d time(s), expected %s.", i,
                 seen[i], i == 7 ? "never (it was deleted)" : "once");
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_foreach, stops_at_first_nonzero_and_returns_it)
{
    const char *path = kvt_path();
    static struct foreach_seen o;

    MM_SUBJECT(o)
        put_then_visit(path, 10, -1, 3, &o);
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 10; i++)
        MM_CHECK_OK(o.put[i], HINT_FOREACH("kv_put of a new key"));
    MM_CHECK(o.foreach.ret == 42 && o.v.calls == 3, HINT_FOREACH("stop at the first non-zero "
             "result and return it"), "the callback returned 42 on its 3rd call; kv_foreach "
             "returned %lld after %d calls, expected 42 after 3.", o.foreach.ret, o.v.calls);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(kv_foreach, kvtool_list_prints_every_entry)
{
    static const char *const want[] = { "alpha\t1", "beta\ttwo", "delta\t4444",
                                        "gamma\t" };
    const char *path = kvt_path();
    struct kvt_run r;
    struct { struct mm_call open, put[5], del, close; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put[0] = MM_CALL(kv_put(kv, "gamma", "", 0));
            o.put[1] = MM_CALL(kv_put(kv, "beta", "two", 3));
            o.put[2] = MM_CALL(kv_put(kv, "alpha", "1", 1));
            o.put[3] = MM_CALL(kv_put(kv, "delta", "4444", 4));
            o.put[4] = MM_CALL(kv_put(kv, "omega", "gone", 4));
            o.del = MM_CALL(kv_del(kv, "omega"));
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 5; i++)
        MM_CHECK_OK(o.put[i], HINT_FOREACH("kv_put of a new key"));
    MM_CHECK_OK(o.del, HINT_FOREACH("kv_del of a key just put"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
    kvt_run(&r, 5000, "kvtool", path, "list", NULL);
    MM_CHECK(r.status == 0, HINT_FOREACH("kvtool list opens the store and calls kv_foreach"),
             "`kvtool STORE list` exited %d (stderr: %s), expected 0.", r.status, r.err);
    char *lines[8];
    int n = 0;
    for (char *tok = strtok(r.out, "\n"); tok && n < 8; tok = strtok(NULL, "\n"))
        lines[n++] = tok;
    qsort(lines, (size_t)n, sizeof lines[0], cmp_lines);
    int same = n == 4;
    for (int i = 0; same && i < 4; i++)
        same = strcmp(lines[i], want[i]) == 0;
    MM_CHECK(same, HINT_FOREACH("kvtool list calls kv_foreach"), "`kvtool STORE list` "
             "printed %d line(s) (first: \"%s\"), expected the 4 live entries as "
             "KEY<TAB>VALUE lines.", n, n ? lines[0] : "");
}

static int never_called(const char *key, const void *val, size_t len, void *arg)
{
    (void)key, (void)val, (void)len, (void)arg;
    return 7;
}

Test(kv_foreach, null_fn_or_handle_gives_EINVAL)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put, null_fn, null_kv, close; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "k", "v", 1));
            o.null_fn = MM_CALL(kv_foreach(kv, NULL, NULL));
            o.close = MM_CALL(kv_close(kv));
        }
        o.null_kv = MM_CALL(kv_foreach(NULL, never_called, NULL));
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT_FOREACH("kv_put of a new key"));
    MM_CHECK_ERRNO(o.null_fn, EINVAL, HINT_FOREACH("fn NULL is EINVAL: check it before "
                   "visiting anything"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
    MM_CHECK_ERRNO(o.null_kv, EINVAL, HINT_FOREACH("kv NULL is EINVAL"));
}
