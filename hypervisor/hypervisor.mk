# The hypervisor image: freestanding x86_64, linked at its high address,
# shipped as a flat multiboot v1 image (veneer.bin, with the a.out-kludge
# address fields) that QEMU's -kernel and GRUB both load. veneer-syms is the
# ELF with symbols, for gdb and addr2line.

# Portable pieces that the unit tests compile for the host too.
HV_PORTABLE_SOURCES = \
	hypervisor/common/format.c \
	hypervisor/common/lib.c \
	hypervisor/common/cmdline.c \
	hypervisor/mm/buddy.c \
	hypervisor/mm/heap.c \
	hypervisor/mm/memmap.c \
	hypervisor/common/multiboot.c \
	hypervisor/common/elf.c

HV_ARCH_SOURCES = \
	hypervisor/arch/x86/boot/head.S \
	hypervisor/arch/x86/serial.c \
	hypervisor/arch/x86/power.c

HV_COMMON_SOURCES = \
	hypervisor/common/setup.c \
	hypervisor/common/console.c \
	hypervisor/common/string.c \
	hypervisor/common/version.c

HV_CPPFLAGS = -I$(srcdir)/hypervisor/include \
	-DVENEER_VERSION='"$(PACKAGE_VERSION)"' \
	-DVENEER_BUILD_KIND='"$(VENEER_BUILD_KIND)"'
# No SSE/x87 state in ring 0 (guests own it), no red zone (interrupts use the
# stack below rsp), position-independent code so that RIP-relative
# addressing reaches our high link address, frame pointers for backtraces.
HV_CFLAGS = -std=gnu11 -ffreestanding -fno-builtin -fno-common \
	-mno-red-zone -mgeneral-regs-only -fpie -fno-plt \
	-fno-stack-protector -fno-stack-clash-protection -fcf-protection=none \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -Wall -Wextra -Wno-unused-parameter \
	-Werror=implicit-function-declaration $(HV_OPT_CFLAGS)
HV_LDS = $(srcdir)/hypervisor/arch/x86/veneer.lds

noinst_PROGRAMS += hypervisor/veneer-syms
hypervisor_veneer_syms_SOURCES = $(HV_ARCH_SOURCES) $(HV_COMMON_SOURCES) \
	$(HV_PORTABLE_SOURCES)
hypervisor_veneer_syms_CPPFLAGS = $(HV_CPPFLAGS)
hypervisor_veneer_syms_CFLAGS = $(HV_CFLAGS)
hypervisor_veneer_syms_CCASFLAGS = $(HV_CPPFLAGS) -fpie
hypervisor_veneer_syms_LDFLAGS = -nostdlib -static -no-pie \
	-Wl,-T,$(HV_LDS) -Wl,--build-id=sha1 -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-dynamic-linker -Wl,--no-warn-rwx-segments
hypervisor_veneer_syms_LDADD = -lgcc
EXTRA_hypervisor_veneer_syms_DEPENDENCIES = $(HV_LDS)
EXTRA_DIST += $(HV_LDS)

hypervisor/veneer.bin: hypervisor/veneer-syms
	$(AM_V_GEN)$(OBJCOPY) -O binary $< $@
noinst_DATA += hypervisor/veneer.bin
CLEANFILES += hypervisor/veneer.bin
CHECK_DEPS += hypervisor/veneer.bin
