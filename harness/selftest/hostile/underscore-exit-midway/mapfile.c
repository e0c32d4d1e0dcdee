/* Hostile submission for the grader's self-test: the reference solution, except that mf_map
 * calls _exit(0) once the range is mapped, before returning (no atexit handlers run).
 * Plain Criterion counts such a test as passed; the grader must not. */
#include "mapfile.h"
#include <unistd.h>

#define mf_map mf_map_reference
/* @@REFERENCE@@ */
#undef mf_map

int mf_map(int fd, off_t offset, size_t len, int prot, int flags, struct mf_view *v)
{
    int ret = mf_map_reference(fd, offset, len, prot, flags, v);

    if (ret >= -1)
        _exit(0);
    return ret;
}
