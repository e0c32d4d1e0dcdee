/* Hostile submission for the grader's self-test: includes the reference solution by an
 * absolute path - this checkout's (the runner fills in REFERENCE_PATH) or Gradescope's
 * /autograder/source. Compiling against it must not be possible. */
#if __has_include("@@REFERENCE_PATH@@")
#include "@@REFERENCE_PATH@@"
#elif __has_include("/autograder/source/solutions/lab1-fileio/mapfile.c")
#include "/autograder/source/solutions/lab1-fileio/mapfile.c"
#endif
