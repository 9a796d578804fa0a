/* domctl as the control domain sees it: the tools' interface, so its
 * definitions (__XEN_TOOLS__) come before any Xen header. */
#define __XEN_TOOLS__ 1
#include "pvtest.h"

#include <xen/domctl.h>

PVTEST(t_domctl_getdomaininfo, "domctl.getdomaininfo",
       "the control domain asks getdomaininfo: itself (id 0, running, not "
       "shut down, a vCPU, its shared_info frame), -ESRCH past the last "
       "domain, -EACCES for another interface version")
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_getdomaininfo,
                            .interface_version = XEN_DOMCTL_INTERFACE_VERSION};
    CHECK_OK(HC(__HYPERVISOR_domctl, &op, 0, 0, 0, 0));
    struct xen_domctl_getdomaininfo *i = &op.u.getdomaininfo;
    CHECK_EQ(op.domain, 0);
    CHECK_EQ(i->domain, 0);
    CHECK(i->flags & XEN_DOMINF_running);
    CHECK(!(i->flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)));
    CHECK(i->nr_online_vcpus >= 1);
    CHECK(i->tot_pages > 0);
    CHECK_EQ(i->shared_info_frame, pv.si->shared_info >> 12);
    op = (struct xen_domctl){.cmd = XEN_DOMCTL_getdomaininfo,
                             .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                             .domain = 0x7fe0};
    CHECK_EQ(HC(__HYPERVISOR_domctl, &op, 0, 0, 0, 0), -XEN_ESRCH);
    op.domain = 0;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1;
    CHECK_EQ(HC(__HYPERVISOR_domctl, &op, 0, 0, 0, 0), -XEN_EACCES);
    return PV_PASS;
}
