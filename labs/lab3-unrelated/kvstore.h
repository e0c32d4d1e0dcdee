/* kvstore.h - Lab 3: a persistent key-value store shared by unrelated programs through a
 * named MAP_SHARED mapping (a regular file, or a POSIX shared-memory object with KV_SHM).
 * You implement these functions in kvstore.c; kvtool and the tests call them. Handout: lab3.
 * Every function returns -1 (kv_open: NULL) with errno set on failure and keeps nothing it
 * acquired; errno values not listed are those of the failing system call, unchanged.
 * Library code prints nothing (no printf, perror, fprintf): errno is the report. */
#ifndef KVSTORE_H
#define KVSTORE_H

#include <stddef.h>
#include <sys/types.h>

/* ---- Limits and flags ------------------------------------------------------------------- */
#define KV_KEY_MAX   63      /* bytes, not counting the NUL */
#define KV_VALUE_MAX 256     /* bytes */

enum {
    KV_CREATE = 1,          /* create the store if it does not exist */
    KV_RDONLY = 2,          /* map it read-only: kv_get/kv_foreach only, no lock taken,
                               so reads must never wait for a writer (it may have died);
                               KV_CREATE | KV_RDONLY creates a missing store as KV_CREATE
                               does, and the handle is read-only all the same */
    KV_SHM    = 4,          /* name is a POSIX shared-memory name ("/name"), not a path */
};

/* ---- The file format's fixed prefix ----------------------------------------------------- */
/* Every store begins with these two 32-bit words, in host byte order; the rest of the
 * layout is yours (handout lab3, "Store layout"). Anything else is not a store. */
#define KV_MAGIC     0x4b565333u    /* "KVS3" */
#define KV_VERSION   1u

struct kv;                  /* an open store: private to kvstore.c */

/* ---- Opening and closing ---------------------------------------------------------------- */

/* Opens the store called name (a file path, or with KV_SHM a shared-memory name) and maps
 * it MAP_SHARED. With KV_CREATE a missing store is created with nslots slots (nslots is
 * ignored when it exists); when several processes create the same store at once all of
 * them succeed, exactly one initialises it and the others wait for it. Every open (with or
 * without KV_CREATE, KV_RDONLY too) of a store whose creator has not finished yet waits
 * for it, about 2 s at most (a deadline on the clock); a store still unfinished then is
 * not a store (EINVAL). The wait sleeps between looks (it does not spin on the CPU). A
 * create that fails after making the file or object, before the store is ready, removes
 * it again, so that nobody waits for a store that never comes. A new store has mode 0666
 * before the umask; the descriptor a handle keeps is close-on-exec, so programs the
 * caller runs do not inherit it.
 * Returns the handle, or NULL with errno:
 *   EINVAL  name NULL; KV_CREATE for a missing store with nslots == 0, or with nslots so
 *           large that the store's size overflows; KV_SHM and name does not start with
 *           '/'; the object is not a store (bad magic or version, shorter than its header
 *           or than its slots need, or unfinished after 2 s) - checked before touching any
 *           byte past its end, so a bad file gives EINVAL, not SIGBUS, here. Only an empty
 *           file or a header whose first word is still 0 may be a creator's work in
 *           progress and is waited for; any other file that is not a store is refused at
 *           once. Later accesses can still raise SIGBUS if another process truncates the
 *           store, or if a sparse store's file system is full
 *           (handout primer, "SIGBUS and SIGSEGV");
 *   ENOENT  missing and no KV_CREATE; with KV_CREATE, a dangling symbolic link (O_CREAT |
 *           O_EXCL never creates through one: retry a bounded number of times, then ENOENT);
 *   EISDIR  name is a directory (ENODEV with KV_RDONLY, as mmap says);
 *   EACCES  permission denied (passed through from open/shm_open/mmap);
 *   or the errno of open, shm_open, ftruncate, fstat or mmap. */
struct kv *kv_open(const char *name, size_t nslots, int flags);

/* Unmaps and closes the store (it stays on disk or in /dev/shm). Returns 0, or -1 with
 * errno: EINVAL if kv == NULL, else munmap's or close's. The handle is freed even when
 * munmap or close reports an error. */
int kv_close(struct kv *kv);

/* Removes the store's file (unlink) or, with KV_SHM, its shared-memory object
 * (shm_unlink). Open handles stay usable. Returns 0, or -1 with errno: EINVAL for name
 * NULL or a KV_SHM name without '/' (never add the '/' yourself), else the errno of
 * unlink/shm_unlink (ENOENT when missing). A file store's name is any path, relative
 * ones included. */
int kv_unlink(const char *name, int flags);

/* Writes the store's dirty pages to the device now (msync MS_SYNC of the whole mapping)
 * and returns write-back errors: afterwards no page of the mapping is dirty any more
 * (/proc/PID/smaps shows Shared_Dirty 0 for a store on a disk). Other programs see every
 * change without it; a new store file is durable only once its directory is fsynced too; a
 * KV_SHM store is never durable (handout lab3, "Persistence (kv_sync)"). Works on KV_RDONLY
 * handles too (nothing to write). Returns 0, or -1 with errno: EINVAL if kv == NULL, else
 * msync's errno. */
int kv_sync(struct kv *kv);

/* ---- Entries ---------------------------------------------------------------------------- */

/* Stores len bytes of val under key (a NUL-terminated string), replacing any value it had.
 * A reader in another process sees the old value or the new one, never a mix, even when
 * the writer is killed in the middle of the change. A new key may take the slot a deleted
 * key left (tombstones are reused): deleting keys makes room for new ones.
 * Returns 0, or -1 with errno and the store unchanged:
 *   EINVAL        kv or key NULL, key empty, or val NULL with len > 0;
 *   ENAMETOOLONG  strlen(key) > KV_KEY_MAX;
 *   EMSGSIZE      len > KV_VALUE_MAX;
 *   EBADF         the store was opened KV_RDONLY;
 *   ENOSPC        key is new and every slot holds a live entry (replacing a key still
 *                 works; slots of deleted keys are free again). */
int kv_put(struct kv *kv, const char *key, const void *val, size_t len);

/* Copies the value of key into buf (cap bytes) and returns its length (0..KV_VALUE_MAX).
 * Takes no lock and never waits for a writer, not even one killed halfway through a change:
 * it retries only while the slot keeps changing.
 * Returns -1 with errno:
 *   EINVAL        kv or key NULL, key empty, or buf NULL with cap > 0;
 *   ENAMETOOLONG  strlen(key) > KV_KEY_MAX;
 *   ENOENT        no such key;
 *   ERANGE        the value is longer than cap: nothing is copied into buf. */
ssize_t kv_get(struct kv *kv, const char *key, void *buf, size_t cap);

/* Removes key; its slot becomes a tombstone that later kv_puts reuse. Returns 0, or -1
 * with errno: EINVAL (kv or key NULL, key empty), ENAMETOOLONG, ENOENT (no such key),
 * EBADF (opened KV_RDONLY). */
int kv_del(struct kv *kv, const char *key);

/* Number of entries in the store (0 if kv == NULL). */
size_t kv_count(struct kv *kv);

/* Calls fn(key, val, len, arg) once for every entry, in no particular order; stops at the
 * first call that returns non-zero and returns that value. Returns 0 after visiting every
 * entry, or -1 with errno EINVAL if kv or fn is NULL. fn must not change the store. */
int kv_foreach(struct kv *kv,
               int (*fn)(const char *key, const void *val, size_t len, void *arg),
               void *arg);

#endif /* KVSTORE_H */
