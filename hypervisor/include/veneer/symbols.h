/* Function names for addresses in the hypervisor image, for backtraces. */
#ifndef VENEER_SYMBOLS_H
#define VENEER_SYMBOLS_H

#include <veneer/types.h>

/* "name+0xoff" in buf, or NULL if addr precedes every symbol. */
const char *symbol_lookup(uint64_t addr, char *buf, size_t size);

#endif
