# Lab 3 - sharing memory between unrelated processes. Plain assignments only: mmgrade reads it.
lab3_DIR     := labs/lab3-unrelated
lab3_FILE    := kvstore.c
lab3_HEADER  := kvstore.h
lab3_API     := kv_open kv_put kv_get kv_del kv_count kv_sync kv_close kv_unlink kv_foreach
lab3_TOOLS   := kvtool
lab3_HELPERS := kvhelper kvbench
lab3_LDLIBS  := -lpthread -lrt
LABS         += lab3
