/*
 * Runs every registered CUnit suite (or those named on the command line)
 * and ends with the tier's "N passed, N failed" line.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"

static struct unit_suite *suites;

void unit_register(struct unit_suite *s)
{
    /* Keep registration order (constructors run in link order). */
    struct unit_suite **p = &suites;
    while (*p)
        p = &(*p)->next;
    *p = s;
}

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], name))
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "veneer-unit: CUnit: %s\n", CU_get_error_msg());
        return 2;
    }
    for (struct unit_suite *s = suites; s; s = s->next) {
        if (!wanted(s->name, argc, argv))
            continue;
        CU_pSuite suite = CU_add_suite(s->name, NULL, NULL);
        if (!suite)
            return 2;
        for (const struct unit_case *c = s->cases; c->name; c++) {
            if (!CU_add_test(suite, c->name, c->fn))
                return 2;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned run = CU_get_number_of_tests_run();
    unsigned failed = CU_get_number_of_tests_failed();
    printf("\n%u passed, %u failed\n", run - failed, failed);
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
