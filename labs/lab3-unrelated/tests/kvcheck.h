/* kvcheck.h - self-checking values for the Lab 3 tests and their helper programs: a value
 * names its key and generation and its bytes follow from both, so a reader can tell a
 * whole value from a torn one (half of one write, half of another) without any lock. */
#ifndef KVCHECK_H
#define KVCHECK_H

#include <stdint.h>
#include <string.h>
#include "kvstore.h"

static inline uint32_t kvc_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* Fills buf (KV_VALUE_MAX bytes) with generation gen of key's value; returns its length,
 * 8..KV_VALUE_MAX, different from one generation to the next. */
static inline size_t kvc_make(const char *key, uint32_t gen, unsigned char *buf)
{
    uint32_t h = kvc_hash(key);
    size_t len = 8 + (h + gen * 97u) % (KV_VALUE_MAX - 7);
    uint64_t x = ((uint64_t)h << 32 | gen) * 0x9E3779B97F4A7C15ull + 1;

    for (int i = 0; i < 4; i++)
        buf[i] = (unsigned char)(gen >> (8 * i));
    buf[4] = (unsigned char)len, buf[5] = (unsigned char)(len >> 8);
    buf[6] = (unsigned char)h, buf[7] = (unsigned char)(h >> 8);
    for (size_t i = 8; i < len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (unsigned char)(x >> 29);
    }
    return len;
}

/* 0 if buf[0..len) is a whole value kvc_make made for key (*gen receives its generation),
 * -1 if it is torn, truncated or another key's. */
static inline int kvc_check(const char *key, const void *buf, size_t len, uint32_t *gen)
{
    const unsigned char *p = buf;
    unsigned char want[KV_VALUE_MAX];

    if (len < 8 || len > KV_VALUE_MAX)
        return -1;
    uint32_t g = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if (kvc_make(key, g, want) != len || memcmp(want, p, len) != 0)
        return -1;
    if (gen)
        *gen = g;
    return 0;
}

#endif /* KVCHECK_H */
