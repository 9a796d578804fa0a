/*
 * printk(): formats one message and writes it to the console, with the
 * "(veneer) " prefix at the start of each line and '\n' sent as CRLF.
 */
#include <veneer/console.h>
#include <veneer/boot_defs.h>
#include <veneer/format.h>

static enum loglvl console_level = LOG_INFO;
static bool console_enabled = true;
static bool at_line_start = true;

void console_set_level(enum loglvl lvl)
{
    console_level = lvl;
}

void console_set_kind(enum console_kind kind)
{
    console_enabled = kind != CONSOLE_NONE;
}

static void console_puts_prefixed(const char *s, const char *prefix)
{
    for (; *s; s++) {
        if (at_line_start) {
            for (const char *p = prefix; *p; p++)
                serial_putc(*p);
            at_line_start = false;
        }
        if (*s == '\n') {
            serial_putc('\r');
            at_line_start = true;
        }
        serial_putc(*s);
    }
}

static void console_puts(const char *s)
{
    console_puts_prefixed(s, "(veneer) ");
}

void console_guest_line(unsigned int domid, const char *line)
{
    char prefix[16];

    if (!console_enabled)
        return;
    format(prefix, sizeof(prefix), "(d%u) ", domid);
    if (!at_line_start)
        console_puts("\n");
    console_puts_prefixed(line, prefix);
    console_puts_prefixed("\n", prefix);
}

void vprintk(enum loglvl lvl, const char *fmt, va_list ap)
{
    char buf[512];

    if (!console_enabled || lvl > console_level)
        return;
    vformat(buf, sizeof(buf), fmt, ap);
    console_puts(buf);
}

void printk(enum loglvl lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk(lvl, fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    char buf[512];

    /* A panic is always shown, whatever the console level. */
    console_enabled = true;
    va_start(ap, fmt);
    vformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (!at_line_start)
        console_puts("\n");
    console_puts("PANIC: ");
    console_puts(buf);
    console_puts("\n");
    machine_exit(VENEER_EXIT_PANIC);
}
