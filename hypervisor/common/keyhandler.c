/*
 * Debug keys: single characters typed on the serial console that dump
 * hypervisor state while guests run (issue 5, item 7; Xen has the same
 * idea behind its "ctrl-a ctrl-a ctrl-a" prefix). One table, one line of
 * help each; 'h' prints it.
 */
#include <veneer/biglock.h>
#include <veneer/buddy.h>
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/event.h>
#include <veneer/heap.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/format.h>
#include <veneer/sched.h>
#include <veneer/smp.h>
#include <veneer/time.h>

struct keyhandler {
    char key;
    void (*fn)(void);
    const char *help;
};

static void dump_domains(void)
{
    pr_err("domains at %lu ms:\n", now_ns() / 1000000);
    uint64_t khz = tsc_khz() ? tsc_khz() : 1;
    pr_err("  big lock: taken %lu, contended %lu, spun %lu ms; IPIs: %lu "
           "kicks, %lu flushes (%lu remote) waited %lu ms\n",
           biglock_stats.taken, biglock_stats.contended,
           biglock_stats.spin_tsc / khz, smp_stats.kicks, smp_stats.flush_calls,
           smp_stats.flush_ipis, smp_stats.flush_wait_tsc / khz);
    for (unsigned int c = 0; c < MAX_CPUS; c++) {
        const struct cpu_info *ci = cpu_infos[c];
        if (!ci)
            continue;
        if (ci->curr)
            pr_err("  pCPU %u: d%u v%u%s\n", c, ci->curr->domain->id,
                   ci->curr->id, ci->idle ? " (idle)" : "");
        else
            pr_err("  pCPU %u: %s\n", c, ci->idle ? "idle" : "no vCPU");
    }
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        const struct domain *d = domains[i];
        if (!d)
            continue;
        static const char *const state[] = {"running", "shut down", "crashed",
                                            "dead"};
        pr_err("  d%u %s: %s%s, %lu pages (max %lu), %u vCPUs\n", d->id,
               d->name, state[d->state], d->privileged ? ", privileged" : "",
               d->tot_pages, d->max_pages, d->nr_vcpus);
        for (unsigned int j = 0; j < d->nr_vcpus; j++) {
            const struct vcpu *v = d->vcpus[j];
            const struct vcpu_info *vi = v->vcpu_info;
            /* A running vCPU's registers are in its pCPU's frame (as of
             * its last entry, if that pCPU is in the guest now). */
            const struct cpu_regs *r =
                v->running ? (const struct cpu_regs *)cpu_infos[v->pcpu] - 1
                           : &v->regs;
            pr_err("    v%u%s pCPU %u: %s mode, rip %#lx rsp %#lx, %s%s, "
                   "upcall pending %u mask %u\n",
                   v->id, v->running ? " (running)" : "", v->pcpu,
                   v->kernel_mode ? "kernel" : "user", r->rip, r->rsp,
                   v->online ? "online" : "offline",
                   v->blocked ? ", blocked" : "",
                   vi ? vi->evtchn_upcall_pending : 0,
                   vi ? vi->evtchn_upcall_mask : 1);
            /* Where it ran: proof that vCPUs spread over the pCPUs. */
            char where[160];
            size_t n = 0;
            for (unsigned int c = 0; c < MAX_CPUS && n < sizeof(where); c++) {
                if (cpu_infos[c])
                    n += format(where + n, sizeof(where) - n,
                                " pCPU %u: %lu ms,", c,
                                sched_vcpu_ns_on(v, c) / 1000000);
            }
            if (n && where[n - 1] == ',')
                where[n - 1] = '\0';
            pr_err("    v%u time on%s\n", v->id, where);
        }
    }
}

static void dump_event_channels(void)
{
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        if (domains[i])
            evtchn_dump(domains[i]);
    }
}

static void dump_memory(void)
{
    const struct buddy *b = page_allocator();
    const struct heap *h = hypervisor_heap();

    pr_err("memory: %lu of %lu frames free; heap: %lu allocations, %lu "
           "bytes, %lu pages\n",
           b->free_pages, b->managed_pages, h->nr_live, h->bytes_in_use,
           h->pages_held);
}

static void toggle_trace(void)
{
    bool on = false;
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        if (domains[i]) {
            domains[i]->hypercall_trace = !domains[i]->hypercall_trace;
            on = domains[i]->hypercall_trace;
        }
    }
    pr_err("hypercall trace %s\n", on ? "on" : "off");
}

static void show_help(void);

static const struct keyhandler keys[] = {
    {'h', show_help, "this help"},
    {'d', dump_domains, "domains and their vCPUs"},
    {'e', dump_event_channels, "event channels of every domain"},
    {'m', dump_memory, "frame allocator and heap"},
    {'t', toggle_trace, "hypercall trace on/off for every domain"},
};

static void show_help(void)
{
    pr_err("debug keys:\n");
    for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++)
        pr_err("  %c  %s\n", keys[i].key, keys[i].help);
}

void keyhandler_run(char key)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++) {
        if (keys[i].key == key)
            keys[i].fn();
    }
}

void keyhandler_poll(void)
{
    /* Bounded: a stuck UART cannot keep us here. */
    for (int n = 0; n < 16; n++) {
        int c = serial_getc();
        if (c < 0)
            return;
        for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++) {
            if (keys[i].key == c)
                keys[i].fn();
        }
    }
}
