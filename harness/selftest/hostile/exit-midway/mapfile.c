/* Hostile submission for the grader's self-test: the reference solution, except that
 * mf_map_file calls exit(0) once the file is mapped, before returning. Plain Criterion counts
 * such a test as passed; the grader must not. */
#include "mapfile.h"
#include <stdlib.h>

#define mf_map_file mf_map_file_reference
/* @@REFERENCE@@ */
#undef mf_map_file

int mf_map_file(int fd, int prot, int flags, struct mf_view *v)
{
    int ret = mf_map_file_reference(fd, prot, flags, v);

    if (ret >= -1)
        exit(0);
    return ret;
}
