/*
 * printf-style formatting into a bounded buffer, with no libc behind it.
 * Conversions: %d %i %u %x %X %o %p %s %c %%, the length modifiers hh h l ll
 * z t j, flags '-' '0' '#' ' ' '+', a width and a precision (also '*').
 * Output is always NUL-terminated when size > 0; the return value is the
 * length the whole output would have had, like C99 vsnprintf.
 */
#ifndef VENEER_FORMAT_H
#define VENEER_FORMAT_H

#include <veneer/types.h>

int vformat(char *buf, size_t size, const char *fmt, va_list ap);
int format(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Human-readable byte counts ("512 KiB", "3 GiB", "1536 MiB"). */
const char *format_size(char *buf, size_t size, uint64_t bytes);

#endif
