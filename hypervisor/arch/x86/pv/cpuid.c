/*
 * The CPUID a PV guest sees through the forced-emulation prefix
 * (pv-abi.md 5.2): the host's leaves with what a PV guest must not use
 * hidden, plus the Xen leaves at 0x40000000 that make Linux recognise the
 * hypervisor (without them it never maps shared_info).
 */
#include <veneer/io.h>
#include <veneer/pv.h>

#define XEN_CPUID_SIGNATURE_EBX 0x566e6558 /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4d /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566e /* "nVMM" */

#define BIT(n) (1u << (n))

enum { EAX, EBX, ECX, EDX };

static void xen_leaves(uint32_t leaf, uint32_t res[4])
{
    switch (leaf) {
    case 0x40000000:
        res[EAX] = 0x40000004;
        res[EBX] = XEN_CPUID_SIGNATURE_EBX;
        res[ECX] = XEN_CPUID_SIGNATURE_ECX;
        res[EDX] = XEN_CPUID_SIGNATURE_EDX;
        break;
    case 0x40000001:
        res[EAX] = (4u << 16) | 17u; /* we speak Xen 4.17's ABI */
        break;
    case 0x40000002:
        res[EAX] = 1;          /* one hypercall page */
        res[EBX] = 0x40000000; /* its MSR */
        res[ECX] = BIT(0);     /* MMU_PT_UPDATE_PRESERVE_AD */
        break;
    default:
        break; /* 0x40000003 (time) and 0x40000004 (HVM): zero */
    }
}

void pv_cpuid(struct domain *d, uint32_t leaf, uint32_t subleaf,
              uint32_t res[4])
{
    res[EAX] = res[EBX] = res[ECX] = res[EDX] = 0;
    if ((leaf & 0xffff0000u) == 0x40000000u) {
        xen_leaves(leaf, res);
        return;
    }
    cpuid(leaf, subleaf, &res[EAX], &res[EBX], &res[ECX], &res[EDX]);
    switch (leaf) {
    case 1:
        res[EBX] &= 0x00ffffffu; /* APIC id 0 */
        /* ECX: hypervisor present; no VMX, SMX, EST, TM2, MONITOR, DTES64,
         * DS-CPL, PDCM, PCID, DCA, x2APIC, TSC deadline, XSAVE/OSXSAVE
         * (we manage guest FPU state with FXSAVE), AVX (needs XSAVE). */
        res[ECX] |= BIT(31);
        res[ECX] &= ~(BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(3) | BIT(2) |
                      BIT(4) | BIT(15) | BIT(17) | BIT(18) | BIT(21) | BIT(24) |
                      BIT(26) | BIT(27) | BIT(28) | BIT(12) | BIT(29));
        /* EDX: no VME, PSE, PSE36, PGE, MTRR, DS, ACPI, TM, PBE, MCE, MCA */
        res[EDX] &= ~(BIT(1) | BIT(3) | BIT(17) | BIT(13) | BIT(12) | BIT(21) |
                      BIT(22) | BIT(29) | BIT(31) | BIT(7) | BIT(14));
        break;
    case 7:
        if (subleaf == 0) {
            /* EBX: no FSGSBASE, TSC_ADJUST, SGX, HLE?, AVX2, SMEP, INVPCID,
             * RTM-agnostic, PQM, MPX, PQE, AVX512*, SMAP, PT */
            res[EBX] &= ~(BIT(0) | BIT(1) | BIT(2) | BIT(5) | BIT(7) | BIT(10) |
                          BIT(12) | BIT(14) | BIT(15) | BIT(16) | BIT(17) |
                          BIT(20) | BIT(21) | BIT(25) | BIT(26) | BIT(27) |
                          BIT(28) | BIT(30) | BIT(31));
            /* ECX: no UMIP, PKU, OSPKE, WAITPKG, LA57, AVX512 extras */
            res[ECX] &= ~(BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) |
                          BIT(11) | BIT(12) | BIT(14) | BIT(16));
            /* EDX: no speculation-control MSRs, AVX512 extras */
            res[EDX] &= ~(BIT(2) | BIT(3) | BIT(26) | BIT(27) | BIT(28) |
                          BIT(29) | BIT(30) | BIT(31));
        } else {
            res[EAX] = res[EBX] = res[ECX] = res[EDX] = 0;
        }
        break;
    case 5:
    case 6:
    case 0xa:
    case 0xb:
    case 0xd:
    case 0x12:
    case 0x14:
    case 0x1f:
        res[EAX] = res[EBX] = res[ECX] = res[EDX] = 0;
        break;
    case 0x80000001:
        /* ECX: no SVM; EDX: no 1 GiB pages, no RDTSCP */
        res[ECX] &= ~BIT(2);
        res[EDX] &= ~(BIT(26) | BIT(27));
        break;
    default:
        break;
    }
}
