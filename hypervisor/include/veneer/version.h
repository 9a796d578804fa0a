#ifndef VENEER_VERSION_H
#define VENEER_VERSION_H

#include <veneer/types.h>

#ifndef VENEER_VERSION
#define VENEER_VERSION "unknown"
#endif

/* The build id as hex, in buf; empty if the linker added none. */
const char *veneer_build_id(char *buf, size_t size);

#endif
