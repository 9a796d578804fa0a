/*
 * A boot-time guest's xenstore ring (common/xenstore_ring.c), given with
 * domU_xenstore on the command line, and how the control domain finds it
 * (HVMOP_get_param).
 */
#ifndef VENEER_XENSTORE_RING_H
#define VENEER_XENSTORE_RING_H

#include <veneer/hypercall.h>

struct domain;

/* After the builder: d's store page (start_info.store_mfn) becomes its
 * ring, with an unbound port for dom0 in start_info.store_evtchn and grant
 * entries 0 (console) and 1 (xenstore) for dom0. 0 or a negative errno. */
int xenstore_ring_connect(struct domain *d);

/* hvm_op: HVMOP_get_param of HVM_PARAM_STORE_PFN / _STORE_EVTCHN. */
long do_hvm_op(HYPERCALL_ARGS);

#endif
