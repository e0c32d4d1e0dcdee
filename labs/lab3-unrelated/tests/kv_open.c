/* kv_open.c - public tests of kv_open: creating and reopening a store, four programs
 * creating one at the same moment, and the errno of every way opening can fail.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_open/..'. */
#include "lab3_util.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define HINT_CREATE HINT(S_OPEN, "create with O_CREAT | O_EXCL, ftruncate to the full size, " \
                         "then initialise")

Test(kv_open, create_then_reopen_keeps_data)
{
    const char *path = kvt_path();
    struct { struct mm_call create, put, close, reopen, reclose; struct kvt_val got; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.create = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "lang", "C11", 3));
            o.close = MM_CALL(kv_close(kv));
            o.reopen = kvt_open(&kv, path, 0, 0);
            if (kv != NULL) {
                o.got = kvt_get(kv, "lang", 16);
                o.reclose = MM_CALL(kv_close(kv));
            }
        }
    }
    MM_CHECK_PTR(o.create, HINT_CREATE);
    MM_CHECK_OK(o.put, HINT_CREATE);
    MM_CHECK_OK(o.close, HINT(S_OPEN, "kv_close unmaps and closes"));
    MM_CHECK_PTR(o.reopen, HINT(S_OPEN, "an existing store opens without KV_CREATE"));
    MM_CHECK(kvt_val_is(&o.got, "C11", 3), HINT(S_LAYOUT, "the data must live in the "
             "MAP_SHARED mapping of the file"), "after reopening, kv_get(\"lang\") returned "
             "%lld, expected 3 (\"C11\").", o.got.get.ret);
    MM_CHECK_OK(o.reclose, HINT(S_OPEN, "kv_close unmaps and closes"));
}

Test(kv_open, missing_without_create_gives_ENOENT)
{
    const char *path = kvt_path();
    MM_CALL_NULL_ERRNO(kv_open(path, 16, 0), ENOENT,
                       HINT(S_ERRNO, "without KV_CREATE a missing store is an error"));
}

Test(kv_open, nslots_zero_gives_EINVAL)
{
    const char *path = kvt_path();
    MM_CALL_NULL_ERRNO(kv_open(path, 0, KV_CREATE), EINVAL,
                       HINT(S_ERRNO, "a new store needs at least one slot"));
    MM_CHECK(!kvt_exists(path), HINT(S_ERRNO, "check nslots before creating anything"),
             "kv_open(path, 0, KV_CREATE) failed but left a file behind.");
}

Test(kv_open, shm_name_without_slash_gives_EINVAL)
{
    const char *name = kvt_shm_name();      /* "/mmtest-kv-...": removed at the end */
    MM_CALL_NULL_ERRNO(kv_open(name + 1, 16, KV_CREATE | KV_SHM), EINVAL,
                       HINT(S_ERRNO, "a POSIX shared-memory name starts with '/'"));
    MM_CHECK(!kvt_shm_exists(name), HINT(S_ERRNO, "check the name before calling shm_open"),
             "kv_open failed but created /dev/shm%s.", name);
}

Test(kv_open, text_file_is_not_a_store_gives_EINVAL)
{
    char text[20000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "the quick brown fox jumps over the lazy dog\n"[i % 44];
    const char *path = mm_tmpfile(text, sizeof text);
    MM_CALL_NULL_ERRNO(kv_open(path, 16, KV_CREATE), EINVAL,
                       HINT(S_LAYOUT, "an existing file without KV_MAGIC is not a store, even "
                            "with KV_CREATE; check the magic"));
    size_t len;
    char *after = mm_slurp(path, &len);
    bool same = after && len == sizeof text && memcmp(after, text, len) == 0;
    free(after);
    MM_CHECK(same, HINT(S_OPEN, "never ftruncate or write a file you did not create"),
             "kv_open changed a file that is not a store.");
}

Test(kv_open, short_file_gives_EINVAL_not_SIGBUS)
{
    static const unsigned char one[1] = { 'K' };
    const unsigned int prefix[2] = { KV_MAGIC, KV_VERSION };
    const char *onefile = mm_tmpfile(one, sizeof one);
    const char *prefixfile = mm_tmpfile(prefix, sizeof prefix);

    MM_CALL_NULL_ERRNO(kv_open(onefile, 0, 0), EINVAL,
                       HINT(S_LAYOUT, "a 1-byte file is shorter than any header; check its "
                            "size with fstat before mapping"));
    MM_CALL_NULL_ERRNO(kv_open(prefixfile, 0, KV_RDONLY), EINVAL,
                       HINT(S_LAYOUT, "a file holding only KV_MAGIC and KV_VERSION is shorter "
                            "than the header: compare st_size with the header size before "
                            "reading it (primer, \"SIGBUS and SIGSEGV\")"));
}

Test(kv_open, directory_gives_EISDIR)
{
    const char *dir = mm_tmpdir(), *dir2 = mm_tmpdir();
    MM_CALL_NULL_ERRNO(kv_open(dir, 16, 0), EISDIR,
                       HINT(S_ERRNO, "open(dir, O_RDWR) says EISDIR: pass it through"));
    MM_CALL_NULL_ERRNO(kv_open(dir2, 16, KV_CREATE), EISDIR,
                       HINT(S_ERRNO, "KV_CREATE on an existing directory: still EISDIR"));
}

Test(kv_open, directory_rdonly_gives_ENODEV)
{
    const char *dir = mm_tmpdir();
    MM_CALL_NULL_ERRNO(kv_open(dir, 0, KV_RDONLY), ENODEV,
                       HINT(S_ERRNO, "a directory opens O_RDONLY but cannot be mapped: "
                            "ENODEV, as mmap says (check S_ISREG after fstat)"));
}

Test(kv_open, four_programs_create_at_once)
{
    kvt_create_race(kvt_path(), false, 8);
}

Test(kv_open, store_outlives_every_program)
{
    const char *path = kvt_path();
    struct kvt_run r;

    kvt_run(&r, 10000, "kvhelper", path, "fill", "128", "persist-", "0", "50", NULL);
    MM_CHECK(r.status == 0, HINT_OPEN, "a program creating the store and putting 50 keys "
             "exited %d (stderr: %s).", r.status, r.err);
    kvt_run(&r, 10000, "kvhelper", path, "check", "persist-", "0", "50", NULL);
    MM_CHECK(r.status == 0, HINT(S_SHARING, "the store lives in the file, mapped "
             "MAP_SHARED"), "a program started after the writer had exited could not read "
             "its 50 keys back (exit %d): %s", r.status, r.err);
    struct { struct mm_call open, close; size_t count; } o;
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 0, KV_RDONLY);
        if (kv != NULL) {
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK(o.count == 50, HINT(S_ENTRIES, "kv_count is the number of live entries"),
             "kv_count is %zu in a store holding 50 keys.", o.count);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* Plays a creator that has won O_EXCL but is slow to initialise: the store file exists,
 * empty, while a program opens it with KV_CREATE; only then does the file become a store
 * (bytes of a real one, written the way a creator writes them: size first, header last). */
Test(kv_open, opener_waits_for_a_slow_creator)
{
    const char *path = kvt_path(), *model = kvt_path();
    int go[2], ready[2];
    size_t len;

    struct { struct mm_call open, put, close; } made;
    MM_SUBJECT(made) {
        struct kv *kv;
        made.open = kvt_open(&kv, model, 64, KV_CREATE);
        if (kv != NULL) {
            made.put = kvt_put(kv, "early", 1);
            made.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(made.open, HINT_OPEN);
    MM_CHECK_OK(made.put, HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK_OK(made.close, HINT_CLOSE);
    char *image = mm_slurp(model, &len);
    long page = sysconf(_SC_PAGESIZE);
    MM_CHECK(image != NULL && len > (size_t)page, HINT(S_OPEN, "a store with 64 slots is "
             "more than a page long: ftruncate it to its full size"), "the store file is %zu "
             "bytes long.", image ? len : 0);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: could not create %s", path);

    MM_CHECK(pipe2(go, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0, MM_NO_HINT,
             "test setup: pipe2 failed");
    const char *argv[] = { "kvhelper", "--sync", path, "create", "64", "late", NULL };
    pid_t pid = kvt_spawn(argv, go[0], ready[1]);
    close(go[0]), close(ready[1]);
    struct pollfd p = { ready[0], POLLIN, 0 };
    char c;
    int started = poll(&p, 1, 10000) == 1 && read(ready[0], &c, 1) == 1;
    close(ready[0]);
    close(go[1]);                       /* the program calls kv_open now... */
    mm_sleep_ms(200);                  /* ...and must still be waiting 200 ms later */
    int written = ftruncate(fd, (off_t)len) == 0 &&
                  pwrite(fd, image + page, len - (size_t)page, page) == (ssize_t)len - page &&
                  pwrite(fd, image, (size_t)page, 0) == page;
    close(fd);
    free(image);
    MM_CHECK(started && written, MM_NO_HINT, "test setup: could not start the program or "
             "write the store file");
    int rc = kvt_wait(pid, 10000);
    MM_CHECK(rc == 0, HINT(S_OPEN, "when O_CREAT | O_EXCL fails with EEXIST, another process "
             "is creating the store: wait (at most 2 s) until it is as long as the header and "
             "says ready"), "a program opening, with KV_CREATE, a store whose creator needed "
             "200 ms to initialise it %s%s.", rc == -1 ? "crashed or hung" : "failed",
             kvt_helper_said());

    struct { struct mm_call open, close; struct kvt_val late, early; } o;
    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 0, KV_RDONLY);
        if (kv != NULL) {
            o.late = kvt_get(kv, "late", KV_VALUE_MAX);
            o.early = kvt_get(kv, "early", KV_VALUE_MAX);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    bool late = kvt_val_whole(&o.late, "late", NULL), early = kvt_val_whole(&o.early, "early",
                                                                             NULL);
    MM_CHECK(late && early, HINT(S_OPEN, "only the process whose O_CREAT | O_EXCL succeeded "
             "initialises; an existing empty file is somebody else's creation in progress"),
             "after the slow creator finished, the key put by the waiting program is %s and "
             "the creator's key is %s.", late ? "there" : "missing or wrong",
             early ? "there" : "missing or wrong");
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

Test(kv_open, null_name_gives_EINVAL)
{
    struct { struct mm_call create, rdonly_shm; } o;

    /* MM_CALL here, not MM_CALL_NULL_ERRNO: its text would show NULL expanded. */
    MM_SUBJECT(o) {
        o.create = MM_CALL(kv_open(NULL, 16, KV_CREATE));
        o.rdonly_shm = MM_CALL(kv_open(NULL, 0, KV_RDONLY | KV_SHM));
    }
    MM_CHECK_NULL_ERRNO(o.create, EINVAL, HINT(S_ERRNO, "check name == NULL before anything "
                        "else"));
    MM_CHECK_NULL_ERRNO(o.rdonly_shm, EINVAL, HINT(S_ERRNO, "check name == NULL before "
                        "anything else"));
}

/* Slot counts whose store size does not fit in a size_t for any layout (a slot holds at
 * least a key and a value, 320 bytes): the multiplication wraps around. */
Test(kv_open, overflowing_nslots_gives_EINVAL_and_no_file)
{
    static const struct { size_t n; const char *text; } huge[] = {
        { SIZE_MAX, "kv_open(path, SIZE_MAX, KV_CREATE)" },
        { SIZE_MAX / 2 + 1, "kv_open(path, SIZE_MAX / 2 + 1, KV_CREATE)" },
        { (size_t)1 << 62, "kv_open(path, 1 << 62, KV_CREATE)" },
        { (size_t)1 << 58, "kv_open(path, 1 << 58, KV_CREATE)" },
    };
    enum { N = sizeof huge / sizeof huge[0] };
    const char *path = kvt_path();
    struct { struct mm_call open[N]; bool left[N]; } o;

    MM_SUBJECT(o) {
        for (int i = 0; i < N; i++) {
            struct kv *kv;
            o.open[i] = MM_CALL_AS(huge[i].text, kv = kv_open(path, huge[i].n, KV_CREATE));
            if (kv != NULL)
                kv_close(kv);
            o.left[i] = kvt_exists(path);
            unlink(path);                   /* each call on its own */
        }
    }
    for (int i = 0; i < N; i++) {
        MM_CHECK_NULL_ERRNO(o.open[i], EINVAL, HINT(S_ERRNO, "the size of nslots slots plus "
                            "the header must not overflow: check nslots against "
                            "(SIZE_MAX - header size) / slot size before multiplying"));
        MM_CHECK(!o.left[i], HINT(S_ERRNO, "a failed create removes the file it created"),
                 "%s failed but left a file behind.", huge[i].text);
    }
}

static long long cpu_ms(const struct rusage *ru)
{
    return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000LL +
           (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000;
}

/* A creator that won O_CREAT | O_EXCL and never finished: the file stays empty. Every open,
 * not only KV_CREATE's, waits for it about 2 s (not 2 ms, not forever), then gives up with
 * EINVAL. */
Test(kv_open, unfinished_store_gives_EINVAL_after_2_s)
{
    static const struct { int flags; const char *text; } opens[] = {
        { KV_RDONLY, "kv_open(path, 0, KV_RDONLY)" },
        { KV_CREATE, "kv_open(path, 16, KV_CREATE)" },
    };
    const char *path = kvt_path();
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    MM_CHECK(fd != -1, MM_NO_HINT, "test setup: could not create %s", path);
    close(fd);

    for (size_t i = 0; i < sizeof opens / sizeof opens[0]; i++) {
        struct { struct mm_call c; long long cpu_ms, took, sleeps; } o;
        MM_SUBJECT_WITH(o, .timeout_ms = 8000, .may_die = true) {
            struct kv *kv;
            struct rusage before, after;
            long long start = mm_now_ms();
            getrusage(RUSAGE_SELF, &before);
            o.c = MM_CALL_AS(opens[i].text, kv = kv_open(path, opens[i].flags & KV_CREATE ? 16
                                                                                         : 0,
                                                          opens[i].flags));
            getrusage(RUSAGE_SELF, &after);
            o.took = mm_now_ms() - start;
            o.cpu_ms = cpu_ms(&after) - cpu_ms(&before);
            o.sleeps = after.ru_nvcsw - before.ru_nvcsw;
            if (kv != NULL)
                kv_close(kv);
        }
        long long took = o.took;       /* the call alone, without starting the subject */
        struct mm_call c = o.c;
        kvt_check_returned(8000, HINT(S_OPEN, "wait for a creator at most 2 s, then give up"),
                           opens[i].text);
        MM_CHECK_NULL_ERRNO(c, EINVAL, HINT(S_OPEN, "a store that is still not ready after "
                            "2 s is not a store"));
        MM_CHECK(took >= 1900 && took <= 5000, HINT(S_OPEN, "wait until a deadline 2 s ahead "
                 "on the clock (CLOCK_MONOTONIC), polling with a short sleep"), "%s of a store "
                 "whose creator never finished gave up after %lld ms, expected about 2000 ms.",
                 opens[i].text, took);
        MM_CHECK(o.cpu_ms <= 500, HINT(S_OPEN, "sleep about a millisecond between looks at "
                 "the header (nanosleep): a busy loop takes a CPU from the creator it waits "
                 "for"), "%s used %lld ms of CPU time while it waited %lld ms for a creator, "
                 "expected at most 500.", opens[i].text, o.cpu_ms, took);
        /* Each pause gives up the CPU once (a voluntary context switch): a loop without
         * one never pauses, one of 1 ms pauses about 2000 times in 2 s. */
        MM_CHECK(o.sleeps >= 20 && o.sleeps <= 10000, HINT(S_OPEN, "pause about a "
                 "millisecond (nanosleep) between looks at the header: never a busy loop, "
                 "nor pauses of a few microseconds"), "%s paused %lld times while it waited "
                 "%lld ms for a creator, expected between 20 and 10000 (about one pause a "
                 "millisecond).", opens[i].text, o.sleeps, took);
        struct stat sb;
        MM_CHECK(stat(path, &sb) == 0 && sb.st_size == 0, HINT(S_OPEN, "only the process "
                 "whose O_CREAT | O_EXCL succeeded initialises"), "%s changed a store file "
                 "another process was creating.", opens[i].text);
    }
}

/* KV_CREATE | KV_RDONLY: a missing store is created as with KV_CREATE, and the handle is
 * read-only all the same; an existing store opens read-only and keeps its data. */
Test(kv_open, create_rdonly_creates_a_store_and_a_rdonly_handle)
{
    const char *path = kvt_path(), *zero = kvt_path();
    struct { struct mm_call create, put, close, reopen, put2, close2, existing, close3,
             zero_slots; struct kvt_val missing, got; size_t count; bool zero_left; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.create = kvt_open(&kv, path, 16, KV_CREATE | KV_RDONLY);
        if (kv != NULL) {
            o.count = (size_t)MM_CALL(kv_count(kv)).ret;
            o.missing = kvt_get(kv, "nothing", 16);
            o.put = MM_CALL(kv_put(kv, "k", "v", 1));
            o.close = MM_CALL(kv_close(kv));
        }
        o.reopen = kvt_open(&kv, path, 0, 0);
        if (kv != NULL) {
            o.put2 = MM_CALL(kv_put(kv, "k", "v", 1));
            o.close2 = MM_CALL(kv_close(kv));
        }
        o.existing = kvt_open(&kv, path, 16, KV_CREATE | KV_RDONLY);
        if (kv != NULL) {
            o.got = kvt_get(kv, "k", 16);
            o.close3 = MM_CALL(kv_close(kv));
        }
        o.zero_slots = kvt_open(&kv, zero, 0, KV_CREATE | KV_RDONLY);
        if (kv != NULL)
            kv_close(kv);
        o.zero_left = kvt_exists(zero);
    }
    MM_CHECK_PTR(o.create, HINT(S_OPEN, "KV_CREATE | KV_RDONLY creates a missing store as "
                 "KV_CREATE does (through a read-write descriptor), then hands back a "
                 "read-only handle"));
    MM_CHECK(o.count == 0, HINT(S_OPEN, "a new store is empty"), "kv_count of a store just "
             "created with KV_CREATE | KV_RDONLY is %zu, expected 0.", o.count);
    MM_CHECK_ERRNO(o.missing.get, ENOENT, HINT(S_ENTRIES, "a new store holds no key"));
    MM_CHECK_ERRNO(o.put, EBADF, HINT(S_OPEN, "a handle opened with KV_RDONLY is read-only, "
                   "also when the same call created the store"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
    MM_CHECK_PTR(o.reopen, HINT(S_OPEN, "the store KV_CREATE | KV_RDONLY made is a complete "
                 "store: header, ready state and slots"));
    MM_CHECK_OK(o.put2, HINT(S_OPEN, "the store KV_CREATE | KV_RDONLY made is a complete "
                "store that read-write handles can change"));
    MM_CHECK_OK(o.close2, HINT_CLOSE);
    MM_CHECK_PTR(o.existing, HINT(S_OPEN, "KV_CREATE | KV_RDONLY on an existing store opens "
                 "it read-only"));
    MM_CHECK(kvt_val_is(&o.got, "v", 1), HINT(S_OPEN, "KV_CREATE | KV_RDONLY on an existing "
             "store keeps its data"), "kv_open(path, 16, KV_CREATE | KV_RDONLY) of an existing "
             "store, then kv_get(\"k\") returned %lld (%s), expected 1 (\"v\").",
             o.got.get.ret, o.got.get.ret == -1 ? mm_errno_name(o.got.get.err) : "no error");
    MM_CHECK_OK(o.close3, HINT_CLOSE);
    MM_CHECK_NULL_ERRNO(o.zero_slots, EINVAL, HINT(S_ERRNO, "a new store needs at least one "
                        "slot, with KV_RDONLY too"));
    MM_CHECK(!o.zero_left, HINT(S_ERRNO, "check nslots before creating anything"),
             "kv_open(path, 0, KV_CREATE | KV_RDONLY) failed but left a file behind.");
}
