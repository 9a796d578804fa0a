/* The Xen public ABI as this kernel sees it: Debian's libxen-dev headers
 * (never copied), at the newest interface version they describe. */
#ifndef PVTEST_XEN_H
#define PVTEST_XEN_H

#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/errno.h>

#endif
