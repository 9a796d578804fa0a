/*
 * The unit tier's registration: each test file lists its named cases and
 * registers them with UNIT_SUITE(), so adding a file never touches main.c.
 */
#ifndef VENEER_UNIT_H
#define VENEER_UNIT_H

#include <CUnit/CUnit.h>

struct unit_case {
    const char *name; /* what the case proves, in a few words */
    void (*fn)(void);
};

struct unit_suite {
    const char *name;
    const struct unit_case *cases;
    struct unit_suite *next;
};

void unit_register(struct unit_suite *s);

#define UNIT_SUITE(id, case_table)                                    \
    static struct unit_suite unit_suite_##id = {#id, case_table, 0};  \
    __attribute__((constructor)) static void unit_register_##id(void) \
    {                                                                 \
        unit_register(&unit_suite_##id);                              \
    }

#endif
