/*
 * The hypervisor console: lines on COM1 (and a copy in a ring, for dmesg),
 * filtered by level. Messages start with "(veneer) " so they stand apart
 * from guest output in a serial log.
 */
#ifndef VENEER_CONSOLE_H
#define VENEER_CONSOLE_H

#include <veneer/types.h>
#include <veneer/cmdline.h>

void serial_init(void);
void serial_putc(char c);
int serial_getc(void); /* a byte, or -1 if none is waiting */

/* Debug keys (common/keyhandler.c): reads waiting serial input and runs
 * the handler of each key. Cheap when nothing was typed. */
void keyhandler_poll(void);
/* Runs debug key `key` as if typed (sched_dump=, dump_at_exit). */
void keyhandler_run(char key);

void console_set_level(enum loglvl lvl);
void console_set_kind(enum console_kind kind);
void printk(enum loglvl lvl, const char *fmt, ...) __printf(2, 3);
void vprintk(enum loglvl lvl, const char *fmt, va_list ap);

/* One line of a guest's console output, as "(dN) line". */
void console_guest_line(unsigned int domid, const char *line);

#define pr_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Stops the machine: QEMU exits with the code (boot_defs.h), hardware
 * halts for ever. */
void __noreturn machine_exit(int code);
void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#ifdef VENEER_DEBUG
#define ASSERT(c)                                                            \
    do {                                                                     \
        if (unlikely(!(c)))                                                  \
            panic("assertion '%s' failed at %s:%d", #c, __FILE__, __LINE__); \
    } while (0)
#else
#define ASSERT(c) ((void)sizeof(c))
#endif

#define BUG_ON(c)                                                 \
    do {                                                          \
        if (unlikely(c))                                          \
            panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__); \
    } while (0)

#endif
