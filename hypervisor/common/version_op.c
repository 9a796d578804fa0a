/*
 * xen_version: who the guest is talking to. We answer as Xen 4.17 because
 * that is the ABI we implement; the extra version says who we really are.
 * get_features must carry the bits Linux insists on (pv-abi.md 3.6).
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/lib.h>
#include <veneer/version.h>

static long copy_string_out(uint64_t guest, const char *s, size_t size)
{
    char buf[1024];

    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_to_guest(guest, buf, size) ? -EFAULT : 0;
}

long do_xen_version(HYPERCALL_ARGS)
{
    struct domain *d = current->domain;
    uint64_t arg = a2;

    switch (a1) {
    case XENVER_version:
        return (4 << 16) | 17;
    case XENVER_extraversion:
        return copy_string_out(arg, ".0-veneer", sizeof(xen_extraversion_t));
    case XENVER_compile_info: {
        struct xen_compile_info info;
        memset(&info, 0, sizeof(info));
        strlcpy(info.compiler, "gcc", sizeof(info.compiler));
        strlcpy(info.compile_by, "veneer", sizeof(info.compile_by));
        strlcpy(info.compile_domain, "veneer", sizeof(info.compile_domain));
        strlcpy(info.compile_date, VENEER_VERSION, sizeof(info.compile_date));
        return copy_to_guest(arg, &info, sizeof(info)) ? -EFAULT : 0;
    }
    case XENVER_capabilities:
        return copy_string_out(arg, "xen-3.0-x86_64",
                               sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string_out(arg, "veneer " VENEER_VERSION,
                               sizeof(xen_changeset_info_t));
    case XENVER_platform_parameters: {
        struct xen_platform_parameters p = {.virt_start =
                                                HYPERVISOR_VIRT_START};
        return copy_to_guest(arg, &p, sizeof(p)) ? -EFAULT : 0;
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -EFAULT;
        if (fi.submap_idx != 0)
            return -EINVAL;
        fi.submap = (1u << XENFEAT_mmu_pt_update_preserve_ad) |
                    (1u << XENFEAT_highmem_assist) |
                    (1u << XENFEAT_gnttab_map_avail_bits) |
                    (1u << XENFEAT_direct_mapped);
        if (d->privileged)
            fi.submap |= 1u << XENFEAT_dom0;
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_guest_handle: {
        uint8_t handle[16] = {0};
        handle[15] = (uint8_t)d->id;
        return copy_to_guest(arg, handle, sizeof(handle)) ? -EFAULT : 0;
    }
    case XENVER_build_id: {
        /* {uint32_t len; bytes}: len in is the room, the answer the size. */
        uint32_t room;
        size_t size;
        const uint8_t *id = veneer_build_id_bytes(&size);
        if (copy_from_guest(&room, arg, sizeof(room)))
            return -EFAULT;
        if (!size)
            return -ENODATA;
        if (room < size)
            return -ENOBUFS;
        if (copy_to_guest(arg + sizeof(room), id, size))
            return -EFAULT;
        return (long)size;
    }
    case XENVER_commandline:
        if (!d->privileged)
            return -EPERM;
        return copy_string_out(arg, "", sizeof(xen_commandline_t));
    }
    return -ENOSYS;
}
