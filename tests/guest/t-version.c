/* xen_version and console_io cases. */
#include "pvtest.h"

PVTEST(t_ver_version, "version.version", "XENVER_version is 4.17")
{
    long v = hc_xen_version(XENVER_version, NULL);
    printk("pvtest: xen version %ld.%ld\n", v >> 16, v & 0xffff);
    CHECK_EQ(v, (4 << 16) | 17);
    return PV_PASS;
}

PVTEST(t_ver_features, "version.get_features",
       "submap 0 has the bits Linux requires and no HVM-only bits")
{
    xen_feature_info_t fi = {.submap_idx = 0};
    CHECK_OK(hc_xen_version(XENVER_get_features, &fi));
    printk("pvtest: features submap 0 = %#x\n", fi.submap);
    CHECK(fi.submap & (1u << XENFEAT_mmu_pt_update_preserve_ad));
    CHECK(fi.submap & (1u << XENFEAT_gnttab_map_avail_bits));
    CHECK(!(fi.submap & (1u << XENFEAT_auto_translated_physmap)));
    CHECK(!(fi.submap & (1u << XENFEAT_hvm_callback_vector)));
    return PV_PASS;
}

PVTEST(t_ver_extraversion, "version.extraversion",
       "XENVER_extraversion is a NUL-terminated string of < 16 bytes")
{
    xen_extraversion_t ev;
    memset(ev, 0xff, sizeof(ev));
    CHECK_OK(hc_xen_version(XENVER_extraversion, ev));
    CHECK(strnlen(ev, sizeof(ev)) < sizeof(ev));
    printk("pvtest: extraversion '%s'\n", ev);
    return PV_PASS;
}

PVTEST(t_ver_capabilities, "version.capabilities",
       "XENVER_capabilities lists xen-3.0-x86_64")
{
    static xen_capabilities_info_t caps;
    CHECK_OK(hc_xen_version(XENVER_capabilities, caps));
    CHECK(strnlen(caps, sizeof(caps)) < sizeof(caps));
    printk("pvtest: capabilities '%s'\n", caps);
    CHECK(strstr(caps, "xen-3.0-x86_64") != NULL);
    return PV_PASS;
}

PVTEST(t_ver_platform, "version.platform_parameters",
       "XENVER_platform_parameters reports the hypervisor hole start")
{
    xen_platform_parameters_t pp = {0};
    CHECK_OK(hc_xen_version(XENVER_platform_parameters, &pp));
    CHECK_EQ(pp.virt_start, HYPERVISOR_VIRT_START);
    return PV_PASS;
}

PVTEST(t_ver_pagesize, "version.pagesize", "XENVER_pagesize is 4096")
{
    CHECK_EQ(hc_xen_version(XENVER_pagesize, NULL), 4096);
    return PV_PASS;
}

PVTEST(t_console_write, "console.write",
       "CONSOLEIO_write of a line returns 0; zero bytes is fine too")
{
    static const char line[] = "pvtest: console_io write test line\n";
    CHECK_OK(hc_console_write(line, sizeof(line) - 1));
    CHECK_OK(hc_console_write(line, 0));
    return PV_PASS;
}

PVTEST(t_console_read, "console.read",
       "CONSOLEIO_read (initial domain) returns how many input bytes it "
       "copied, at most the count; bad buffers are -EFAULT")
{
    if (!(pv.si->flags & SIF_INITDOMAIN))
        SKIP("CONSOLEIO_read is for the initial domain");
    char buf[64];
    long n =
        HC(__HYPERVISOR_console_io, CONSOLEIO_read, sizeof(buf), buf, 0, 0);
    CHECK(n >= 0 && n <= (long)sizeof(buf));
    CHECK_EQ(HC(__HYPERVISOR_console_io, CONSOLEIO_read, 0, buf, 0, 0), 0);
    long bad = HC(__HYPERVISOR_console_io, CONSOLEIO_write, 4,
                  0xffff800000000000UL, 0, 0);
    CHECK_EQ(bad, -XEN_EFAULT);
    return PV_PASS;
}
