/* feedback.c - words and hints a student can act on: what each verdict means, and for each
 * signal the likely mistake behind it. */
#include "grader.h"
#include "grader-config.h"

#include <string.h>

const char *status_word(enum tstatus st)
{
    switch (st) {
    case T_PASSED:   return "PASS";
    case T_FAILED:   return "FAIL";
    case T_CRASHED:  return "CRASH";
    case T_TIMEOUT:  return "TIMEOUT";
    case T_NOREPORT: return "NO REPORT";
    case T_NOTRUN:   return "NOT RUN";
    }
    return "?";
}

static const struct { const char *sig, *hint; } hints[] = {
    {"SIGBUS", "SIGBUS: you touched a page of a file mapping that lies past the end of the "
               "file. Did you ftruncate the destination to its size before writing through "
               "the mapping, or map more than the file holds? (primer: \"SIGBUS and SIGSEGV\")"},
    {"SIGSEGV", "SIGSEGV: an access the mapping does not allow: a write to a PROT_READ "
                "mapping, a use after munmap, a pointer past the end of the mapping, or a "
                "NULL/MAP_FAILED pointer used as memory. (primer: \"SIGBUS and SIGSEGV\")"},
    {"SIGABRT", "SIGABRT: abort() was called: a failed assert(), or the C library found the "
                "heap corrupted (double free, overflow of a malloc'd buffer)."},
    {"SIGFPE", "SIGFPE: an integer division by zero (a length or a worker count of 0?)."},
    {"SIGILL", "SIGILL: the program ran into an invalid instruction (undefined behaviour, "
               "__builtin_unreachable reached, or a corrupted function pointer)."},
    {"SIGKILL", "SIGKILL: the test was killed: out of memory, the grader's time limit, or "
                "your code killed it (kill(0, ...), kill(getppid(), ...))."},
    {"SIGXCPU", "SIGXCPU: the CPU time limit was exceeded: an endless loop?"},
    {"SIGPIPE", "SIGPIPE: a write to a pipe nobody reads any more (or far too much output)."},
    {"SIGTERM", "SIGTERM: the test was terminated."},
};

const char *signal_hint(const char *sig)
{
    static char xfsz[160];

    if (!sig)
        return NULL;
    if (strcmp(sig, "SIGXFSZ") == 0) {
        snprintf(xfsz, sizeof xfsz, "SIGXFSZ: a file grew beyond the grader's file size limit "
                 "(%lu MiB): a wrong length passed to ftruncate or write?",
                 TEST_FSIZE_BYTES >> 20);
        return xfsz;
    }
    for (size_t i = 0; i < sizeof hints / sizeof *hints; i++)
        if (strcmp(sig, hints[i].sig) == 0)
            return hints[i].hint;
    return NULL;
}
