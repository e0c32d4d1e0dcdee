/* Hostile submission for the grader's self-test: tries to include the reference solution
 * by relative paths, from the scratch directory or from any -I directory the grader passes
 * (../solutions/..., ../../solutions/..., up to 8 levels). It must not compile against it. */
#if __has_include("../solutions/lab1-fileio/mapfile.c")
#include "../solutions/lab1-fileio/mapfile.c"
#elif __has_include("../../solutions/lab1-fileio/mapfile.c")
#include "../../solutions/lab1-fileio/mapfile.c"
#elif __has_include("../../../solutions/lab1-fileio/mapfile.c")
#include "../../../solutions/lab1-fileio/mapfile.c"
#elif __has_include("../../../../solutions/lab1-fileio/mapfile.c")
#include "../../../../solutions/lab1-fileio/mapfile.c"
#elif __has_include("../../../../../solutions/lab1-fileio/mapfile.c")
#include "../../../../../solutions/lab1-fileio/mapfile.c"
#elif __has_include("../../../../../../solutions/lab1-fileio/mapfile.c")
#include "../../../../../../solutions/lab1-fileio/mapfile.c"
#elif __has_include("../../../../../../../solutions/lab1-fileio/mapfile.c")
#include "../../../../../../../solutions/lab1-fileio/mapfile.c"
#elif __has_include("../../../../../../../../solutions/lab1-fileio/mapfile.c")
#include "../../../../../../../../solutions/lab1-fileio/mapfile.c"
#elif __has_include("solutions/lab1-fileio/mapfile.c")
#include "solutions/lab1-fileio/mapfile.c"
#endif
