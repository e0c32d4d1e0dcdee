/* kv_server.c - Lab 3's benchmark table held by a server process and asked over a Unix-domain
 * socket (SOCK_SEQPACKET: one request, one reply, message boundaries kept): every get or put
 * is a send, a receive and a context switch each way, the classic alternative to sharing
 * memory. One process serves every client with poll(2). */
#ifdef MMBENCH_HAVE_KV
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kv_backend.h"
#include "mmbench.h"

enum { REQ_GET = 1, REQ_PUT = 2, MAX_CONNS = 16 };

struct request { uint32_t op, len; char key[32]; unsigned char val[BC_KV_VALUE]; };
struct reply { int32_t rc; unsigned char val[BC_KV_VALUE]; };  /* rc: length or -errno */
struct entry { char key[32]; uint32_t len, used; unsigned char val[BC_KV_VALUE]; };

static struct entry *lookup(struct entry *tab, const char *key)
{
    unsigned long slot = kv_hash(key) % BC_KV_SLOTS;

    for (int probes = 0; probes < BC_KV_SLOTS; probes++, slot = (slot + 1) % BC_KV_SLOTS)
        if (!tab[slot].used || strcmp(tab[slot].key, key) == 0)
            return &tab[slot];
    return NULL;
}

static void answer(struct entry *tab, const struct request *q, struct reply *r)
{
    struct entry *e = lookup(tab, q->key);

    r->rc = 0;
    if (q->op == REQ_GET) {
        if (e == NULL || !e->used)
            r->rc = -ENOENT;
        else
            memcpy(r->val, e->val, r->rc = (int32_t)e->len);
    } else if (e == NULL) {
        r->rc = -ENOSPC;
    } else {
        snprintf(e->key, sizeof(e->key), "%s", q->key);
        e->len = q->len;
        e->used = 1;
        memcpy(e->val, q->val, q->len);
    }
}

static void serve(int lfd, struct entry *tab)
{
    struct pollfd p[MAX_CONNS + 1] = { { .fd = lfd, .events = POLLIN } };
    int n = 1;

    prctl(PR_SET_PDEATHSIG, SIGKILL);       /* never outlive the run */
    for (;;) {
        if (poll(p, n, -1) == -1) {
            if (errno == EINTR)
                continue;
            _exit(1);
        }
        if ((p[0].revents & POLLIN) && n <= MAX_CONNS) {
            int cfd = accept(lfd, NULL, NULL);

            if (cfd != -1)
                p[n++] = (struct pollfd){ .fd = cfd, .events = POLLIN };
        }
        for (int i = 1; i < n; i++) {
            struct request q;
            struct reply r;
            ssize_t got;

            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            got = recv(p[i].fd, &q, sizeof(q), 0);
            if (got == (ssize_t)sizeof(q) && q.len <= BC_KV_VALUE) {
                q.key[sizeof(q.key) - 1] = '\0';
                answer(tab, &q, &r);
                if (send(p[i].fd, &r, sizeof(r), MSG_NOSIGNAL) == (ssize_t)sizeof(r))
                    continue;
            }
            close(p[i].fd);                 /* end of stream, or a broken client */
            p[i--] = p[--n];
        }
    }
}

static int server_create(struct kv_table *t, const char *dir,
                         void (*first)(long, char *, unsigned char *))
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct entry *tab = calloc(BC_KV_SLOTS, sizeof(*tab));
    int lfd = -1, rc = -1;

    if (tab == NULL)
        return -1;
    for (long i = 0; i < BC_KV_KEYS; i++) {
        struct entry *e;
        char key[32];

        first(i, key, tab[0].val);          /* slot 0 as scratch, then copied to its place */
        e = lookup(tab, key);
        memmove(e->val, tab[0].val, BC_KV_VALUE);
        snprintf(e->key, sizeof(e->key), "%s", key);
        e->len = BC_KV_VALUE;
        e->used = 1;
    }
    snprintf(t->name, sizeof(t->name), "%s/mmbench-kv-%ld.sock", dir, (long)getpid());
    if (strlen(t->name) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        goto out_free;
    }
    strcpy(sa.sun_path, t->name);
    unlink(t->name);
    if ((lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) == -1)
        goto out_free;
    cleanup_file(t->name);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 || listen(lfd, MAX_CONNS) == -1)
        goto out_close;
    fflush(NULL);
    if ((t->server = fork()) == 0)
        serve(lfd, tab);
    if (t->server > 0) {
        cleanup_pid(t->server);
        rc = 0;
    }
out_close:
    close(lfd);
out_free:
    free(tab);
    return rc;
}

static void *client_open(const struct kv_table *t)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int *fd = malloc(sizeof(*fd));

    if (fd == NULL)
        return NULL;
    strcpy(sa.sun_path, t->name);
    if ((*fd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) == -1 ||
        connect(*fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
        int saved = errno;

        if (*fd != -1)
            close(*fd);
        free(fd);
        errno = saved;
        return NULL;
    }
    return fd;
}

static int ask(int fd, struct request *q, struct reply *r)
{
    if (send(fd, q, sizeof(*q), MSG_NOSIGNAL) != (ssize_t)sizeof(*q))
        return -1;
    if (recv(fd, r, sizeof(*r), 0) != (ssize_t)sizeof(*r))
        return errno = errno ? errno : EPROTO, -1;
    return r->rc < 0 ? (errno = -r->rc, -1) : 0;
}

static ssize_t client_get(void *h, const char *key, void *buf, size_t cap)
{
    struct request q = { .op = REQ_GET };
    struct reply r;

    snprintf(q.key, sizeof(q.key), "%s", key);
    if (ask(*(int *)h, &q, &r) == -1)
        return -1;
    if ((size_t)r.rc > cap)
        return errno = ERANGE, -1;
    memcpy(buf, r.val, r.rc);
    return r.rc;
}

static int client_put(void *h, const char *key, const void *val, size_t len)
{
    struct request q = { .op = REQ_PUT, .len = (uint32_t)len };
    struct reply r;

    if (len > BC_KV_VALUE)
        return errno = EMSGSIZE, -1;
    snprintf(q.key, sizeof(q.key), "%s", key);
    memcpy(q.val, val, len);
    return ask(*(int *)h, &q, &r);
}

static int client_close(void *h)
{
    int rc = close(*(int *)h);

    free(h);
    return rc;
}

static void server_destroy(struct kv_table *t)
{
    if (t->server > 0) {
        kill(t->server, SIGTERM);
        waitpid(t->server, NULL, 0);
        cleanup_forget_pid(t->server);
        t->server = 0;
    }
    if (unlink(t->name) == -1)
        fprintf(stderr, "mmbench: %s: cannot remove: %s\n", t->name, strerror(errno));
    cleanup_forget(t->name);
}

const struct kv_ops kv_socket_ops = { "unix-socket", server_create, client_open, client_get,
                                      client_put, client_close, server_destroy };
#endif /* MMBENCH_HAVE_KV */
