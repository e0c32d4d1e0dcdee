/* kv_foreach.c - public tests of kv_foreach and of `kvtool list`, which is built on it.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_foreach/..'. */
#include "lab3_util.h"

MM_SUITE(kv_foreach, 30);

#define HINT_FOREACH "see the handout lab3, \"Reading and writing entries (kv_put, kv_get, " \
    "kv_del)\"."

struct visits {
    int seen[20], bad, calls, stop_at;
};

static int visit(const char *key, const void *val, size_t len, void *arg)
{
    struct visits *v = arg;
    int i;
    v->calls++;
    if (sscanf(key, "entry%d", &i) != 1 || i < 0 || i >= 20 || kvc_check(key, val, len, NULL))
        v->bad++;
    else
        v->seen[i]++;
    return v->calls == v->stop_at ? 42 : 0;
}

Test(kv_foreach, visits_every_entry_once)
{
    struct kv *kv;
    struct visits v = { .stop_at = -1 };
    char key[16];

    MM_EXPECT_PTR(kv = kv_open(kvt_path(), 32, KV_CREATE), KVT_HINT_OPEN);
    for (int i = 0; i < 20; i++) {
        snprintf(key, sizeof key, "entry%d", i);
        MM_EXPECT_OK(kvt_put(kv, key, (unsigned)i), "kv_put");
    }
    snprintf(key, sizeof key, "entry%d", 7);
    MM_EXPECT_OK(kv_del(kv, key), "kv_del");
    int rc = kv_foreach(kv, visit, &v);
    MM_ASSERT(rc == 0, "kv_foreach returned %d, expected 0 (every call returned 0).", rc);
    MM_ASSERT(v.bad == 0, "kv_foreach passed %d entr(y/ies) with a wrong key, value or "
              "length.\n  Hint: pass each entry's own key, value and length; " HINT_FOREACH,
              v.bad);
    for (int i = 0; i < 20; i++)
        MM_ASSERT(v.seen[i] == (i != 7), "kv_foreach visited entry%d %d time(s), expected "
                  "%s.\n  Hint: visit live slots only, never empty ones or tombstones.", i,
                  v.seen[i], i == 7 ? "never (it was deleted)" : "once");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
}

Test(kv_foreach, stops_at_first_nonzero_and_returns_it)
{
    struct kv *kv;
    struct visits v = { .stop_at = 3 };
    char key[16];

    MM_EXPECT_PTR(kv = kv_open(kvt_path(), 32, KV_CREATE), KVT_HINT_OPEN);
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "entry%d", i);
        MM_EXPECT_OK(kvt_put(kv, key, (unsigned)i), "kv_put");
    }
    int rc = kv_foreach(kv, visit, &v);
    MM_ASSERT(rc == 42 && v.calls == 3, "the callback returned 42 on its 3rd call; "
              "kv_foreach returned %d after %d calls, expected 42 after 3.\n  Hint: stop at "
              "the first non-zero result and return it; " HINT_FOREACH, rc, v.calls);
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    MM_END();
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
    struct kv *kv;
    struct kvt_run r;

    MM_EXPECT_PTR(kv = kv_open(path, 16, KV_CREATE), KVT_HINT_OPEN);
    MM_EXPECT_OK(kv_put(kv, "gamma", "", 0), "kv_put");
    MM_EXPECT_OK(kv_put(kv, "beta", "two", 3), "kv_put");
    MM_EXPECT_OK(kv_put(kv, "alpha", "1", 1), "kv_put");
    MM_EXPECT_OK(kv_put(kv, "delta", "4444", 4), "kv_put");
    MM_EXPECT_OK(kv_put(kv, "omega", "gone", 4), "kv_put");
    MM_EXPECT_OK(kv_del(kv, "omega"), "kv_del");
    MM_EXPECT_OK(kv_close(kv), "kv_close");
    kvt_run(&r, 5000, "kvtool", path, "list", NULL);
    MM_ASSERT(r.status == 0, "`kvtool STORE list` exited %d (stderr: %s), expected 0.",
              r.status, r.err);
    char *lines[8];
    int n = 0;
    for (char *tok = strtok(r.out, "\n"); tok && n < 8; tok = strtok(NULL, "\n"))
        lines[n++] = tok;
    qsort(lines, (size_t)n, sizeof lines[0], cmp_lines);
    int same = n == 4;
    for (int i = 0; same && i < 4; i++)
        same = strcmp(lines[i], want[i]) == 0;
    MM_ASSERT(same, "`kvtool STORE list` printed %d line(s) (first: \"%s\"), expected the 4 "
              "live entries as KEY<TAB>VALUE lines.\n  Hint: kvtool list calls kv_foreach; "
              HINT_FOREACH, n, n ? lines[0] : "");
    MM_END();
}
