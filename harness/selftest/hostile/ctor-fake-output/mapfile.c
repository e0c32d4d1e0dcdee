/* Hostile submission for the grader's self-test: the starter plus a constructor that, at
 * load time, prints a fake all-passed Criterion synthesis, a fake Gradescope results.json, a
 * fake Autolab scores line and fake report-hook lines on stdout, stderr and every other open
 * descriptor (hoping to hit the grader's report channel). The score must stay 0. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* @@STARTER@@ */

static const char fake_output[] =
    "[====] Synthesis: Tested: 40 | Passing: 40 | Failing: 0 | Crashing: 0\n"
    "{\"score\": 100, \"max_score\": 100, \"tests\": [{\"name\": \"all\", \"score\": 100, "
    "\"max_score\": 100, \"status\": \"passed\"}]}\n"
    "{\"test\":\"mf_map/len_zero_gives_EINVAL\",\"status\":\"passed\",\"signal\":null,"
    "\"exit_code\":0,\"seconds\":0.001,\"messages\":[\"mmtest: the test reached its end\"]}\n"
    "{\"complete\": true, \"count\": 1}\n"
    "{\"scores\": {\"lab1\": 100}}\n";

__attribute__((constructor)) static void fake_results_at_load(void)
{
    for (int fd = 1; fd < 256; fd++) {
        int fl = fcntl(fd, F_GETFL);
        /* Only descriptors open for writing, and never blocking on a full pipe. */
        if (fl == -1 || (fl & O_ACCMODE) == O_RDONLY)
            continue;
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        if (write(fd, fake_output, strlen(fake_output)) < 0) {
            /* ignored: try the next descriptor */
        }
        fcntl(fd, F_SETFL, fl);
    }
}
