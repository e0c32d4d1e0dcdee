/* counters.c - the kernel's own count of the work a method caused: page faults of this
 * process (getrusage) and TLB shootdown interrupts of every CPU (/proc/interrupts, x86's
 * "TLB" line; machine-wide, so other programs' shootdowns count too). */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "mmbench.h"

long long tlb_shootdowns(void)
{
    char line[4096];
    long long sum = -1;
    FILE *f = fopen("/proc/interrupts", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        char *p = line + strspn(line, " ");
        long long v;
        int n;

        if (strncmp(p, "TLB:", 4) != 0)
            continue;
        p += 4;
        for (sum = 0; sscanf(p, "%lld%n", &v, &n) == 1; p += n)
            sum += v;
        break;
    }
    fclose(f);
    return sum;
}

long long faults_self(void)
{
    struct rusage ru;

    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt + ru.ru_majflt : -1;
}

long long major_faults_self(void)
{
    struct rusage ru;

    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_majflt : -1;
}
