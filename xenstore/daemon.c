/*
 * Life cycle of a daemon instance: the initial tree (/, /tool,
 * /tool/xenstored owned by dom0, as xenstored creates it), the default
 * permissions of the special watch names, and the log.
 */
#include "daemon.h"

#include <errno.h>
#include <string.h>
#include <time.h>

int xs_daemon_init(struct xs_daemon *d)
{
    static const struct xs_perm dom0 = {0, 0};
    memset(d, 0, sizeof(*d));
    xs_quota_defaults(&d->q);
    int rc = xs_store_init(&d->store);
    if (rc)
        return rc;
    d->store.account = xs_domain_account;
    d->store.account_arg = d;
    for (int i = 0; i < 2; i++) {
        d->special_perms[i][0] = dom0;
        d->special_nperms[i] = 1;
    }
    struct xs_domain *dom0d = xs_domain_get(d, 0, true);
    if (!dom0d || !xs_store_create(&d->store, "/tool", NULL, 0, &dom0, 1) ||
        !xs_store_create(&d->store, "/tool/xenstored", NULL, 0, &dom0, 1)) {
        xs_daemon_free(d);
        return -ENOMEM;
    }
    dom0d->introduced = true;
    return 0;
}

void xs_daemon_free(struct xs_daemon *d)
{
    while (d->conns) {
        if (d->conns->is_domain && d->conns->priv)
            xs_ring_detach(d->conns);
        xs_conn_free(d->conns);
    }
    xs_domain_free_all(d);
    xs_store_free(&d->store);
}

void xs_log(struct xs_daemon *d, const char *fmt, ...)
{
    if (!d->log)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(d->log, "%lld.%03ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(d->log, fmt, ap);
    va_end(ap);
    fputc('\n', d->log);
    fflush(d->log);
}
