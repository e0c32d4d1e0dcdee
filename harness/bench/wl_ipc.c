/* wl_ipc.c - moving messages from a parent to a forked child: Lab 2's ring (shared memory)
 * against a pipe and a socketpair (kernel default buffer sizes), by message size. The child
 * checks every message's length and sequence number and reports through a shared page. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmbench.h"
#ifdef MMBENCH_HAVE_RING
#include "shared.h"
#endif

enum { M_RING, M_PIPE, M_SOCKETPAIR, NMETHODS };
static const char *const names[NMETHODS] = { "ring", "pipe", "socketpair" };

struct tally { long long msgs, bad; };  /* written by the receiver, read after it exits */

struct ipc {
    long size;
    double min_time;
    unsigned char *msg, *buf;
    struct tally *tally;        /* a MAP_SHARED anonymous page */
};

static int full_io(int fd, unsigned char *p, size_t len, int out)
{
    while (len > 0) {
        ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 && !out && len > 0 ? 0 : -1;
        p += n;
        len -= n;
    }
    return 1;
}

#ifdef MMBENCH_HAVE_RING
static struct ring *ring;
#endif

/* The receiver: counts messages until end of stream; a message out of order is "bad". */
static void receive(struct ipc *c, int m, int fd)
{
    (void)m;                            /* only the ring needs it */
    for (long long seq = 0;; seq++) {
        long long got;
        ssize_t n;

#ifdef MMBENCH_HAVE_RING
        if (m == M_RING)
            n = ring_recv(ring, c->buf, c->size);
        else
#endif
            n = full_io(fd, c->buf, c->size, 0) == 1 ? c->size : 0;
        if (n <= 0)
            break;
        memcpy(&got, c->buf, sizeof(got));
        c->tally->msgs++;
        c->tally->bad += n != c->size || got != seq;
    }
}

static int send_one(struct ipc *c, int m, int fd)
{
    (void)m;
#ifdef MMBENCH_HAVE_RING
    if (m == M_RING)
        return ring_send(ring, c->msg, c->size);
#endif
    return full_io(fd, c->msg, c->size, 1) == 1 ? 0 : -1;
}

static int finish_send(int m, int fd)
{
    (void)m;
#ifdef MMBENCH_HAVE_RING
    if (m == M_RING)
        return ring_close(ring);
#endif
    return close(fd);
}

static int make_channel(int m, long size, int fds[2])
{
    (void)size;
#ifdef MMBENCH_HAVE_RING
    if (m == M_RING) {
        fds[0] = fds[1] = -1;
        return (ring = ring_new(BC_IPC_RING_CAP)) == NULL ? -1 : 0;
    }
#endif
    if (m == M_PIPE)
        return pipe(fds);
    return socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
}

static double op_ipc(void *arg, int m, double *units, char *why, size_t whylen)
{
    struct ipc *c = arg;
    long long sent = 0;
    double t0, t = -1;
    int fds[2], status, failed = 0;
    pid_t pid;

    if (make_channel(m, c->size, fds) == -1) {
        snprintf(why, whylen, "cannot make the channel: %s", strerror(errno));
        return -1;
    }
    memset(c->tally, 0, sizeof(*c->tally));
    pid = fork();
    if (pid == 0) {
        alarm(BC_CHILD_TIMEOUT_S);
        if (fds[1] != -1)
            close(fds[1]);
        receive(c, m, fds[0]);
        _exit(0);
    }
    if (fds[0] != -1)
        close(fds[0]);
    if (pid == -1) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        (void)finish_send(m, fds[1]);
        goto out_free;
    }
    t0 = now_s();
    do {
        for (int k = 0; k < 16 && !failed; k++, sent++) {  /* a clock read every 16 messages */
            memcpy(c->msg, &sent, sizeof(sent));
            if (send_one(c, m, fds[1]) == -1) {
                snprintf(why, whylen, "send: %s", strerror(errno));
                failed = 1;
            }
        }
    } while (!failed && now_s() - t0 < c->min_time);
    if (failed)
        kill(pid, SIGKILL);
    if (finish_send(m, fds[1]) == -1 && !failed) {      /* end of stream for the child */
        snprintf(why, whylen, "close: %s", strerror(errno));
        failed = 1;
    }
    while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
        ;
    t = now_s() - t0;
    if (failed)
        t = -1;
    else if (!WIFEXITED(status) || c->tally->msgs != sent || c->tally->bad) {
        snprintf(why, whylen, "wrong: %lld of %lld messages arrived, %lld out of order",
                 c->tally->msgs, sent, c->tally->bad);
        t = -1;
    }
    *units = (double)sent * c->size;
out_free:
#ifdef MMBENCH_HAVE_RING
    if (m == M_RING)
        ring_free(ring);
#endif
    return t;
}

int wl_ipc(const struct bench_opts *o, struct series_list *l)
{
    struct ipc c = { .min_time = o->min_sample };
    char sz[32], label[64];
    int rc = -1;

    c.tally = mmap(NULL, sizeof(*c.tally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    c.msg = calloc(1, 64 << 10);
    c.buf = malloc(64 << 10);
    if (c.tally == MAP_FAILED || c.msg == NULL || c.buf == NULL)
        goto out_free;
    for (c.size = 16; c.size <= (64 << 10); c.size *= o->full ? 4 : 16) {
        struct series *ser[NMETHODS] = { 0 };
        struct point p = {
            .label = label, .arg = &c, .op = op_ipc, .nmethods = NMETHODS, .series = ser,
            .unit_scale = 1e-6,
        };

        if (o->tiny && c.size > 4096)
            break;
        snprintf(label, sizeof(label), "ipc %s messages", fmt_size(c.size, sz, sizeof(sz)));
        for (int m = 0; m < NMETHODS; m++)
            if ((ser[m] = series_add(l, "ipc", names[m], m, c.size, CACHE_NONE, "MB/s")) == NULL)
                goto out_free;
#ifndef MMBENCH_HAVE_RING
        snprintf(ser[M_RING]->status, sizeof(ser[M_RING]->status),
                 "not built: Lab 2's shared.c was not found");
#endif
        run_point(o, &p);
    }
    progress_done(o);
    rc = 0;
out_free:
    free(c.msg);
    free(c.buf);
    if (c.tally != MAP_FAILED)
        munmap(c.tally, sizeof(*c.tally));
    return rc;
}
