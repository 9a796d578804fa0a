/*
 * The timer lists: one per pCPU (cpu_info.timers), active timers sorted by
 * deadline, the earliest one armed in that CPU's APIC. A timer goes on the
 * list of the CPU that sets it and fires there.
 *
 * Locking: interrupts are off while a list changes, and every caller holds
 * the big hypervisor lock (common/biglock.c; the timer interrupt takes it
 * in do_trap), which is what makes it safe for CPU 0 to stop a timer that
 * sits on CPU 1's list. That CPU's APIC may then fire for nothing: its
 * handler finds no timer due and re-arms for the next one.
 */
#include <veneer/apic.h>
#include <veneer/io.h>
#include <veneer/smp.h>
#include <veneer/time.h>
#include <veneer/timer.h>
#include <veneer/traps.h>
#include <veneer/x86.h>

#define head (this_cpu()->timers)

static uint64_t irq_save(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

static void irq_restore(uint64_t flags)
{
    if (flags & (1UL << 9))
        local_irq_enable();
}

static void rearm(void)
{
    if (!head) {
        apic_timer_disarm();
        return;
    }
    uint64_t now = now_ns();
    apic_timer_arm(head->deadline > now ? head->deadline - now : 0);
}

/* Off whichever CPU's list it is on. */
static void unlink(struct timer *t)
{
    struct cpu_info *ci = cpu_infos[t->cpu] ? cpu_infos[t->cpu] : this_cpu();

    for (struct timer **p = &ci->timers; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->next = NULL;
    t->active = false;
}

void timer_init(struct timer *t, timer_fn fn, void *data)
{
    *t = (struct timer){.fn = fn, .data = data};
}

void timer_set(struct timer *t, uint64_t deadline_ns)
{
    uint64_t flags = irq_save();
    struct timer **p;

    if (t->active)
        unlink(t);
    t->deadline = deadline_ns;
    /* Equal deadlines fire in the order they were set. */
    for (p = &head; *p && (*p)->deadline <= deadline_ns; p = &(*p)->next)
        ;
    t->next = *p;
    *p = t;
    t->active = true;
    t->cpu = smp_processor_id();
    if (head == t)
        rearm();
    irq_restore(flags);
}

void timer_stop(struct timer *t)
{
    uint64_t flags = irq_save();
    if (t->active) {
        bool was_first = head == t; /* on this CPU's list, first */
        unlink(t);
        if (was_first)
            rearm();
    }
    irq_restore(flags);
}

unsigned int timers_pending(void)
{
    unsigned int n = 0;
    for (struct timer *t = head; t; t = t->next)
        n++;
    return n;
}

static void timer_interrupt(struct cpu_regs *regs)
{
    apic_eoi();
    while (head && head->deadline <= now_ns()) {
        struct timer *t = head;
        unlink(t);
        t->fn(t, t->data);
    }
    rearm();
}

static void spurious_interrupt(struct cpu_regs *regs)
{
    /* The APIC wants no EOI for its spurious vector. */
}

void timers_init(void)
{
    set_irq_handler(APIC_TIMER_VECTOR, timer_interrupt);
    set_irq_handler(APIC_SPURIOUS_VECTOR, spurious_interrupt);
}
