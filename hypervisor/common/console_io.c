/*
 * console_io: guests writing to the hypervisor console (early printk,
 * earlyprintk=xen), and the console ring of boot-time domains. Each
 * domain's output is collected into lines and printed with its id,
 * "(d1) ...", so interleaved guests stay readable in one serial log.
 * Unprivileged domains' non-printable bytes are replaced (Xen filters them
 * too): a guest cannot send escape sequences to the operator's terminal.
 */
#include <veneer/console.h>
#include <veneer/console_ring.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>

#define LINE_MAX  160
#define WRITE_MAX (1u << 20) /* bytes per call, bounds the time spent */

struct console_line {
    char buf[LINE_MAX + 1];
    unsigned int len;
};

static struct console_line lines[MAX_DOMAINS];

static void flush_line(struct domain *d, struct console_line *l)
{
    l->buf[l->len] = '\0';
    console_guest_line(d->id, l->buf);
    l->len = 0;
}

void guest_console_write(struct domain *d, const char *s, size_t n)
{
    struct console_line *l = &lines[d->id];

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            flush_line(d, l);
            continue;
        }
        if (c == '\r')
            continue;
        if (!d->privileged && (c < 32 || c > 126) && c != '\t')
            c = '?';
        l->buf[l->len++] = c;
        if (l->len == LINE_MAX)
            flush_line(d, l);
    }
}

long do_console_io(HYPERCALL_ARGS)
{
    struct domain *d = current->domain;
    uint64_t count = a2, buf = a3;
    char chunk[128];

    switch (a1) {
    case CONSOLEIO_write:
        if (count > WRITE_MAX)
            return -EINVAL;
        for (uint64_t done = 0; done < count;) {
            size_t n =
                count - done < sizeof(chunk) ? count - done : sizeof(chunk);
            if (copy_from_guest(chunk, buf + done, n))
                return -EFAULT;
            guest_console_write(d, chunk, n);
            done += n;
        }
        return 0;
    case CONSOLEIO_read:
        if (!d->privileged)
            return -EPERM;
        return 0; /* no console input yet */
    }
    return -ENOSYS;
}
