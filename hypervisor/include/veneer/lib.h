/*
 * The small string and memory library of the hypervisor. Host builds (unit
 * tests) use libc's versions instead, so the same portable code compiles in
 * both worlds.
 */
#ifndef VENEER_LIB_H
#define VENEER_LIB_H

#include <veneer/types.h>

#ifdef VENEER_HOST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Parses an unsigned number in base 10, or 16 with a 0x prefix, with an
 * optional K/M/G suffix when allow_suffix is set. Returns 0 and stores the
 * value, or -EINVAL (not a number, trailing junk) / -ERANGE (overflow).
 */
int parse_u64(const char *s, size_t len, bool allow_suffix, uint64_t *out);

#endif
