#ifndef VENEER_VERSION_H
#define VENEER_VERSION_H

#include <veneer/types.h>

#ifndef VENEER_VERSION
#define VENEER_VERSION "unknown"
#endif

/* The build id's bytes (*size 0 if the linker added none). */
const uint8_t *veneer_build_id_bytes(size_t *size);
/* The build id as hex, in buf; empty if the linker added none. */
const char *veneer_build_id(char *buf, size_t size);

#endif
