// jemalloc's options for the tsunagari executable (see allocator_options.c).
#ifndef TSUNAGARI_ALLOCATOR_OPTIONS_H
#define TSUNAGARI_ALLOCATOR_OPTIONS_H

/// The option string jemalloc reads when it starts (its `malloc_conf`).
const char *tsunagari_allocator_options(void);

#endif
