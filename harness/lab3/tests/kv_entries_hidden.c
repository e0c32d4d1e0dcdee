/* kv_entries_hidden.c - private tests of kv_put, kv_get, kv_del, kv_sync and kv_foreach with
 * other inputs than the public ones: key and value boundaries, writers that replace the
 * same keys, tombstone reuse, shared memory, and read-only handles.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "lab3_util.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The suites (init, fini, timeouts) are declared once, in the public tests. */
#define HINT_ENTRIES(text) HINT(S_ENTRIES, text)

Test(kv_put, long_key_stores_nothing)
{
    const char *path = kvt_path();
    char key100[101], key64[KV_KEY_MAX + 2], key63[KV_KEY_MAX + 1];
    struct { struct mm_call open, put100, put64, get63, close; size_t count; } o;

    memset(key100, 'q', 100), key100[100] = '\0';
    memcpy(key64, key100, KV_KEY_MAX + 1), key64[KV_KEY_MAX + 1] = '\0';
    memcpy(key63, key100, KV_KEY_MAX), key63[KV_KEY_MAX] = '\0';
    MM_SUBJECT(o) {
        struct kv *kv;
        char buf[8];
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put100 = MM_CALL(kv_put(kv, key100, "v", 1));
            o.put64 = MM_CALL(kv_put(kv, key64, "v", 1));
            o.get63 = MM_CALL(kv_get(kv, key63, buf, sizeof buf));
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_ERRNO(o.put100, ENAMETOOLONG, HINT_ENTRIES("a 100-byte key"));
    MM_CHECK_ERRNO(o.put64, ENAMETOOLONG, HINT_ENTRIES("a 64-byte key"));
    MM_CHECK_ERRNO(o.get63, ENOENT, HINT_ENTRIES("a refused long key must not be stored cut "
                   "to 63 bytes"));
    MM_CHECK(o.count == 0, HINT(S_ERRNO, "a refused call leaves the store unchanged"),
             "refused puts changed kv_count to %zu.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* The four churn keys of kvhelper, at generation 0, in a new store of 16 slots. */
static void make_churn_store(const char *path)
{
    struct { struct mm_call open, put[4], close; } o;
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            for (unsigned i = 0; i < 4; i++) {
                char key[16];
                snprintf(key, sizeof key, "churn%u", i);
                o.put[i] = kvt_put(kv, key, 0);
            }
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 4; i++)
        MM_CHECK_OK(o.put[i], HINT_ENTRIES("kv_put of a new key"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, writers_replacing_same_keys_leave_whole_values)
{
    const char *path = kvt_path();
    char key[4][16];

    for (unsigned i = 0; i < 4; i++)
        snprintf(key[i], sizeof key[i], "churn%u", i);
    make_churn_store(path);
    const char *argv[] = { "kvhelper", path, "churn", "4", "500", NULL };
    pid_t a = kvt_spawn(argv, -1, -1), b = kvt_spawn(argv, -1, -1);
    int rca = kvt_wait(a, 15000), rcb = kvt_wait(b, 15000);
    MM_CHECK(rca == 0 && rcb == 0, HINT_ENTRIES("every change holds the process-shared "
             "mutex"), "two programs replacing the same 4 keys at once exited %d and %d, "
             "expected 0 and 0 (-1: crashed or hung)%s.", rca, rcb, kvt_helper_said());
    struct { struct mm_call open, close; struct kvt_val got[4]; size_t count; } o;
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 0, 0);
        if (kv != NULL) {
            for (int i = 0; i < 4; i++)
                o.got[i] = kvt_get(kv, key[i], KV_VALUE_MAX);
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 4; i++)
        MM_CHECK(kvt_val_whole(&o.got[i], key[i], NULL), HINT_ENTRIES("a replacement holds "
                 "the process-shared mutex from the lookup to the publication"), "after two "
                 "writers replaced the same keys at once, %s is %s.", key[i],
                 kvt_val_text(&o.got[i], key[i]));
    MM_CHECK(o.count == 4, HINT_ENTRIES("a replaced key is still one entry"), "kv_count is "
             "%zu after replacing 4 keys, expected 4.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_put, two_shm_writer_programs_lose_nothing)
{
    const char *name = kvt_shm_name();
    kvt_two_writers(name, true, 1500);
    MM_CALL_OK(kv_unlink(name, KV_SHM), HINT(S_SHARING, "kv_unlink with KV_SHM is "
               "shm_unlink"));
}

Test(kv_get, erange_at_every_boundary)
{
    static const size_t lens[] = { 1, 2, 255, 256 };
    const char *path = kvt_path();
    unsigned char val[4][KV_VALUE_MAX];
    struct {
        struct mm_call open, put[4], close;
        struct kvt_val small[4][2], exact[4];
    } o;

    for (int i = 0; i < 4; i++)
        mm_fill_random(val[i], lens[i], (unsigned)lens[i]);
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            for (int i = 0; i < 4; i++) {
                o.put[i] = MM_CALL(kv_put(kv, "edge", val[i], lens[i]));
                o.small[i][0] = kvt_get(kv, "edge", 0);
                o.small[i][1] = kvt_get(kv, "edge", lens[i] - 1);
                o.exact[i] = kvt_get(kv, "edge", lens[i]);
            }
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 4; i++) {
        size_t len = lens[i];
        MM_CHECK_OK(o.put[i], HINT_ENTRIES("kv_put replaces the value"));
        for (int c = 0; c < 2; c++) {
            const struct kvt_val *v = &o.small[i][c];
            MM_CHECK_ERRNO(v->get, ERANGE, HINT(S_ERRNO, "cap smaller than the value"));
            bool untouched = true;
            for (size_t j = 0; j < sizeof v->buf; j++)
                untouched &= v->buf[j] == 0xA5;
            MM_CHECK(untouched, HINT(S_ERRNO, "nothing is copied on ERANGE"), "kv_get(cap "
                     "%zu) of a %zu-byte value failed with ERANGE but wrote into the buffer.",
                     c ? len - 1 : 0, len);
        }
        const struct kvt_val *v = &o.exact[i];
        MM_CHECK(kvt_val_is(v, val[i], len) && (len == KV_VALUE_MAX || v->buf[len] == 0xA5),
                 HINT_ENTRIES("copy exactly the value's length"), "kv_get(cap %zu) of a "
                 "%zu-byte value returned %lld, expected exactly the value.", len, len,
                 v->get.ret);
    }
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_get, shm_rdonly_reader_never_sees_torn_value)
{
    const char *name = kvt_shm_name();
    kvt_torn_readers(name, true, 800);
    MM_CALL_OK(kv_unlink(name, KV_SHM), HINT(S_SHARING, "kv_unlink with KV_SHM is "
               "shm_unlink"));
}

Test(kv_get, rdonly_handle_sees_later_puts)
{
    const char *path = kvt_path();
    /* kvtool runs while the KV_RDONLY handle is open: the subject starts it. */
    static struct { struct mm_call open, close, open_ro, close_ro; struct kvt_run put;
                    struct kvt_val got; } o;

    MM_SUBJECT(o) {
        struct kv *kv, *ro;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.close = MM_CALL(kv_close(kv));
            o.open_ro = kvt_open(&ro, path, 0, KV_RDONLY);
            if (ro != NULL) {
                kvt_run(&o.put, 5000, "kvtool", path, "put", "late", "arrival", NULL);
                o.got = kvt_get(ro, "late", 16);
                o.close_ro = MM_CALL(kv_close(ro));
            }
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.close, HINT_CLOSE);
    MM_CHECK_PTR(o.open_ro, HINT_OPEN);
    o.put.err[sizeof o.put.err - 1] = '\0';
    MM_CHECK(o.put.status == 0, HINT(S_SHARING, "kvtool put opens the store and calls "
             "kv_put"), "`kvtool STORE put late arrival` exited %d (stderr: %s).",
             o.put.status, o.put.err);
    MM_CHECK(kvt_val_is(&o.got, "arrival", 7), HINT(S_READERS, "MAP_SHARED, also for "
             "read-only handles"), "a KV_RDONLY handle opened before another program's put "
             "returned %lld for the new key, expected 7.", o.got.get.ret);
    MM_CHECK_OK(o.close_ro, HINT_CLOSE);
}

Test(kv_del, tombstones_are_reused)
{
    const char *path = kvt_path();
    struct kvt_run r;
    struct { struct mm_call open, put[3][8], del[2][8], close; size_t count; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        char key[16];
        o.open = kvt_open(&kv, path, 8, KV_CREATE);
        if (kv != NULL) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 8; i++) {
                    snprintf(key, sizeof key, "r%dk%d", round, i);
                    o.put[round][i] = kvt_put(kv, key, (unsigned)i);
                }
                if (round < 2)
                    for (int i = 0; i < 8; i++) {
                        snprintf(key, sizeof key, "r%dk%d", round, i);
                        o.del[round][i] = kvt_del(kv, key);
                    }
            }
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 8; i++)
            MM_CHECK_OK(o.put[round][i], HINT_ENTRIES("after deleting every key of a full "
                        "table, new keys must fit in the tombstones"));
        if (round < 2)
            for (int i = 0; i < 8; i++)
                MM_CHECK_OK(o.del[round][i], HINT_ENTRIES("kv_del of a key just put"));
    }
    MM_CHECK(o.count == 8, HINT_ENTRIES("kv_count is the number of live entries"),
             "kv_count is %zu, expected 8.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
    kvt_run(&r, 3000, "kvtool", path, "put", "ninth", "v", NULL);
    MM_CHECK(r.status == 1 && strstr(r.err, strerror(ENOSPC)), HINT_ENTRIES("probe each slot "
             "at most once"), "`kvtool STORE put ninth v` on a full table (no tombstone "
             "left) %s (stderr: %s), expected ENOSPC.",
             r.status == -1 ? "crashed or did not return within 3 s" : "did not fail", r.err);
}

Test(kv_del, delete_by_another_program_is_seen)
{
    const char *path = kvt_path();
    /* kvtool runs while this handle is open: the subject starts it. */
    static struct { struct mm_call open, put1, put2, get, close; struct kvt_run del;
                    struct kvt_val kept; size_t count; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        char buf[8];
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put1 = MM_CALL(kv_put(kv, "doomed", "x", 1));
            o.put2 = MM_CALL(kv_put(kv, "kept", "y", 1));
            kvt_run(&o.del, 5000, "kvtool", path, "del", "doomed", NULL);
            o.get = MM_CALL(kv_get(kv, "doomed", buf, sizeof buf));
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.kept = kvt_get(kv, "kept", 8);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put1, HINT_ENTRIES("kv_put of a new key"));
    MM_CHECK_OK(o.put2, HINT_ENTRIES("kv_put of a new key"));
    o.del.err[sizeof o.del.err - 1] = '\0';
    MM_CHECK(o.del.status == 0, HINT_ENTRIES("kvtool del opens the store and calls kv_del"),
             "`kvtool STORE del doomed` exited %d (stderr: %s).", o.del.status, o.del.err);
    MM_CHECK_ERRNO(o.get, ENOENT, HINT_ENTRIES("another program deleted the key"));
    MM_CHECK(o.count == 1 && kvt_val_is(&o.kept, "y", 1), HINT_ENTRIES("the count lives in "
             "the shared mapping"), "after another program's delete: kv_count %zu, expected "
             "1 and \"kept\" still there.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_sync, replaced_value_reaches_the_file)
{
    const char *path = kvt_path();
    static const char first[] = "first-value-AAAAAAAAAAAA", second[] = "second-value-BBBBBB";
    struct { struct mm_call open, put1, sync1, put2, sync2, open_ro, sync_ro, close_ro,
             close; } o;
    size_t len;

    MM_SUBJECT(o) {
        struct kv *kv, *ro;
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put1 = MM_CALL(kv_put(kv, "doc", first, sizeof first - 1));
            o.sync1 = MM_CALL(kv_sync(kv));
            o.put2 = MM_CALL(kv_put(kv, "doc", second, sizeof second - 1));
            o.sync2 = MM_CALL(kv_sync(kv));
            o.open_ro = kvt_open(&ro, path, 0, KV_RDONLY);
            if (ro != NULL) {
                o.sync_ro = MM_CALL(kv_sync(ro));
                o.close_ro = MM_CALL(kv_close(ro));
            }
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put1, HINT_ENTRIES("kv_put of a new key"));
    MM_CHECK_OK(o.sync1, HINT(S_SYNC, "kv_sync"));
    MM_CHECK_OK(o.put2, HINT_ENTRIES("kv_put of an existing key replaces its value"));
    MM_CHECK_OK(o.sync2, HINT(S_SYNC, "kv_sync"));
    char *file = mm_slurp(path, &len);
    MM_CHECK(file != NULL, MM_NO_HINT, "test setup: could not read the store file back");
    bool has = memmem(file, len, second, sizeof second - 1) != NULL;
    free(file);
    MM_CHECK(has, HINT(S_SYNC, "MAP_SHARED and msync(MS_SYNC)"), "after replacing a value "
             "and kv_sync, read(2) of the file does not show the new value.");
    MM_CHECK_PTR(o.open_ro, HINT_OPEN);
    MM_CHECK_OK(o.sync_ro, HINT(S_SYNC, "kv_sync of a KV_RDONLY handle has nothing to write "
                "and succeeds"));
    MM_CHECK_OK(o.close_ro, HINT_CLOSE);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

#define MANY 40

/* What kv_foreach passed: each visit's key, length and value digest (the first 48). */
struct many_seen {
    int calls;
    struct { char key[KV_KEY_MAX + 1]; size_t len; uint64_t digest; } visit[48];
};

static int record_many(const char *key, const void *val, size_t len, void *arg)
{
    struct many_seen *m = arg;
    if (m->calls < 48) {
        snprintf(m->visit[m->calls].key, sizeof m->visit[0].key, "%s", key);
        m->visit[m->calls].len = len;
        m->visit[m->calls].digest = mm_digest(val, len);
    }
    m->calls++;
    return 0;
}

Test(kv_foreach, rdonly_handle_visits_every_entry)
{
    const char *path = kvt_path();
    struct kvt_run r;
    struct { struct mm_call open, foreach, close; struct many_seen m; } o;

    kvt_run(&r, 10000, "kvhelper", path, "fill", "64", "many", "0", "40", NULL);
    MM_CHECK(r.status == 0, HINT_OPEN, "a program putting 40 keys exited %d (stderr: %s).",
             r.status, r.err);
    MM_SUBJECT(o) {
        struct kv *ro;
        o.open = kvt_open(&ro, path, 0, KV_RDONLY);
        if (ro != NULL) {
            o.foreach = MM_CALL(kv_foreach(ro, record_many, &o.m));
            o.close = MM_CALL(kv_close(ro));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    /* Whole entries "many<i>", each once, compared with the values the program put. */
    int whole = 0;
    bool seen[MANY] = { false };
    for (int c = 0; c < o.m.calls && c < 48; c++) {
        int i;
        unsigned char want[KV_VALUE_MAX];
        char *key = o.m.visit[c].key;
        key[KV_KEY_MAX] = '\0';
        if (sscanf(key, "many%d", &i) != 1 || i < 0 || i >= MANY || seen[i])
            continue;
        char name[16];
        snprintf(name, sizeof name, "many%d", i);
        size_t len = kvc_make(name, (uint32_t)i, want);
        if (strcmp(key, name) == 0 && o.m.visit[c].len == len &&
            o.m.visit[c].digest == mm_digest(want, len))
            seen[i] = true, whole++;
    }
    MM_CHECK(o.foreach.ret == 0 && whole == MANY && o.m.calls == MANY, HINT(S_READERS,
             "kv_foreach reads like kv_get, without the lock"), "kv_foreach through a "
             "KV_RDONLY handle returned %lld after %d calls with %d whole entries, expected 0 "
             "after 40 whole entries.", o.foreach.ret, o.m.calls, whole);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* A key is the bytes up to its NUL, whatever follows in the caller's buffer or in the slot:
 * a slot that held a longer key, then a tombstone, takes a shorter one. */
Test(kv_get, key_ends_at_its_nul)
{
    const char *path = kvt_path();
    static const char put_key[] = { 'a', 'b', 'c', '\0', 'Q' };
    static const char get_key[] = { 'a', 'b', 'c', '\0', 'Z' };
    static const char again_key[] = { 'a', 'b', 'c', '\0', 'Y' };
    struct { struct mm_call open, put_long, del_long, put, replace, close;
             struct kvt_val got; size_t count; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 1, KV_CREATE);
        if (kv != NULL) {
            o.put_long = MM_CALL(kv_put(kv, "abcdefgh", "long", 4));
            o.del_long = MM_CALL(kv_del(kv, "abcdefgh"));
            o.put = MM_CALL(kv_put(kv, put_key, "v1", 2));
            o.replace = MM_CALL(kv_put(kv, again_key, "v2", 2));
            o.got = kvt_get(kv, get_key, 8);
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put_long, HINT_ENTRIES("kv_put of a new key"));
    MM_CHECK_OK(o.del_long, HINT_ENTRIES("kv_del of a key just put"));
    MM_CHECK_OK(o.put, HINT_ENTRIES("a deleted key's slot is free again"));
    MM_CHECK_OK(o.replace, HINT_ENTRIES("compare keys up to and including the NUL, never past "
                "it: \"abc\" is the key already stored, so kv_put replaces it"));
    MM_CHECK(kvt_val_is(&o.got, "v2", 2), HINT_ENTRIES("compare keys up to and including the "
             "NUL, never past it (bytes after the NUL, in the slot or the caller's buffer, are "
             "not part of the key)"), "in a 1-slot store, kv_get(\"abc\") after putting "
             "\"abc\" twice (over a tombstone of \"abcdefgh\") returned %lld, expected 2 "
             "(\"v2\").", o.got.get.ret);
    MM_CHECK(o.count == 1, HINT_ENTRIES("a replaced key is one entry"), "kv_count is %zu, "
             "expected 1.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* Two keys that agree on their first bytes are two keys, whatever the hash function. Each
 * pair also shares its FNV-1a hash (a common choice): "key!" and "keybze17dd" agree on 3
 * bytes, "fp-7vx6ce" is the start of "fp-7vx6ce-al". Only a comparison of the whole key, NUL
 * included, tells them apart. */
static const char *const pairs[][2] = { { "key!", "keybze17dd" }, { "fp-7vx6ce", "fp-7vx6ce-al" } };

Test(kv_get, keys_sharing_first_bytes_stay_apart)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put_long[2], put_short[2], del_short[2], close;
             struct kvt_val short_before[2], long_v[2], short_v[2], long_after[2];
             size_t count[2]; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 8, KV_CREATE);
        for (int p = 0; p < 2 && kv != NULL; p++) {
            const char *shorter = pairs[p][0], *longer = pairs[p][1];
            o.put_long[p] = MM_CALL(kv_put(kv, longer, "long", 4));
            o.short_before[p] = kvt_get(kv, shorter, 8);
            o.put_short[p] = MM_CALL(kv_put(kv, shorter, "short", 5));
            o.long_v[p] = kvt_get(kv, longer, 8);
            o.short_v[p] = kvt_get(kv, shorter, 8);
            o.count[p] = (size_t)MM_CALL(kv_count(kv)).ret;
            o.del_short[p] = MM_CALL(kv_del(kv, shorter));
            o.long_after[p] = kvt_get(kv, longer, 8);
        }
        if (kv != NULL)
            o.close = MM_CALL(kv_close(kv));
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int p = 0; p < 2; p++) {
        const char *shorter = pairs[p][0], *longer = pairs[p][1];
        MM_CHECK_OK(o.put_long[p], HINT_ENTRIES("kv_put of a new key"));
        MM_CHECK_ERRNO(o.short_before[p].get, ENOENT, HINT_ENTRIES("compare whole keys, up to "
                       "and including the NUL: a key that starts another is still another "
                       "key, even with an equal hash"));
        MM_CHECK_OK(o.put_short[p], HINT_ENTRIES("kv_put of a new key"));
        MM_CHECK(kvt_val_is(&o.long_v[p], "long", 4) && kvt_val_is(&o.short_v[p], "short", 5),
                 HINT_ENTRIES("compare whole keys, up to and including the NUL, not only "
                 "their hashes or first bytes"), "after putting \"%s\" and \"%s\", kv_get "
                 "returned %lld and %lld bytes, expected 4 (\"long\") and 5 (\"short\").",
                 longer, shorter, o.long_v[p].get.ret, o.short_v[p].get.ret);
        MM_CHECK(o.count[p] == (size_t)p + 2, HINT_ENTRIES("two different keys are two "
                 "entries"), "after putting \"%s\" and \"%s\", kv_count is %zu, expected %d.",
                 longer, shorter, o.count[p], p + 2);
        MM_CHECK_OK(o.del_short[p], HINT_ENTRIES("kv_del of a key just put"));
        MM_CHECK(kvt_val_is(&o.long_after[p], "long", 4), HINT_ENTRIES("kv_del removes only "
                 "the key it names"), "after kv_del(\"%s\"), kv_get(\"%s\") returned %lld, "
                 "expected 4 (\"long\").", shorter, longer, o.long_after[p].get.ret);
    }
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* ---- Reading past the last slot ---------------------------------------------------------- */

/* A store whose file is a whole number of pages, mapped right below a PROT_NONE page (mmap
 * places a new mapping below the last one made when nothing else maps in between): a
 * kv_foreach that looks at one slot past the last crashes on the guard instead of reading
 * the zeros after it. Where no slot count gives such a file, or the mapping lands elsewhere,
 * only the visit itself is checked. */
Test(kv_foreach, never_reads_past_the_last_slot)
{
    const char *path = kvt_path();
    struct { size_t nslots; int guarded, calls; struct mm_call open, put, foreach; } o;

    MM_SUBJECT(o) {
        size_t page = mm_page_size();
        struct kv *kv;
        memset(&o, 0, sizeof o);
        o.nslots = kvt_page_sized_slots(path);
        void *guard = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        o.open = kvt_open(&kv, path, o.nslots ? o.nslots : 16, KV_CREATE);
        if (kv != NULL) {
            o.guarded = guard != MAP_FAILED && kvt_mapped_right_below(path, guard);
            o.put = MM_CALL(kv_put(kv, "only", "1", 1));
            o.foreach = MM_CALL(kv_foreach(kv, kvt_count_visit, &o.calls));
            kv_close(kv);
        }
        if (guard != MAP_FAILED)
            munmap(guard, page);
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK_OK(o.put, HINT_ENTRIES("kv_put of a new key"));
    MM_CHECK(o.foreach.ret == 0 && o.calls == 1, HINT_ENTRIES("visit slots 0 to nslots - 1 "
             "only: the store ends after the last slot"), "kv_foreach over a store of %zu slots "
             "holding one entry returned %lld and called the callback %d times, expected 0 "
             "and once.", o.nslots ? o.nslots : 16, o.foreach.ret, o.calls);
}
