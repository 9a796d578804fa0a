/*
 * pvclock: guests compute system time as
 *   system_time + ((tsc - tsc_timestamp) << shift) * mul >> 32
 * with mul in [2^31, 2^32), so the scale keeps 31 bits of precision. The
 * wallclock is the UTC time at system time 0, read once from the CMOS RTC.
 * Updates follow the version protocol: odd while writing.
 */
#include <veneer/console.h>
#include <veneer/io.h>
#include <veneer/pvclock.h>
#include <veneer/time.h>

static uint32_t mul;
static int8_t shift;
static uint64_t boot_epoch_sec; /* UTC seconds at system time 0 */

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned int bcd(uint8_t v, bool binary)
{
    return binary ? v : (v & 15) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned int y, unsigned int m, unsigned int d)
{
    static const unsigned int before_month[] = {0,   31,  59,  90,  120, 151,
                                                181, 212, 243, 273, 304, 334};
    uint64_t days = (uint64_t)(y - 1970) * 365 + before_month[m - 1] + d - 1;
    unsigned int leap_years_before = (y - 1) / 4 - (y - 1) / 100 +
                                     (y - 1) / 400 -
                                     (1969 / 4 - 1969 / 100 + 1969 / 400);
    days += leap_years_before;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (leap && m > 2)
        days++;
    return days;
}

static uint64_t read_rtc_epoch(void)
{
    /* Wait (bounded) for an update to finish, then read once. */
    for (int i = 0; i < 1000000 && (cmos_read(0x0a) & 0x80); i++)
        cpu_relax();
    bool binary = cmos_read(0x0b) & 0x04;
    unsigned int sec = bcd(cmos_read(0x00), binary);
    unsigned int min = bcd(cmos_read(0x02), binary);
    unsigned int hour = bcd(cmos_read(0x04) & 0x7f, binary);
    unsigned int day = bcd(cmos_read(0x07), binary);
    unsigned int mon = bcd(cmos_read(0x08), binary);
    unsigned int year = bcd(cmos_read(0x09), binary) + 2000;

    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
        sec > 60)
        return 0; /* no sensible RTC: 1970 it is */
    return days_since_epoch(year, mon, day) * 86400 + hour * 3600 + min * 60 +
           sec;
}

void pvclock_init(void)
{
    uint64_t m = (1000000ULL << 32) / tsc_khz(); /* ns per tick << 32 */
    int s = 0;

    while (m >= (1ULL << 32)) {
        m >>= 1;
        s++;
    }
    while (m < (1ULL << 31)) {
        m <<= 1;
        s--;
    }
    mul = (uint32_t)m;
    shift = (int8_t)s;
    boot_epoch_sec = read_rtc_epoch() - now_ns() / 1000000000ULL;
}

void pvclock_update(struct vcpu_time_info *t)
{
    t->version++;
    __asm__ volatile("" ::: "memory");
    t->tsc_timestamp = rdtsc();
    t->system_time = now_ns();
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->flags = 0;
    __asm__ volatile("" ::: "memory");
    t->version++;
}

void pvclock_set_wallclock(struct shared_info *s)
{
    s->wc_version++;
    __asm__ volatile("" ::: "memory");
    s->wc_sec = (uint32_t)boot_epoch_sec;
    s->wc_sec_hi = (uint32_t)(boot_epoch_sec >> 32);
    s->wc_nsec = 0;
    __asm__ volatile("" ::: "memory");
    s->wc_version++;
}
