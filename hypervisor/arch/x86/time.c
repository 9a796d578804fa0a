/*
 * TSC calibration against the PIT: channel 2 counts down 10 ms with its
 * gate open while we read the TSC at both ends. PIT channel 2 needs no
 * interrupt, which is why it is the classic reference at boot.
 */
#include <veneer/console.h>
#include <veneer/io.h>
#include <veneer/time.h>

#define PIT_HZ       1193182UL
#define PIT_CH2      0x42
#define PIT_CMD      0x43
#define PORT_B       0x61
#define CALIBRATE_MS 10

static uint64_t khz;
static uint64_t tsc_at_boot;
static uint64_t ns_mult; /* ns = (ticks * ns_mult) >> 32 */

static uint64_t calibrate_with_pit(void)
{
    uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);

    /* Gate on, speaker off; mode 0 (interrupt on terminal count). */
    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
    outb(PIT_CMD, 0xb0);
    outb(PIT_CH2, count & 0xff);
    outb(PIT_CH2, count >> 8);

    uint64_t start = rdtsc();
    /* OUT2 (bit 5 of port B) rises at terminal count. Bound the wait by
     * iterations, not time: time is what we do not know yet. */
    for (unsigned long i = 0; i < 100000000UL; i++) {
        if (inb(PORT_B) & 0x20)
            return (rdtsc() - start) / CALIBRATE_MS;
    }
    return 0;
}

void time_init(void)
{
    khz = calibrate_with_pit();
    if (!khz) {
        pr_warn("time: the PIT did not count; assuming a 1 GHz TSC\n");
        khz = 1000000;
    }
    ns_mult = (1000000ULL << 32) / khz;
    tsc_at_boot = rdtsc();
    pr_info("time: TSC runs at %lu.%03lu MHz\n", khz / 1000, khz % 1000);
}

uint64_t tsc_khz(void)
{
    return khz;
}

uint64_t now_ns(void)
{
    uint64_t ticks = rdtsc() - tsc_at_boot;
    return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

void udelay(uint64_t us)
{
    uint64_t end = now_ns() + us * 1000;
    while (now_ns() < end)
        cpu_relax();
}
