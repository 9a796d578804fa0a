/*
 * Ending the machine. Under QEMU the isa-debug-exit device (port 0xf4) turns
 * our status into QEMU's exit code, which is how the boot harness learns
 * pass or fail. Elsewhere we try the ACPI power-off ports QEMU's chipsets
 * use and then halt for ever with interrupts off.
 */
#include <veneer/boot_defs.h>
#include <veneer/console.h>
#include <veneer/io.h>

void __noreturn machine_exit(int code)
{
    local_irq_disable();
    outb(VENEER_EXIT_PORT, (uint8_t)code);
    outw(0x604, 0x2000);  /* QEMU q35/PIIX ACPI PM1a_CNT: S5 */
    outw(0xb004, 0x2000); /* older QEMU / Bochs */
    for (;;)
        __asm__ volatile("cli; hlt");
}
