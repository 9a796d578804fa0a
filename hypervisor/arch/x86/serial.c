/*
 * The 16550 UART on COM1 (0x3f8), 115200 8n1, polled both ways. Polling
 * keeps the console usable from any context, including a fault handler;
 * input (debug keys) is read from the scheduler's tick and the idle loop.
 */
#include <veneer/console.h>
#include <veneer/io.h>

#define COM1          0x3f8
#define UART_THR      0 /* transmit holding (DLAB=0) */
#define UART_DLL      0 /* divisor low (DLAB=1) */
#define UART_IER      1
#define UART_DLM      1
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define UART_LSR_THRE 0x20

void serial_init(void)
{
    outb(COM1 + UART_IER, 0x00);
    outb(COM1 + UART_LCR, 0x80); /* DLAB: set the divisor */
    outb(COM1 + UART_DLL, 1);    /* 115200 / 1 */
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, 0x03); /* 8n1 */
    outb(COM1 + UART_FCR, 0x07); /* enable and clear the FIFOs */
    outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

int serial_getc(void)
{
    if (!(inb(COM1 + UART_LSR) & 0x01)) /* data ready */
        return -1;
    uint8_t c = inb(COM1 + UART_THR); /* RBR, same offset */
    return c;
}

void serial_putc(char c)
{
    /* Bounded wait: a missing UART reads 0xff and never blocks us. */
    for (int i = 0; i < 100000; i++) {
        if (inb(COM1 + UART_LSR) & UART_LSR_THRE)
            break;
        cpu_relax();
    }
    outb(COM1 + UART_THR, (uint8_t)c);
}
