#include <cmark.h>
#include <stddef.h>

// memmem(3), which Glibc's Swift module leaves out (a GNU extension), for ReusedUTF8.
void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
static inline void *tsunagari_memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen) {
    return memmem(haystack, haystacklen, needle, needlelen);
}
