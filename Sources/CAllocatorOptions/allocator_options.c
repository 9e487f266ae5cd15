// jemalloc reads the global `malloc_conf` of the program once, when the process makes its
// first allocation (before `main`): only a definition in the executable is early enough, and
// C is the only language of the package that can define a global under a given name.
//
// thp:always — jemalloc asks the kernel for transparent huge pages for its memory (this
// machine's kernel gives them only to memory that asks: `madvise` mode). A cold build of
// 10,000 windows touched 36,000 4 KiB pages one fault at a time; with huge pages it takes
// about 8,000 faults and a tenth less CPU, for 8 % more peak memory (BENCHMARKS.md).
// metadata_thp:always — the same for jemalloc's own bookkeeping.
#include "allocator_options.h"

const char *malloc_conf = "thp:always,metadata_thp:always";

const char *tsunagari_allocator_options(void) { return malloc_conf; }
