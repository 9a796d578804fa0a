/*
 * Internal declarations shared by libvstore's files; nothing here is
 * exported (see libvstore.map).
 */
#ifndef VSTORE_XS_INTERNAL_H
#define VSTORE_XS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

struct xs_permissions;

const char *xs_domain_dev(void);
unsigned int xs_count_strings(const char *strings, unsigned int len);
/* Exported as in xs_lib.h of Xen: "r5" from {5, READ}. */
bool xs_perm_to_string(const struct xs_permissions *perm, char *buffer,
                       size_t buf_len);

#endif
