/*
 * The console ring's output side, read defensively: the guest may change
 * any index at any time, so each is read once and checked before it is
 * used (see xencons.h).
 */
#include <veneer/xencons.h>

size_t xencons_take_output(volatile struct xencons_interface *intf,
                           char buf[2048], bool *broken)
{
    XENCONS_RING_IDX cons = intf->out_cons, prod = intf->out_prod;
    size_t n = 0;

    _Static_assert(sizeof(intf->out) == 2048, "xencons out[] size");
    *broken = false;
    __asm__ volatile("" ::: "memory"); /* indexes before the bytes */
    if ((XENCONS_RING_IDX)(prod - cons) > sizeof(intf->out)) {
        *broken = true;
        cons = prod;
    }
    while (cons != prod)
        buf[n++] = intf->out[MASK_XENCONS_IDX(cons++, intf->out)];
    __asm__ volatile("" ::: "memory"); /* bytes before the index */
    intf->out_cons = cons;
    return n;
}
