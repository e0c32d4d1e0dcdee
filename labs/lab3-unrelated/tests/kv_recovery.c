/* kv_recovery.c - public test of crash recovery: writer programs SIGKILLed at random
 * moments, possibly holding the lock, must leave a store that the next program can use.
 * Run: make test, or build/tests/lab3-solution/run --filter 'kv_recovery/..'. */
#include "lab3_util.h"

Test(kv_recovery, killed_writer_leaves_store_usable)
{
    kvt_crash_loop(kvt_path(), false, 30);
}
