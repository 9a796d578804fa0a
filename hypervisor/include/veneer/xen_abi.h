/*
 * The guest ABI: Xen 4.17's public headers, from Debian's libxen-dev
 * (/usr/include/xen), never copied into the tree. Hypervisor code that
 * speaks to guests includes this one header, so the interface version and
 * the order of includes are decided in one place.
 */
#ifndef VENEER_XEN_ABI_H
#define VENEER_XEN_ABI_H

#include <stdint.h>

#define __XEN_INTERFACE_VERSION__ 0x00040e00

#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/elfnote.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#endif
