/*
 * The local APIC (xAPIC, memory-mapped through the fixmap): enabled with a
 * spurious vector, its timer in one-shot mode calibrated against the TSC.
 * The legacy PICs are remapped away from the exception vectors and masked,
 * so the APIC is our only interrupt source. Every CPU's APIC sits at the
 * same physical address and each CPU reaches its own there, so one fixmap
 * slot serves all; the boot CPU calibrates the timer once for everyone.
 * The interrupt command register sends INIT/SIPI and IPIs.
 */
#include <veneer/apic.h>
#include <veneer/console.h>
#include <veneer/io.h>
#include <veneer/mm.h>
#include <veneer/time.h>
#include <veneer/x86.h>

#define APIC_ID         0x020
#define APIC_TPR        0x080
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_ICR_LO     0x300
#define APIC_ICR_HI     0x310
#define APIC_ICR_BUSY   (1u << 12)
#define APIC_LVT_TIMER  0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR  0x390
#define APIC_TIMER_DIV  0x3e0
#define APIC_LVT_MASKED (1u << 16)
#define APIC_SVR_ENABLE (1u << 8)
#define APIC_DIV_16     0x3

static volatile uint32_t *apic;
static uint64_t timer_hz;

static uint32_t apic_read(unsigned int reg)
{
    return apic[reg / 4];
}

static void apic_write(unsigned int reg, uint32_t v)
{
    apic[reg / 4] = v;
}

static void pic_disable(void)
{
    /* ICW1-4: remap master to 0x20, slave to 0x28, then mask everything. */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, PIC_VECTOR_BASE);
    outb(0xa1, PIC_VECTOR_BASE + 8);
    outb(0x21, 4);
    outb(0xa1, 2);
    outb(0x21, 1);
    outb(0xa1, 1);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

static void calibrate_timer(void)
{
    apic_write(APIC_TIMER_DIV, APIC_DIV_16);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_VECTOR);
    apic_write(APIC_TIMER_INIT, 0xffffffffu);
    uint64_t t0 = now_ns();
    udelay(10000);
    uint64_t elapsed = now_ns() - t0;
    uint32_t counted = 0xffffffffu - apic_read(APIC_TIMER_CUR);
    apic_write(APIC_TIMER_INIT, 0);
    timer_hz = elapsed ? (uint64_t)counted * 1000000000ULL / elapsed : 0;
    if (!timer_hz) {
        pr_warn("apic: timer did not count; assuming 100 MHz\n");
        timer_hz = 100000000;
    }
}

void apic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    pic_disable();
    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    apic = fixmap_map(FIXMAP_APIC, base & PTE_ADDR_MASK & 0xfffff000UL);
    apic_write(APIC_TPR, 0);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
    calibrate_timer();
    pr_info("apic: id %u at %#lx, timer %lu kHz (divide by 16)\n",
            apic_read(APIC_ID) >> 24, base & 0xfffff000UL, timer_hz / 1000);
}

/* A secondary CPU: its APIC on, with the boot CPU's calibration. */
void apic_init_secondary(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    apic_write(APIC_TPR, 0);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_VECTOR);
    apic_write(APIC_TIMER_DIV, APIC_DIV_16);
}

unsigned int apic_id(void)
{
    return apic_read(APIC_ID) >> 24;
}

bool apic_send_icr(unsigned int dest, uint32_t low)
{
    uint64_t flags;
    bool sent = false;

    /* Interrupts off: an IPI sent by an interrupt handler between our two
     * writes would retarget ours. */
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    /* The previous command must have left; bounded, as everything here. */
    for (int i = 0; i < 1000000 && (apic_read(APIC_ICR_LO) & APIC_ICR_BUSY);
         i++)
        cpu_relax();
    apic_write(APIC_ICR_HI, dest << 24);
    apic_write(APIC_ICR_LO, low);
    for (int i = 0; i < 1000000 && !sent; i++) {
        sent = !(apic_read(APIC_ICR_LO) & APIC_ICR_BUSY);
        cpu_relax();
    }
    if (flags & X86_EFLAGS_IF)
        local_irq_enable();
    return sent;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

uint64_t apic_timer_hz(void)
{
    return timer_hz;
}

void apic_timer_arm(uint64_t delta_ns)
{
    /* Clamp first so the product cannot overflow: a later deadline simply
     * fires early and the timer list re-arms. */
    if (delta_ns > 10000000000ULL)
        delta_ns = 10000000000ULL;
    uint64_t ticks = delta_ns * (timer_hz / 1000) / 1000000;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffffULL)
        ticks = 0xffffffffULL; /* fires early; the timer list re-arms */
    apic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR); /* one-shot, unmasked */
    apic_write(APIC_TIMER_INIT, (uint32_t)ticks);
}

void apic_timer_disarm(void)
{
    apic_write(APIC_TIMER_INIT, 0);
}
