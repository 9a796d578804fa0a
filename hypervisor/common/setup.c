/*
 * start_veneer(): the story of a boot, in order. head.S arrives here in long
 * mode on the boot page tables with a stack and nothing else.
 */
#include <veneer/boot_defs.h>
#include <veneer/console.h>
#include <veneer/version.h>

void __noreturn start_veneer(uint32_t magic, uint32_t mbi_paddr);

void start_veneer(uint32_t magic, uint32_t mbi_paddr)
{
    char id[48];

    serial_init();
    pr_info("veneer %s (%s build), build id %s\n", VENEER_VERSION,
            VENEER_BUILD_KIND, veneer_build_id(id, sizeof(id)));
    pr_info("multiboot magic %#x, info at %#x\n", magic, mbi_paddr);
    machine_exit(VENEER_EXIT_PASS);
}
