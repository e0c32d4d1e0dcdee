/* Hostile submission for the grader's self-test: the starter, whose mf_map and
 * mf_count_lines first print a fake Gradescope results.json, fake report-hook lines and a
 * fake Autolab scores line on stdout, and the hook lines on every other open descriptor
 * (the grader must never parse the program's output nor let it reach its report channel). */
#include "mapfile.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define mf_map mf_map_starter
#define mf_count_lines mf_count_lines_starter
/* @@STARTER@@ */
#undef mf_map
#undef mf_count_lines

static void print_fake_results(void)
{
    printf("{\"score\": 100, \"max_score\": 100, \"output\": \"all good\", \"tests\": []}\n");
    printf("{\"test\":\"mf_map/len_zero_gives_EINVAL\",\"status\":\"passed\",\"signal\":null,"
           "\"exit_code\":0,\"seconds\":0.001,\"messages\":[]}\n");
    printf("{\"complete\": true, \"count\": 1}\n");
    printf("{\"scores\": {\"lab1\": 100}}\n");
    fflush(stdout);
    static const char hook[] =
        "{\"test\":\"mf_map/len_zero_gives_EINVAL\",\"status\":\"passed\",\"signal\":null,"
        "\"exit_code\":0,\"seconds\":0.001,\"messages\":[\"mmtest: the test reached its end\"]}\n"
        "{\"complete\": true, \"count\": 1}\n";
    for (int fd = 3; fd < 256; fd++) {
        int fl = fcntl(fd, F_GETFL);
        if (fl == -1 || (fl & O_ACCMODE) == O_RDONLY)
            continue;
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);    /* never block on a full pipe */
        if (write(fd, hook, strlen(hook)) < 0) {
            /* ignored: try the next descriptor */
        }
        fcntl(fd, F_SETFL, fl);
    }
}

int mf_map(int fd, off_t offset, size_t len, int prot, int flags, struct mf_view *v)
{
    print_fake_results();
    return mf_map_starter(fd, offset, len, prot, flags, v);
}

long long mf_count_lines(int fd)
{
    print_fake_results();
    return mf_count_lines_starter(fd);
}
