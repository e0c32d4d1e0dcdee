# Lab 2 - sharing memory between related processes. Plain assignments only: mmgrade reads it.
lab2_DIR     := labs/lab2-related
lab2_FILE    := shared.c
lab2_HEADER  := shared.h
lab2_API     := shared_anon shared_devzero private_anon shared_free counter_new counter_add counter_get counter_free parallel_histogram ring_new ring_send ring_recv ring_close ring_free
lab2_TOOLS   := histo ringbench
lab2_HELPERS :=
lab2_LDLIBS  := -lpthread
LABS         += lab2
