/* util.c - mmgrade's small helpers: string vectors, byte buffers, checked allocation, whole
 * files read and written atomically, and a recursive remove that never follows symlinks. */
#include "grader.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die("out of memory");
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

char *xstrdup(const char *s)
{
    return strcpy(xmalloc(strlen(s) + 1), s);
}

static char *xvasprintf(const char *fmt, va_list ap)
{
    char *s;

    if (vasprintf(&s, fmt, ap) == -1)
        die("out of memory");
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

static void vwarn(const char *fmt, va_list ap)
{
    fputs("mmgrade: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
    exit(1);
}

void warnx_(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}

void grader_error(struct strv *errors, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "mmgrade: grader error: %s\n", msg);
    strv_add(errors, msg);
    free(msg);
}

double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void strv_add(struct strv *sv, const char *s)
{
    if (sv->n + 1 >= sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 8;
        sv->v = xrealloc(sv->v, sv->cap * sizeof *sv->v);
    }
    sv->v[sv->n++] = xstrdup(s);
    sv->v[sv->n] = NULL;
}

void strv_addf(struct strv *sv, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    strv_add(sv, s);
    free(s);
}

void strv_split(struct strv *sv, const char *words)
{
    char *copy = xstrdup(words), *save = NULL;

    for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
        strv_add(sv, w);
    free(copy);
}

bool strv_has(const struct strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return true;
    return false;
}

void strv_free(struct strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    memset(sv, 0, sizeof *sv);
}

void buf_add(struct buf *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n == -1)
        die("out of memory");
    buf_add(b, s, (size_t)n);
    free(s);
}

char *buf_take(struct buf *b)
{
    char *s = b->p ? b->p : xstrdup("");
    memset(b, 0, sizeof *b);
    return s;
}

char *read_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct buf b = {0};
    char chunk[65536];
    ssize_t n;

    if (fd == -1)
        return NULL;
    while ((n = read(fd, chunk, sizeof chunk)) > 0) {
        if (b.len + (size_t)n > max) {
            free(b.p);
            close(fd);
            errno = EFBIG;
            return NULL;
        }
        buf_add(&b, chunk, (size_t)n);
    }
    int saved = errno;
    close(fd);
    if (n == -1) {
        free(b.p);
        errno = saved;
        return NULL;
    }
    if (len)
        *len = b.len;
    return buf_take(&b);
}

/* Writes path.tmp and renames it, so that an interrupt never leaves half a file. */
int write_file_atomic(const char *path, const char *data, size_t len)
{
    char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t done = 0;

    if (fd == -1)
        goto out_free;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n == -1)
            goto out_close;
        done += (size_t)n;
    }
    if (fsync(fd) == -1 || close(fd) == -1)
        goto out_unlink;
    if (rename(tmp, path) == -1)
        goto out_unlink;
    free(tmp);
    return 0;

out_close:;
    int saved = errno;
    close(fd);
    errno = saved;
out_unlink:
    saved = errno;
    unlink(tmp);
    errno = saved;
out_free:
    saved = errno;
    free(tmp);
    errno = saved;
    return -1;
}

int copy_file(const char *src, const char *dst, mode_t mode)
{
    size_t len;
    char *data = read_file(src, 64u << 20, &len);
    int fd, ret = -1;

    if (!data)
        return -1;
    fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd != -1) {
        ret = write(fd, data, len) == (ssize_t)len ? 0 : -1;
        if (close(fd) == -1)
            ret = -1;
    }
    free(data);
    return ret;
}

int mkdirs(const char *path, mode_t mode)
{
    char *p = xstrdup(path);

    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) == -1 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int ret = mkdir(p, mode) == -1 && errno != EEXIST ? -1 : 0;
    free(p);
    return ret;
}

/* Removes the entries of directory fd; symlinks are removed, never followed. */
static int remove_entries(int dfd, int depth)
{
    DIR *d = fdopendir(dfd);
    struct dirent *e;
    int ret = 0;

    if (!d) {
        close(dfd);
        return -1;
    }
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
            continue;
        if (S_ISDIR(st.st_mode) && depth < 64) {
            fchmodat(dirfd(d), e->d_name, 0700, 0);
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub != -1)
                remove_entries(sub, depth + 1);
            if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) == -1)
                ret = -1;
        } else if (unlinkat(dirfd(d), e->d_name, 0) == -1) {
            ret = -1;
        }
    }
    closedir(d);
    return ret;
}

int remove_tree(const char *path)
{
    struct stat st;

    if (lstat(path, &st) == -1)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    chmod(path, 0700);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1)
        return -1;
    remove_entries(fd, 0);
    return rmdir(path);
}

bool path_is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    while (n > 1 && dir[n - 1] == '/')
        n--;
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* The first nlines lines (at most maxbytes) of text; *cut says whether anything was left. */
char *first_lines(const char *text, int nlines, size_t maxbytes, bool *cut)
{
    const char *p = text;
    int lines = 0;

    while (*p && lines < nlines && (size_t)(p - text) < maxbytes) {
        if (*p == '\n')
            lines++;
        p++;
    }
    if (cut)
        *cut = *p != '\0';
    char *s = xmalloc((size_t)(p - text) + 1);
    memcpy(s, text, (size_t)(p - text));
    s[p - text] = '\0';
    return s;
}

static int utf8_len(const unsigned char *p);

/* Keeps text printable and valid UTF-8 (JSON and XML need it): control bytes other than
 * newline and tab, and bytes of invalid UTF-8 sequences, become '?'. */
void sanitize_text(char *s)
{
    unsigned char *p = (unsigned char *)s;

    while (*p) {
        int n = utf8_len(p);
        if (n == 0) {
            *p++ = '?';
            continue;
        }
        if (n == 1 && ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f))
            *p = '?';
        p += n;
    }
}

bool has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if it is not one. */
static int utf8_len(const unsigned char *p)
{
    int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
          : (*p & 0xf8) == 0xf0 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* What a strict decoder refuses: overlong forms, UTF-16 surrogates, past U+10FFFF. */
    if ((n == 2 && *p < 0xc2) || (*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0) ||
        (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] >= 0x90) || *p > 0xf4)
        return 0;
    return n;
}

/* A submission's name as it may appear in every report and gradebook: the name itself when
 * it is valid UTF-8 without control characters or backslashes; otherwise each such byte is
 * written \xNN. A key holding a backslash always comes from this escaping, so two names never
 * share a key, and nothing a file name holds can break JSON, XML, CSV or a terminal. */
char *name_key(const char *raw)
{
    const unsigned char *p = (const unsigned char *)raw;
    struct buf b = {0};

    while (*p) {
        int n = utf8_len(p);
        if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f || *p == '\\'))) {
            buf_printf(&b, "\\x%02x", *p++);
            continue;
        }
        buf_add(&b, p, (size_t)n);
        p += n;
    }
    return buf_take(&b);
}

/* Colour only for a person at a terminal who did not ask for none (https://no-color.org:
 * NO_COLOR set and not empty; TERM=dumb terminals show escape codes as text). */
bool color_wanted(int fd)
{
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

    if (no_color && *no_color)
        return false;
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fd);
}

int json_save(const char *path, const struct cJSON *root, bool pretty)
{
    char *text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
    int ret = text ? write_file_atomic(path, text, strlen(text)) : -1;

    if (ret == -1)
        warnx_("%s: %s", path, text ? strerror(errno) : "out of memory");
    free(text);
    return ret;
}

double json_number(const struct cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}
