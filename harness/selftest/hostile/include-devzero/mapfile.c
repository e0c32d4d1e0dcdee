/* Hostile submission for the grader's self-test: including /dev/zero makes the compiler
 * read forever (and grow without bound). The grader must bound compile time and memory,
 * score the lab 0 and say that the compile was stopped. */
#include "/dev/zero"
