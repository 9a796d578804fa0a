/* Privileged instructions Linux executes in guest kernel mode and relies
 * on the hypervisor emulating: CPUID through the forced-emulation prefix
 * (the Xen leaves), wrmsr/rdmsr of the segment bases and PAT, reads of
 * control registers; unknown MSRs raise #GP for the guest to handle. */
#include "mm.h"
#include "traps.h"

#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102
#define MSR_PAT            0x00000277
#define MSR_EFER           0xc0000080

static void xen_cpuid(uint32_t leaf, uint32_t r[4])
{
    uint32_t a = leaf, b, c = 0, d;
    __asm__ volatile(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e\n\tcpuid"
                     : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    r[0] = a, r[1] = b, r[2] = c, r[3] = d;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v),
                     "d"((uint32_t)(v >> 32))
                     : "memory");
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

PVTEST(t_cpuid_leaves, "priv.cpuid_xen_leaves",
       "emulated CPUID: leaf 1 sets the hypervisor bit, 0x40000001 is the "
       "version 4.17, 0x40000002 reports hypercall pages")
{
    uint32_t r[4];
    xen_cpuid(1, r);
    CHECK(r[2] & (1u << 31));
    xen_cpuid(0x40000001, r);
    CHECK_EQ(r[0], (4u << 16) | 17);
    xen_cpuid(0x40000002, r);
    CHECK(r[0] >= 1); /* number of hypercall pages */
    return PV_PASS;
}

PVTEST(t_msr_bases, "priv.msr_segment_bases",
       "wrmsr/rdmsr of FS_BASE, GS_BASE and SHADOW_GS_BASE in kernel mode "
       "are emulated and the bases take effect (Linux's first instruction)")
{
    static uint64_t gsvar = 0x6767, fsvar = 0x6666;
    wrmsr(MSR_GS_BASE, (uint64_t)&gsvar);
    wrmsr(MSR_FS_BASE, (uint64_t)&fsvar);
    wrmsr(MSR_SHADOW_GS_BASE, 0x12345000);
    uint64_t g, f;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(g));
    __asm__ volatile("mov %%fs:0, %0" : "=r"(f));
    uint64_t rg = rdmsr(MSR_GS_BASE), rf = rdmsr(MSR_FS_BASE),
             rs = rdmsr(MSR_SHADOW_GS_BASE);
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_FS_BASE, 0);
    wrmsr(MSR_SHADOW_GS_BASE, 0);
    CHECK_EQ(g, 0x6767);
    CHECK_EQ(f, 0x6666);
    CHECK_EQ(rg, (uint64_t)&gsvar);
    CHECK_EQ(rf, (uint64_t)&fsvar);
    CHECK_EQ(rs, 0x12345000);
    return PV_PASS;
}

PVTEST(t_msr_pat, "priv.msr_pat",
       "rdmsr PAT shows the hypervisor's layout (WB, WT, UC-, UC, WC, WP)")
{
    CHECK_EQ(rdmsr(MSR_PAT), 0x0000050100070406ULL);
    return PV_PASS;
}

PVTEST(t_msr_unknown, "priv.msr_unknown_gp",
       "rdmsr of an MSR the guest may not read raises #GP(0) in the guest")
{
    uint64_t at;
    trap_reset();
    TRAP_TRY(at, "rdmsr", "c"(0x12345678u));
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 13);
    CHECK_EQ(pv_trap.error, 0);
    CHECK_EQ(pv_trap.rip, at);
    return PV_PASS;
}

PVTEST(t_read_crs, "priv.read_cr0_cr4",
       "mov from CR0 and CR4 is emulated: CR0 has PE, PG; CR4 has PAE")
{
    uint64_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    CHECK((cr0 & 0x80000001) == 0x80000001);
    CHECK(cr4 & (1 << 5));
    return PV_PASS;
}

PVTEST(t_callbacks_all, "callback.register_types",
       "callback_op registers syscall32 and sysenter (Linux does, per CPU "
       "vendor); a non-canonical address is -EINVAL; NMI unregisters")
{
    extern void syscall_callback(void);
    long r32 = hc_callback_register(CALLBACKTYPE_syscall32, syscall_callback,
                                    CALLBACKF_mask_events);
    long rse = hc_callback_register(CALLBACKTYPE_sysenter, syscall_callback,
                                    CALLBACKF_mask_events);
    struct callback_register bad = {.type = CALLBACKTYPE_syscall,
                                    .address = 0x8000000000000000UL};
    long rbad =
        HC(__HYPERVISOR_callback_op, CALLBACKOP_register, &bad, 0, 0, 0);
    struct callback_unregister un = {.type = CALLBACKTYPE_event};
    long run_ev =
        HC(__HYPERVISOR_callback_op, CALLBACKOP_unregister, &un, 0, 0, 0);
    printk("pvtest: callbacks syscall32 %ld sysenter %ld bad %ld unregister "
           "event %ld\n",
           r32, rse, rbad, run_ev);
    CHECK_OK(r32);
    CHECK_OK(rse);
    CHECK_EQ(rbad, -XEN_EINVAL);
    CHECK_EQ(run_ev, -XEN_EINVAL);
    return PV_PASS;
}

#include <xen/platform.h>

static long platform_cpuinfo(uint32_t version, uint32_t cpu,
                             struct xenpf_pcpuinfo *out)
{
    struct xen_platform_op op;
    memset(&op, 0, sizeof(op));
    op.cmd = XENPF_get_cpuinfo;
    op.interface_version = version;
    op.u.pcpu_info.xen_cpuid = cpu;
    long rc = HC(__HYPERVISOR_platform_op, &op, 0, 0, 0, 0);
    *out = op.u.pcpu_info;
    return rc;
}

PVTEST(t_platform_cpuinfo, "priv.platform_get_cpuinfo",
       "XENPF_get_cpuinfo (initial domain): CPU 0 is present and online "
       "with APIC ID 0, a CPU past max_present is flagged invalid, a wrong "
       "interface version is -EACCES (Linux 6.9+ reads dom0's boot APIC ID "
       "this way)")
{
    if (!(pv.si->flags & SIF_INITDOMAIN))
        SKIP("platform_op is for the initial domain");
    struct xenpf_pcpuinfo info;
    CHECK_OK(platform_cpuinfo(XENPF_INTERFACE_VERSION, 0, &info));
    CHECK_EQ(info.flags & XEN_PCPU_FLAGS_INVALID, 0);
    CHECK(info.flags & XEN_PCPU_FLAGS_ONLINE);
    CHECK_EQ(info.apic_id, 0);
    uint32_t past = info.max_present + 1;
    CHECK(past < 4096);
    CHECK_OK(platform_cpuinfo(XENPF_INTERFACE_VERSION, past, &info));
    CHECK(info.flags & XEN_PCPU_FLAGS_INVALID);
    CHECK_EQ(platform_cpuinfo(XENPF_INTERFACE_VERSION - 1, 0, &info),
             -XEN_EACCES);
    return PV_PASS;
}
