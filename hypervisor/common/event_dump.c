/*
 * The event-channel dump for debugging (Xen's 'e' debug key): every port
 * in use with its pending/mask/selector bits and what it is bound to, and
 * each vCPU's upcall flags. Read-only; safe to call at any time.
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/event.h>

static const char *const state_names[] = {
    [ECS_FREE] = "free",       [ECS_RESERVED] = "reserved",
    [ECS_UNBOUND] = "unbound", [ECS_INTERDOMAIN] = "interdomain",
    [ECS_PIRQ] = "pirq",       [ECS_VIRQ] = "virq",
    [ECS_IPI] = "ipi",
};

static unsigned int bit(const xen_ulong_t *words, unsigned int n)
{
    return (words[n / 64] >> (n % 64)) & 1;
}

void evtchn_dump(const struct domain *d)
{
    const struct shared_info *s = d->shared_info;

    pr_info("d%u event channels (%u in use, storage for %u, limit %u, "
            "polling vCPUs %#lx):\n",
            d->id, d->evtchn.active, d->evtchn.valid, d->evtchn.max_port,
            d->evtchn.poll_mask);
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        const struct vcpu_info *vi = d->vcpus[i]->vcpu_info;
        if (vi)
            pr_info("  v%u: upcall pending %u mask %u selector %#lx\n", i,
                    vi->evtchn_upcall_pending, vi->evtchn_upcall_mask,
                    vi->evtchn_pending_sel);
    }
    for (evtchn_port_t port = 1; port < d->evtchn.valid; port++) {
        const struct evtchn *chn = evtchn_lookup(d, port);
        if (!chn || chn->state == ECS_FREE)
            continue;
        const struct vcpu *v =
            chn->notify_vcpu < d->nr_vcpus ? d->vcpus[chn->notify_vcpu] : NULL;
        unsigned int p = s ? bit(s->evtchn_pending, port) : 0;
        unsigned int m = s ? bit(s->evtchn_mask, port) : 1;
        unsigned int sel =
            v && v->vcpu_info
                ? (v->vcpu_info->evtchn_pending_sel >> (port / 64)) & 1
                : 0;
        const char *what = chn->state < ARRAY_SIZE(state_names)
                               ? state_names[chn->state]
                               : "?";
        switch (chn->state) {
        case ECS_UNBOUND:
            pr_info("  %4u [%u/%u/%u] v%u %s accepting d%u%s\n", port, p, m,
                    sel, chn->notify_vcpu, what, chn->u.unbound_remote,
                    chn->xen_consumer ? " (hypervisor's)" : "");
            break;
        case ECS_INTERDOMAIN:
            pr_info("  %4u [%u/%u/%u] v%u %s d%u port %u%s\n", port, p, m, sel,
                    chn->notify_vcpu, what, chn->u.interdomain.dom,
                    chn->u.interdomain.port,
                    chn->xen_consumer ? " (hypervisor's)" : "");
            break;
        case ECS_VIRQ:
            pr_info("  %4u [%u/%u/%u] v%u %s %u\n", port, p, m, sel,
                    chn->notify_vcpu, what, chn->u.virq);
            break;
        default:
            pr_info("  %4u [%u/%u/%u] v%u %s\n", port, p, m, sel,
                    chn->notify_vcpu, what);
        }
    }
}
