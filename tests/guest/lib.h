/* Freestanding helpers: memory and string functions, a small printf, and
 * the few x86 instructions the kernel needs as inline functions. */
#ifndef PVTEST_LIB_H
#define PVTEST_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE     4096UL
#define PAGE_SHIFT    12

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
const char *strstr(const char *h, const char *n);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Formats one message and writes it with console_io (console.c). */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

static inline void wmb(void)
{
    __asm__ volatile("sfence" ::: "memory");
}

#endif
