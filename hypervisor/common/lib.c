/*
 * The few helpers beyond libc's string functions that the hypervisor's
 * parsers share: a bounded string copy and one number parser, so that every
 * option and every boot field is read by the same overflow-checked code.
 */
#include <veneer/errno.h>
#include <veneer/lib.h>

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static unsigned int suffix_shift(char c)
{
    switch (c) {
    case 'k':
    case 'K':
        return 10;
    case 'm':
    case 'M':
        return 20;
    case 'g':
    case 'G':
        return 30;
    default:
        return 0;
    }
}

/*
 * Reads at most len bytes; a NUL ends the string early. The value is only
 * stored on success, so callers can parse straight into their option.
 */
int parse_u64(const char *s, size_t len, bool allow_suffix, uint64_t *out)
{
    unsigned int base = 10, shift = 0;
    uint64_t v = 0;
    size_t i = 0;

    len = strnlen(s, len);
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    /* A suffix is only a suffix after at least one digit. */
    if (allow_suffix && len > i + 1 && suffix_shift(s[len - 1])) {
        /* K, M and G are not hex digits, so "0x10M" is unambiguous. */
        shift = suffix_shift(s[len - 1]);
        len--;
    }
    if (i == len)
        return -EINVAL; /* no digits at all ("", "0x", "K") */
    for (; i < len; i++) {
        int d = digit_value(s[i]);
        if (d < 0 || (unsigned int)d >= base)
            return -EINVAL;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return -ERANGE;
        v = v * base + (uint64_t)d;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return -ERANGE;
    *out = v << shift;
    return 0;
}
