/*
 * vformat(): the one printf engine of the hypervisor (console, panic
 * messages, self-test reports). Portable C, unit-tested against libc's
 * snprintf on the host.
 */
#include <veneer/format.h>

struct out {
    char *buf;
    size_t size;
    size_t len; /* bytes the full output needs, may exceed size */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

#define F_LEFT  0x01
#define F_ZERO  0x02
#define F_ALT   0x04
#define F_SPACE 0x08
#define F_PLUS  0x10

static void put_number(struct out *o, uint64_t v, bool negative, unsigned base,
                       bool upper, int flags, int width, int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;

    while (v) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    /* C: precision 0 with value 0 prints no digits; '#' with 'o' keeps 0 */
    if (n == 0 && (prec != 0 || (base == 8 && (flags & F_ALT))))
        tmp[n++] = '0';

    const char *prefix = "";
    if (negative)
        prefix = "-";
    else if (flags & F_PLUS)
        prefix = "+";
    else if (flags & F_SPACE)
        prefix = " ";
    if ((flags & F_ALT) && base == 16 && n && !(n == 1 && tmp[0] == '0'))
        prefix = upper ? "0X" : "0x";
    if ((flags & F_ALT) && base == 8 && tmp[n - 1] != '0')
        prefix = "0";

    int plen = 0;
    while (prefix[plen])
        plen++;
    int zeros = prec > n ? prec - n : 0;
    int body = plen + zeros + n;

    if (!(flags & F_LEFT) && !((flags & F_ZERO) && prec < 0))
        pad(o, ' ', width - body);
    for (int i = 0; i < plen; i++)
        put(o, prefix[i]);
    if (!(flags & F_LEFT) && (flags & F_ZERO) && prec < 0)
        pad(o, '0', width - body);
    pad(o, '0', zeros);
    while (n)
        put(o, tmp[--n]);
    if (flags & F_LEFT)
        pad(o, ' ', width - body);
}

static void put_string(struct out *o, const char *s, int flags, int width,
                       int prec)
{
    if (!s)
        s = "(null)";
    int n = 0;
    while (s[n] && (prec < 0 || n < prec))
        n++;
    if (!(flags & F_LEFT))
        pad(o, ' ', width - n);
    for (int i = 0; i < n; i++)
        put(o, s[i]);
    if (flags & F_LEFT)
        pad(o, ' ', width - n);
}

int vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        int flags = 0;
        for (;; p++) {
            if (*p == '-')
                flags |= F_LEFT;
            else if (*p == '0')
                flags |= F_ZERO;
            else if (*p == '#')
                flags |= F_ALT;
            else if (*p == ' ')
                flags |= F_SPACE;
            else if (*p == '+')
                flags |= F_PLUS;
            else
                break;
        }
        int width = 0;
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = -width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                width = width * 10 + (*p++ - '0');
        }
        int prec = -1;
        if (*p == '.') {
            p++;
            prec = 0;
            if (*p == '*') {
                prec = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    prec = prec * 10 + (*p++ - '0');
            }
        }
        int lng = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long/size/ptr */
        for (;; p++) {
            if (*p == 'h')
                lng--;
            else if (*p == 'l')
                lng++;
            else if (*p == 'z' || *p == 't' || *p == 'j')
                lng = 2;
            else
                break;
        }

        uint64_t u;
        int64_t s;
        switch (*p) {
        case 'd':
        case 'i':
            if (lng >= 1)
                s = lng == 1 ? va_arg(ap, long) : va_arg(ap, long long);
            else
                s = va_arg(ap, int);
            if (lng == -1)
                s = (short)s;
            else if (lng <= -2)
                s = (signed char)s;
            u = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
            put_number(&o, u, s < 0, 10, false, flags, width, prec);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (lng >= 1)
                u = lng == 1 ? va_arg(ap, unsigned long)
                             : va_arg(ap, unsigned long long);
            else
                u = va_arg(ap, unsigned int);
            if (lng == -1)
                u = (unsigned short)u;
            else if (lng <= -2)
                u = (unsigned char)u;
            put_number(&o, u, false, *p == 'u' ? 10 : (*p == 'o' ? 8 : 16),
                       *p == 'X', flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        case 'p':
            u = (uintptr_t)va_arg(ap, void *);
            put_number(&o, u, false, 16, false, flags | F_ALT, width, prec);
            break;
        case 's':
            put_string(&o, va_arg(ap, const char *), flags, width, prec);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            if (!(flags & F_LEFT))
                pad(&o, ' ', width - 1);
            put(&o, c);
            if (flags & F_LEFT)
                pad(&o, ' ', width - 1);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':
            p--; /* a lone '%' at the end: print nothing more */
            break;
        default:
            /* Unknown conversion: show it rather than guess an argument. */
            put(&o, '%');
            put(&o, *p);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

const char *format_size(char *buf, size_t size, uint64_t bytes)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    unsigned int i = 0;

    /* Use the largest unit that still gives a whole number. */
    while (i + 1 < ARRAY_SIZE(unit) && bytes >= 1024 && bytes % 1024 == 0) {
        bytes /= 1024;
        i++;
    }
    format(buf, size, "%llu %s", (unsigned long long)bytes, unit[i]);
    return buf;
}
