# Lab 1 - mmap instead of read/write. Plain assignments only: mmgrade reads this file too.
lab1_DIR     := labs/lab1-fileio
lab1_FILE    := mapfile.c
lab1_HEADER  := mapfile.h
lab1_API     := mf_map mf_map_file mf_unmap mf_count_lines mf_copy mf_reverse
lab1_TOOLS   := mcat mwc mcp mrev
lab1_HELPERS :=
lab1_LDLIBS  :=
LABS         += lab1
