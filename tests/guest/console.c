/* Console output through the console_io hypercall (CONSOLEIO_write). */
#include "hypercall.h"
#include "lib.h"

void printk(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(buf))
        n = sizeof(buf) - 1;
    /* Nothing to report a console failure to: drop the line. */
    hc_console_write(buf, (unsigned long)n);
}
