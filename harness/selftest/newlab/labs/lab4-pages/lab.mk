# Lab 4 - a template lab (harness/selftest/newlab). Plain assignments only: mmgrade reads it.
lab4_DIR     := labs/lab4-pages
lab4_FILE    := pages.c
lab4_HEADER  := pages.h
lab4_API     := pages_needed
lab4_TOOLS   :=
lab4_HELPERS :=
lab4_LDLIBS  :=
LABS         += lab4
