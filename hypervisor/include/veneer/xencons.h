/*
 * Reading a guest's console ring (struct xencons_interface): the portable
 * half of common/console_ring.c, kept apart so the host tests can feed it
 * hostile indexes.
 */
#ifndef VENEER_XENCONS_H
#define VENEER_XENCONS_H

#include <veneer/types.h>
#include <veneer/xen_abi.h>

/*
 * Takes what the guest produced in out[] (at most sizeof(out) bytes) into
 * buf and advances out_cons past it. A producer index more than a ring
 * ahead of the consumer is nonsense: nothing is taken, out_cons jumps to
 * out_prod and *broken is set. Returns the number of bytes taken.
 */
size_t xencons_take_output(volatile struct xencons_interface *intf,
                           char buf[2048], bool *broken);

#endif
