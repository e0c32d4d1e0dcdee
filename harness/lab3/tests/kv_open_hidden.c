/* kv_open_hidden.c - private tests of kv_open: stores with a wrong magic or version, cut
 * short or truncated, permissions as an ordinary user, an existing store's capacity, and
 * creators racing on a shared-memory name.
 * Every call into kvstore.c runs in a subject (mmtest.h); the checks run in the test itself. */
#include "lab3_util.h"

#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The suites (init, fini, timeouts) are declared once, in the public tests. */
#define HINT_NOT_A_STORE(text) HINT(S_LAYOUT, text ": a file that is not a store gives " \
                                    "EINVAL, and never SIGBUS")

/* A real store with a few entries, read back into memory: *len bytes. */
static char *store_image(size_t nslots, size_t *len)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put[4], close; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, nslots, KV_CREATE);
        if (kv != NULL) {
            for (unsigned i = 0; i < 4; i++) {
                char key[16];
                snprintf(key, sizeof key, "img%u", i);
                o.put[i] = kvt_put(kv, key, i);
            }
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 4; i++)
        MM_CHECK_OK(o.put[i], HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
    char *img = mm_slurp(path, len);
    MM_CHECK(img != NULL && *len >= 8, MM_NO_HINT, "test setup: could not read the store "
             "file back");
    return img;
}

/* One kv_open per file, in a subject of its own: an implementation may wait up to 2 s
 * before deciding. */
static void expect_not_a_store(const void *data, size_t len, int flags, struct mm_hint hint)
{
    const char *path = mm_tmpfile(data, len);
    struct { struct mm_call open; long long took; } o;
    MM_SUBJECT(o) {
        long long start = mm_now_ms();
        struct kv *kv;
        o.open = kvt_open(&kv, path, 16, flags);
        o.took = mm_now_ms() - start;
        if (kv != NULL)
            kv_close(kv);
    }
    MM_CHECK_NULL_ERRNO(o.open, EINVAL, hint);
    MM_CHECK(o.took < 1000, HINT(S_OPEN, "a file that is not a store is refused at once: only "
             "an empty file, or a header whose first word is still 0, may be a creator's work "
             "in progress worth waiting for"), "kv_open took %lld ms to refuse a file that is "
             "not a store (%s), expected no wait.", o.took, hint.text);
    size_t after_len;
    char *after = mm_slurp(path, &after_len);
    bool same = after && after_len == len && memcmp(after, data, len) == 0;
    free(after);
    MM_CHECK(same, HINT(S_OPEN, "only the creator of a new file may write it"), "kv_open "
             "changed a file that is not a store (%s).", hint.text);
}

Test(kv_open, bad_magic_gives_EINVAL)
{
    size_t len;
    char *img = store_image(16, &len);
    ((unsigned int *)img)[0] ^= 0x01000000u;
    expect_not_a_store(img, len, 0, HINT_NOT_A_STORE("the first word is not KV_MAGIC"));
    expect_not_a_store(img, len, KV_CREATE | KV_RDONLY, HINT_NOT_A_STORE("the first word is "
                       "not KV_MAGIC (KV_CREATE | KV_RDONLY)"));
    free(img);
}

Test(kv_open, bad_version_gives_EINVAL)
{
    size_t len;
    char *img = store_image(16, &len);
    ((unsigned int *)img)[1] = KV_VERSION + 1;
    expect_not_a_store(img, len, KV_CREATE, HINT_NOT_A_STORE("the second word is not "
                       "KV_VERSION: a store of another format"));
    free(img);
}

Test(kv_open, header_cut_short_gives_EINVAL)
{
    static const size_t cuts[] = { 1, 8, 16 };
    size_t len;
    char *img = store_image(16, &len);
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        expect_not_a_store(img, cuts[i], i == 1 ? KV_RDONLY : 0, HINT_NOT_A_STORE("the first "
                           "bytes of a store, shorter than its header: compare st_size with "
                           "the header size first"));
    static const char zeros[1] = { 0 };
    expect_not_a_store(zeros, sizeof zeros, 0, HINT_NOT_A_STORE("a file of one zero byte is "
                       "shorter than any header: not a creator's work in progress (a creator "
                       "sets the whole size at once)"));
    free(img);
}

Test(kv_open, truncated_store_gives_EINVAL_not_SIGBUS)
{
    size_t len;
    char *img = store_image(1000, &len);
    expect_not_a_store(img, len / 2, KV_RDONLY, HINT_NOT_A_STORE("a store cut to half its "
                       "size: its slots are not all in the file, and touching them would "
                       "raise SIGBUS. Compare st_size with the size the header's capacity "
                       "needs"));
    free(img);
}

Test(kv_open, nslots_ignored_when_store_exists)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put[4], close, open0, close0, open1000, fifth, close1000;
             size_t count; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 4, KV_CREATE);
        if (kv != NULL) {
            for (unsigned i = 0; i < 4; i++) {
                char key[16];
                snprintf(key, sizeof key, "cap%u", i);
                o.put[i] = kvt_put(kv, key, i);
            }
            o.close = MM_CALL(kv_close(kv));
            o.open0 = kvt_open(&kv, path, 0, KV_CREATE);
            if (kv != NULL)
                o.close0 = MM_CALL(kv_close(kv));
            o.open1000 = kvt_open(&kv, path, 1000, KV_CREATE);
            if (kv != NULL) {
                o.count = (size_t)MM_CALL(kv_count(kv)).ret;
                o.fifth = MM_CALL(kv_put(kv, "fifth", "v", 1));
                o.close1000 = MM_CALL(kv_close(kv));
            }
        }
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    for (int i = 0; i < 4; i++)
        MM_CHECK_OK(o.put[i], HINT(S_ENTRIES, "4 keys fit in 4 slots"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
    MM_CHECK_PTR(o.open0, HINT(S_OPEN, "KV_CREATE with nslots 0 on an existing store: nslots "
                 "is ignored"));
    MM_CHECK_OK(o.close0, HINT_CLOSE);
    MM_CHECK_PTR(o.open1000, HINT_OPEN);
    MM_CHECK(o.count == 4, HINT(S_OPEN, "never initialise a store that exists"), "reopening "
             "with KV_CREATE and 1000 slots: kv_count %zu, expected the 4 entries already "
             "there.", o.count);
    MM_CHECK_ERRNO(o.fifth, ENOSPC, HINT(S_OPEN, "the store keeps its 4 slots: nslots is "
                   "ignored when it exists"));
    MM_CHECK_OK(o.close1000, HINT_CLOSE);
}

Test(kv_open, shm_programs_create_at_once)
{
    kvt_create_race(kvt_shm_name(), true, 8);
}

Test(kv_open, permission_denied_gives_EACCES)
{
    const char *dir = mm_tmpdir();
    char none[4096], readonly[4096];
    struct { struct mm_call open_none, close_none, open_ro, close_ro; } made;
    struct { struct mm_call none_rdonly, ro_write, ro_create, ro_rdonly, close; } o;

    MM_CHECK(chmod(dir, 0755) == 0, MM_NO_HINT, "test setup: chmod of the test directory "
             "failed");
    snprintf(none, sizeof none, "%s/mode0000", dir);
    snprintf(readonly, sizeof readonly, "%s/mode0444", dir);
    MM_SUBJECT(made) {
        struct kv *kv;
        made.open_none = kvt_open(&kv, none, 16, KV_CREATE);
        if (kv != NULL)
            made.close_none = MM_CALL(kv_close(kv));
        made.open_ro = kvt_open(&kv, readonly, 16, KV_CREATE);
        if (kv != NULL)
            made.close_ro = MM_CALL(kv_close(kv));
    }
    MM_CHECK_PTR(made.open_none, HINT_OPEN);
    MM_CHECK_OK(made.close_none, HINT_CLOSE);
    MM_CHECK_PTR(made.open_ro, HINT_OPEN);
    MM_CHECK_OK(made.close_ro, HINT_CLOSE);
    MM_CHECK(chmod(none, 0) == 0 && chmod(readonly, 0444) == 0, MM_NO_HINT, "test setup: "
             "chmod failed");
    /* As an ordinary user: root bypasses permission bits. */
    MM_SUBJECT_WITH(o, .as_user = true) {
        struct kv *kv;
        o.none_rdonly = kvt_open(&kv, none, 0, KV_RDONLY);
        if (kv != NULL)
            kv_close(kv);
        o.ro_write = kvt_open(&kv, readonly, 0, 0);
        if (kv != NULL)
            kv_close(kv);
        o.ro_create = kvt_open(&kv, readonly, 16, KV_CREATE);
        if (kv != NULL)
            kv_close(kv);
        o.ro_rdonly = kvt_open(&kv, readonly, 0, KV_RDONLY);
        if (kv != NULL)
            o.close = MM_CALL(kv_close(kv));
    }
    MM_CHECK_NULL_ERRNO(o.none_rdonly, EACCES, HINT(S_ERRNO, "as an ordinary user, pass "
                        "open's EACCES through"));
    MM_CHECK_NULL_ERRNO(o.ro_write, EACCES, HINT(S_ERRNO, "as an ordinary user, pass open's "
                        "EACCES through"));
    MM_CHECK_NULL_ERRNO(o.ro_create, EACCES, HINT(S_ERRNO, "as an ordinary user, pass open's "
                        "EACCES through"));
    MM_CHECK_PTR(o.ro_rdonly, HINT(S_ERRNO, "open a KV_RDONLY store with O_RDONLY"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* O_CREAT | O_EXCL never creates through a symbolic link: on a dangling one it says EEXIST,
 * and opening it says ENOENT. Such a name is a missing store that cannot be created: ENOENT
 * at once, after a bounded number of retries, and nothing created at the link's target. */
Test(kv_open, dangling_symlink_gives_ENOENT)
{
    const char *dir = mm_tmpdir();
    char link[4096], target[4096];
    struct { struct mm_call create, plain; bool target_made; } o;

    snprintf(link, sizeof link, "%s/link", dir);
    snprintf(target, sizeof target, "%s/nowhere", dir);
    MM_CHECK(symlink(target, link) == 0, MM_NO_HINT, "test setup: symlink failed");
    MM_SUBJECT_WITH(o, .timeout_ms = 5000, .may_die = true) {
        struct kv *kv;
        o.create = kvt_open(&kv, link, 16, KV_CREATE);
        if (kv != NULL)
            kv_close(kv);
        o.plain = kvt_open(&kv, link, 16, 0);
        if (kv != NULL)
            kv_close(kv);
        o.target_made = kvt_exists(target);
    }
    kvt_check_returned(5000, HINT(S_OPEN, "when O_CREAT | O_EXCL says EEXIST and the open "
                       "that follows says ENOENT, retry a bounded number of times"),
                       "kv_open of a dangling symbolic link with KV_CREATE");
    MM_CHECK_NULL_ERRNO(o.create, ENOENT, HINT(S_ERRNO, "a dangling symbolic link: O_CREAT | "
                        "O_EXCL says EEXIST, open says ENOENT; after a few retries, ENOENT"));
    MM_CHECK_NULL_ERRNO(o.plain, ENOENT, HINT(S_ERRNO, "without KV_CREATE a dangling link is "
                        "a missing store"));
    MM_CHECK(!o.target_made, HINT(S_OPEN, "create with O_CREAT | O_EXCL, which never follows "
             "a symbolic link"), "kv_open created the target of a dangling symbolic link.");
}

/* A creator that has sized the file (ftruncate: all zeros) but not yet written the header:
 * an opener without KV_CREATE, here KV_RDONLY, waits for it like any other. */
Test(kv_open, rdonly_opener_waits_for_a_creator_that_sized_the_file)
{
    size_t len;
    char *img = store_image(16, &len);
    const char *path = mm_tmpfile(NULL, len);
    long page = sysconf(_SC_PAGESIZE);
    size_t head = len < (size_t)page ? len : (size_t)page;
    struct { struct mm_call open, close; struct kvt_val got; long long took; int writer; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        pid_t writer = mm_fork();
        if (writer == 0) {              /* the creator, slow: slots first, header last */
            int fd = open(path, O_WRONLY | O_CLOEXEC);
            mm_sleep_ms(250);
            bool ok = fd != -1 &&
                      pwrite(fd, img + head, len - head, (off_t)head) == (ssize_t)(len - head) &&
                      pwrite(fd, img, head, 0) == (ssize_t)head;
            _exit(ok ? 0 : 1);
        }
        long long start = mm_now_ms();
        o.open = kvt_open(&kv, path, 0, KV_RDONLY);
        o.took = mm_now_ms() - start;
        if (kv != NULL) {
            o.got = kvt_get(kv, "img2", KV_VALUE_MAX);
            o.close = MM_CALL(kv_close(kv));
        }
        o.writer = mm_wait(writer, 5000);
    }
    free(img);
    MM_CHECK(o.writer == 0, MM_NO_HINT, "test setup: the writer of the store failed");
    MM_CHECK_PTR(o.open, HINT(S_OPEN, "every open of a store whose creator has not finished "
                 "waits (at most 2 s) for the ready state, KV_RDONLY too; a header of zeros is "
                 "a creator's work in progress, not a bad store"));
    MM_CHECK(o.took >= 150, HINT(S_OPEN, "a header of zeros is not a store yet: wait"),
             "kv_open(path, 0, KV_RDONLY) returned after %lld ms, before the creator wrote "
             "the header (250 ms).", o.took);
    MM_CHECK(o.took <= 900, HINT(S_OPEN, "look at the header again about every millisecond "
             "(a short nanosleep), so that a waiting open goes on as soon as the creator is "
             "done"), "kv_open(path, 0, KV_RDONLY) returned %lld ms after it started, for a "
             "creator done after 250 ms.", o.took);
    MM_CHECK(kvt_val_whole(&o.got, "img2", NULL), HINT(S_OPEN, "map the store once it is "
             "ready"), "after waiting for the creator, kv_get(\"img2\") found %s.",
             kvt_val_text(&o.got, "img2"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* Capacity 1: the smallest store works, and its one slot is all it has. */
Test(kv_open, one_slot_store_holds_one_key)
{
    const char *path = kvt_path();
    struct { struct mm_call open, put, second, replace, close; struct kvt_val got; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        o.open = kvt_open(&kv, path, 1, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "only", "1", 1));
            o.second = MM_CALL(kv_put(kv, "second", "2", 1));
            o.replace = MM_CALL(kv_put(kv, "only", "33", 2));
            o.got = kvt_get(kv, "only", 8);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK_PTR(o.open, HINT(S_OPEN, "nslots 1 is a valid capacity"));
    MM_CHECK_OK(o.put, HINT(S_ENTRIES, "the first key of a 1-slot store"));
    MM_CHECK_ERRNO(o.second, ENOSPC, HINT(S_ENTRIES, "a 1-slot store holds one key"));
    MM_CHECK_OK(o.replace, HINT(S_ENTRIES, "replacing the one key of a full store works"));
    MM_CHECK(kvt_val_is(&o.got, "33", 2), HINT(S_ENTRIES, "kv_put replaces the value"),
             "kv_get(\"only\") returned %lld, expected 2 (\"33\").", o.got.get.ret);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* The descriptor a handle keeps is close-on-exec: programs the caller starts must not
 * inherit the store. A handle that keeps no descriptor passes too. */
Test(kv_open, kept_descriptor_is_close_on_exec)
{
    const char *path = kvt_path();
    struct { struct mm_call open, close; int kept, inherited; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        char real[4096];
        o.open = kvt_open(&kv, path, 16, KV_CREATE);
        if (kv != NULL && realpath(path, real) != NULL) {
            for (int fd = 0; fd < 1024; fd++) {
                char link[64], to[4096];
                snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
                ssize_t n = readlink(link, to, sizeof to - 1);
                if (n <= 0)
                    continue;
                to[n] = '\0';
                if (strcmp(to, real) == 0) {
                    o.kept++;
                    o.inherited += !(fcntl(fd, F_GETFD) & FD_CLOEXEC);
                }
            }
        }
        if (kv != NULL)
            o.close = MM_CALL(kv_close(kv));
    }
    MM_CHECK_PTR(o.open, HINT_OPEN);
    MM_CHECK(o.inherited == 0, HINT(S_OPEN, "open the store with O_CLOEXEC (shm_open sets it "
             "itself)"), "%d of the %d descriptors kv_open keeps of the store would be "
             "inherited by programs the caller runs (no FD_CLOEXEC).", o.inherited, o.kept);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* A new store gets mode 0666 before the umask, like any file a program creates: the user's
 * umask, not the library, decides who else may open it. */
Test(kv_open, new_store_mode_is_0666_before_umask)
{
    const char *path = kvt_path(), *name = kvt_shm_name();
    struct { struct mm_call file, shm; unsigned file_mode, shm_mode; } o;

    MM_SUBJECT(o) {
        struct kv *kv;
        struct stat sb;
        char shm_path[300];
        umask(0);
        o.file = kvt_open(&kv, path, 4, KV_CREATE);
        if (kv != NULL) {
            kv_close(kv);
            if (stat(path, &sb) == 0)
                o.file_mode = sb.st_mode & 07777;
        }
        o.shm = kvt_open(&kv, name, 4, KV_CREATE | KV_SHM);
        snprintf(shm_path, sizeof shm_path, "/dev/shm%s", name);
        if (kv != NULL) {
            kv_close(kv);
            if (stat(shm_path, &sb) == 0)
                o.shm_mode = sb.st_mode & 07777;
        }
    }
    MM_CHECK_PTR(o.file, HINT_OPEN);
    MM_CHECK_PTR(o.shm, HINT_OPEN);
    MM_CHECK(o.file_mode == 0666 && o.shm_mode == 0666, HINT(S_OPEN, "create with mode 0666 "
             "and let the umask decide"), "with umask 0, a new file store has mode %04o and "
             "a new shm store %04o, expected 0666 for both.", o.file_mode, o.shm_mode);
}

/* A file store's name is any path: a relative one (no '/' at all) is a file in the current
 * directory, for kv_open and kv_unlink alike; only KV_SHM names need the leading '/'. */
Test(kv_open, relative_path_names_a_file_store)
{
    const char *dir = mm_tmpdir();
    char full[4096];
    struct { struct mm_call open, put, close, reopen, reclose, unlink; struct kvt_val got;
             bool made, left; int cd; } o;

    snprintf(full, sizeof full, "%s/rel.kv", dir);
    MM_SUBJECT(o) {
        struct kv *kv;
        o.cd = chdir(dir);
        o.open = kvt_open(&kv, "rel.kv", 8, KV_CREATE);
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "here", "yes", 3));
            o.close = MM_CALL(kv_close(kv));
        }
        o.made = kvt_exists(full);
        o.reopen = kvt_open(&kv, "rel.kv", 0, KV_RDONLY);
        if (kv != NULL) {
            o.got = kvt_get(kv, "here", 8);
            o.reclose = MM_CALL(kv_close(kv));
        }
        o.unlink = MM_CALL(kv_unlink("rel.kv", 0));
        o.left = kvt_exists(full);
    }
    MM_CHECK(o.cd == 0, MM_NO_HINT, "test setup: chdir failed");
    MM_CHECK_PTR(o.open, HINT(S_ERRNO, "a relative path is a file store's name too: only "
                 "KV_SHM names must start with '/'"));
    MM_CHECK_OK(o.put, HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK_OK(o.close, HINT_CLOSE);
    MM_CHECK(o.made, HINT(S_SHARING, "a relative path names a file in the current directory"),
             "kv_open(\"rel.kv\", 8, KV_CREATE) did not create rel.kv in the current "
             "directory.");
    MM_CHECK_PTR(o.reopen, HINT(S_ERRNO, "a relative path is a file store's name too"));
    MM_CHECK(kvt_val_is(&o.got, "yes", 3), HINT(S_SHARING, "the store lives in the file"),
             "reopened by its relative path, kv_get(\"here\") returned %lld, expected 3.",
             o.got.get.ret);
    MM_CHECK_OK(o.reclose, HINT_CLOSE);
    MM_CHECK_OK(o.unlink, HINT(S_ERRNO, "kv_unlink of a relative path is unlink(2) of it: "
                "only KV_SHM names must start with '/'"));
    MM_CHECK(!o.left, HINT(S_SHARING, "kv_unlink removes the file"), "kv_unlink(\"rel.kv\", "
             "0) left the file behind.");
}

/* open's own errors pass through unchanged, with KV_CREATE too: creating in a directory
 * that does not exist is ENOENT, and nothing is created. */
Test(kv_open, create_in_missing_directory_gives_ENOENT)
{
    const char *dir = mm_tmpdir();
    char path[4096];

    snprintf(path, sizeof path, "%s/no-such-dir/store", dir);
    MM_CALL_NULL_ERRNO(kv_open(path, 16, KV_CREATE), ENOENT, HINT(S_ERRNO, "when O_CREAT | "
                       "O_EXCL fails with anything but EEXIST, return its errno"));
    MM_CALL_NULL_ERRNO(kv_open(path, 16, KV_CREATE | KV_RDONLY), ENOENT, HINT(S_ERRNO, "when "
                       "O_CREAT | O_EXCL fails with anything but EEXIST, return its errno"));
}

/* ---- A store unlinked between a creator's two opens ------------------------------------ */
/* The race "O_CREAT | O_EXCL says EEXIST, then the store is unlinked before the open that
 * follows" made certain: a seccomp user-notification filter stops every openat of the
 * subject's main thread, and a supervisor thread (not filtered) lets each one go on,
 * removing the file just before the second open of its path. */
struct vanish {
    const char *path;
    int listener, opens;
};

static void *vanish_supervisor(void *arg)
{
    struct vanish *v = arg;
    /* Static, not seccomp_notify_alloc'd: the thread never ends, and nothing may leak. */
    static _Alignas(64) unsigned char req_buf[1024], resp_buf[1024];
    struct seccomp_notif *req = (struct seccomp_notif *)req_buf;
    struct seccomp_notif_resp *resp = (struct seccomp_notif_resp *)resp_buf;

    for (;;) {
        memset(req, 0, sizeof *req);
        if (seccomp_notify_receive(v->listener, req) != 0)
            continue;
        const char *name = (const char *)(uintptr_t)req->data.args[1];
        if (name != NULL && strcmp(name, v->path) == 0 && ++v->opens == 2)
            unlink(v->path);            /* gone between the O_EXCL open and the next one */
        memset(resp, 0, sizeof *resp);
        resp->id = req->id;
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        seccomp_notify_respond(v->listener, resp);
    }
    return NULL;
}

Test(kv_open, create_retries_when_the_store_vanishes)
{
    const char *path = mm_tmpfile("", 0);   /* a creator's file, soon unlinked */
    static struct vanish v;
    struct { struct mm_call open, put, close; struct kvt_val got; int watched, opens; } o;

    v.path = path;
    MM_SUBJECT(o) {
        struct kv *kv = NULL;
        pthread_t tid;
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        o.watched = ctx != NULL &&
                    seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(openat), 0) == 0 &&
                    seccomp_load(ctx) == 0 && (v.listener = seccomp_notify_fd(ctx)) >= 0;
        if (ctx != NULL)
            seccomp_release(ctx);
        if (o.watched)
            o.watched = pthread_create(&tid, NULL, vanish_supervisor, &v) == 0;
        if (o.watched) {
            o.open = kvt_open(&kv, path, 8, KV_CREATE);
            o.opens = v.opens;
        }
        if (kv != NULL) {
            o.put = MM_CALL(kv_put(kv, "after", "race", 4));
            o.got = kvt_get(kv, "after", 8);
            o.close = MM_CALL(kv_close(kv));
        }
    }
    MM_CHECK(o.watched, MM_NO_HINT, "test setup: could not install the seccomp filter");
    MM_CHECK_PTR(o.open, HINT(S_OPEN, "when O_CREAT | O_EXCL says EEXIST and the open that "
                 "follows says ENOENT, the store was unlinked in between: try O_CREAT | O_EXCL "
                 "again (a bounded number of times)"));
    MM_CHECK(o.opens >= 3, HINT(S_OPEN, "after EEXIST then ENOENT, create the store again"),
             "kv_open opened the store's path %d times, expected at least 3 (O_EXCL, open, "
             "O_EXCL again).", o.opens);
    MM_CHECK_OK(o.put, HINT(S_ENTRIES, "kv_put of a new key"));
    MM_CHECK(kvt_val_is(&o.got, "race", 4), HINT(S_OPEN, "the process that wins O_EXCL on "
             "the retry initialises the store"), "in the store created on the retry, "
             "kv_get(\"after\") returned %lld, expected 4.", o.got.get.ret);
    MM_CHECK_OK(o.close, HINT_CLOSE);
}

/* ---- A mapping that fails inside kv_open ------------------------------------------------ */
/* The fail_at-th MAP_SHARED mmap of the subject's main thread fails with ENOMEM (what
 * RLIMIT_AS would give; a seccomp user-notification supervisor decides, so that ASan's own
 * anonymous mappings are untouched); every other one goes on. */
struct mmap_fault {
    int listener, fail_at, seen;
};

static void *mmap_fault_supervisor(void *arg)
{
    struct mmap_fault *f = arg;
    static _Alignas(64) unsigned char req_buf[1024], resp_buf[1024];
    struct seccomp_notif *req = (struct seccomp_notif *)req_buf;
    struct seccomp_notif_resp *resp = (struct seccomp_notif_resp *)resp_buf;

    for (;;) {
        memset(req, 0, sizeof *req);
        if (seccomp_notify_receive(f->listener, req) != 0)
            continue;
        memset(resp, 0, sizeof *resp);
        resp->id = req->id;
        if (++f->seen == f->fail_at)
            resp->error = -ENOMEM;
        else
            resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        seccomp_notify_respond(f->listener, resp);
    }
    return NULL;
}

/* Installs the filter and starts the supervisor (in a subject only); false if it could not. */
static bool fail_shared_mmap(struct mmap_fault *f, int fail_at)
{
    pthread_t tid;
    f->fail_at = fail_at;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    bool ok = ctx != NULL &&
              seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(mmap), 1,
                               SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_SHARED, MAP_SHARED)) == 0 &&
              seccomp_load(ctx) == 0 && (f->listener = seccomp_notify_fd(ctx)) >= 0;
    if (ctx != NULL)
        seccomp_release(ctx);
    return ok && pthread_create(&tid, NULL, mmap_fault_supervisor, f) == 0;
}

struct mmap_fault_seen {
    struct mm_call open;
    bool installed, left;
    int seen, fds_before, fds_after, maps_before, maps_after;
    long long size_after;
};

static struct mmap_fault_seen open_with_mmap_fault(const char *path, int flags, int fail_at)
{
    static struct mmap_fault f;
    struct mmap_fault_seen o;

    MM_SUBJECT(o) {
        struct kv *kv = NULL;
        struct stat sb;
        o.installed = fail_shared_mmap(&f, fail_at);
        o.fds_before = mm_count_fds(), o.maps_before = kvt_count_file_maps();
        if (o.installed)
            o.open = kvt_open(&kv, path, 16, flags);
        o.seen = f.seen;
        o.fds_after = mm_count_fds(), o.maps_after = kvt_count_file_maps();
        o.left = kvt_exists(path);
        o.size_after = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
        if (kv != NULL)
            kv_close(kv);
    }
    MM_CHECK(o.installed, MM_NO_HINT, "test setup: could not install the seccomp filter");
    return o;
}

/* Each MAP_SHARED mmap kv_open makes fails in turn: kv_open must give mmap's ENOMEM, keep no
 * descriptor or mapping, leave an existing store as it was, and remove a store it created
 * when it fails before the store is ready. */
Test(kv_open, failing_mmap_gives_ENOMEM_and_leaves_nothing)
{
    const char *existing = kvt_path();
    struct { struct mm_call open, close; } made;
    struct stat sb;

    MM_SUBJECT(made) {
        struct kv *kv;
        made.open = kvt_open(&kv, existing, 16, KV_CREATE);
        if (kv != NULL)
            made.close = MM_CALL(kv_close(kv));
    }
    MM_CHECK_PTR(made.open, HINT_OPEN);
    MM_CHECK_OK(made.close, HINT_CLOSE);
    MM_CHECK(stat(existing, &sb) == 0, MM_NO_HINT, "test setup: the store is missing");
    long long size = (long long)sb.st_size;

    for (int round = 0; round < 2; round++) {
        bool create = round == 0;
        for (int k = 1; k <= 4; k++) {
            const char *path = create ? kvt_path() : existing;
            struct mmap_fault_seen o = open_with_mmap_fault(path, create ? KV_CREATE : 0, k);
            if (o.seen < k) {           /* kv_open made fewer mappings: it must work */
                MM_CHECK_PTR(o.open, HINT_OPEN);
                break;
            }
            const char *what = create ? "creating a store" : "opening an existing store";
            MM_CHECK(o.open.ret == 0 && o.open.err == ENOMEM, HINT(S_ERRNO, "when mmap fails, "
                     "undo what kv_open did and return NULL with mmap's errno"), "%s, when "
                     "MAP_SHARED mmap number %d failed with ENOMEM, kv_open returned %s "
                     "(errno %s), expected NULL with ENOMEM.", what, k,
                     o.open.ret ? "a handle" : "NULL", mm_errno_name(o.open.err));
            MM_CHECK(o.fds_after == o.fds_before && o.maps_after == o.maps_before,
                     HINT(S_ERRNO, "a failing kv_open closes and unmaps what it opened"),
                     "%s with mmap number %d failing: %d file descriptors (before: %d), %d "
                     "file mappings (before: %d).", what, k, o.fds_after, o.fds_before,
                     o.maps_after, o.maps_before);
            if (create && k == 1)
                MM_CHECK(!o.left, HINT(S_OPEN, "a create that fails before the store is "
                         "ready removes the file, or others wait for a store that never "
                         "comes"), "creating a store whose first mmap failed left the file "
                         "behind.");
            if (!create)
                MM_CHECK(o.size_after == size, HINT(S_OPEN, "never change a store you did "
                         "not create"), "opening an existing store with mmap number %d "
                         "failing changed its size from %lld to %lld bytes.", k, size,
                         o.size_after);
        }
    }
}
