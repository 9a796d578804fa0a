# The hypervisor image: freestanding x86_64, linked at its high address,
# shipped as a flat multiboot v1 image (veneer.bin, with the a.out-kludge
# address fields) that QEMU's -kernel and GRUB both load. veneer-syms is the
# ELF with symbols, for gdb and addr2line.
#
# Two links: veneer-syms0 without a symbol table, then veneer-syms with the
# table that tools/gen-symbols makes from the first (backtraces print names).
# The table sits last in the image, so no other address moves; the rule
# checks that.

# Portable pieces that the unit tests compile for the host too.
HV_PORTABLE_SOURCES = \
	hypervisor/common/format.c \
	hypervisor/common/lib.c \
	hypervisor/common/cmdline.c \
	hypervisor/mm/buddy.c \
	hypervisor/mm/heap.c \
	hypervisor/mm/memmap.c \
	hypervisor/common/multiboot.c \
	hypervisor/common/elf.c \
	hypervisor/mm/pv_mm.c \
	hypervisor/arch/x86/pv/ptwr.c \
	hypervisor/mm/segdesc.c \
	hypervisor/common/grant_table.c \
	hypervisor/common/grant_map.c \
	hypervisor/common/grant_copy.c \
	hypervisor/common/grant_table_op.c \
	hypervisor/common/grant_internal.h \
	hypervisor/common/acpi_madt.c

# bzImage kernels: the setup header, the decompressor dispatcher, the .xz
# decoder (read hypervisor/common/xz_internal.h first) and its CRCs.
HV_DECOMPRESS_SOURCES = \
	hypervisor/common/bzimage.c \
	hypervisor/common/payload_decompress.c \
	hypervisor/common/xz_stream.c \
	hypervisor/common/lzma2.c \
	hypervisor/common/lzma_decode.c \
	hypervisor/common/bcj_x86.c \
	hypervisor/common/xz_internal.h \
	hypervisor/common/crc32.c \
	hypervisor/common/crc64.c
# The zstd decoder (RFC 8878), for Debian 6.12's payload.
HV_DECOMPRESS_SOURCES += \
	hypervisor/common/zstd_frame.c \
	hypervisor/common/zstd_literals.c \
	hypervisor/common/zstd_huffman.c \
	hypervisor/common/zstd_fse.c \
	hypervisor/common/zstd_sequences.c \
	hypervisor/common/zstd_bits.h \
	hypervisor/common/zstd_internal.h \
	hypervisor/common/xxhash64.c
HV_PORTABLE_SOURCES += $(HV_DECOMPRESS_SOURCES)

HV_ARCH_SOURCES = \
	hypervisor/arch/x86/boot/head.S \
	hypervisor/arch/x86/entry.S \
	hypervisor/arch/x86/cpu_protect.c \
	hypervisor/arch/x86/desc.c \
	hypervisor/arch/x86/traps.c \
	hypervisor/arch/x86/paging.c \
	hypervisor/arch/x86/time.c \
	hypervisor/arch/x86/apic.c \
	hypervisor/arch/x86/serial.c \
	hypervisor/arch/x86/power.c \
	hypervisor/arch/x86/selftest-traps.c \
	hypervisor/arch/x86/pvclock.c \
	hypervisor/arch/x86/pv/entry.S \
	hypervisor/arch/x86/pv/pv.c \
	hypervisor/arch/x86/pv/traps.c \
	hypervisor/arch/x86/pv/emul.c \
	hypervisor/arch/x86/pv/cpuid.c \
	hypervisor/arch/x86/pv/guest_access.c \
	hypervisor/arch/x86/pv/hypercall.c \
	hypervisor/arch/x86/pv/callback.c \
	hypervisor/arch/x86/pv/misc_hypercalls.c \
	hypervisor/arch/x86/pv/vcpu_context.c \
	hypervisor/arch/x86/pv/dom_build.c \
	hypervisor/arch/x86/pv/dom0_acpi.c \
	hypervisor/arch/x86/pv/platform_op.c \
	hypervisor/arch/x86/pv/descriptor.c \
	hypervisor/arch/x86/pv/debugreg.c \
	hypervisor/arch/x86/pv/mmu_ops.c \
	hypervisor/arch/x86/trampoline.S \
	hypervisor/arch/x86/smpboot.c \
	hypervisor/arch/x86/smp.c \
	hypervisor/common/biglock.c

HV_COMMON_SOURCES = \
	hypervisor/common/setup.c \
	hypervisor/common/console.c \
	hypervisor/common/string.c \
	hypervisor/common/version.c \
	hypervisor/common/modules.c \
	hypervisor/common/kernel_image.c \
	hypervisor/common/symbols.c \
	hypervisor/common/timer.c \
	hypervisor/common/selftest.c \
	hypervisor/common/selftest-timer.c \
	hypervisor/common/domain.c \
	hypervisor/common/console_io.c \
	hypervisor/common/version_op.c \
	hypervisor/common/sched_op.c \
	hypervisor/common/memory_op.c \
	hypervisor/common/memory_reservation.c \
	hypervisor/common/multicall.c \
	hypervisor/common/schedule.c \
	hypervisor/common/keyhandler.c \
	hypervisor/common/event_channel.c \
	hypervisor/common/event_dump.c \
	hypervisor/common/console_ring.c \
	hypervisor/common/xenstore_ring.c \
	hypervisor/common/domctl.c \
	hypervisor/common/xencons.c \
	hypervisor/common/watchdog.c \
	hypervisor/common/vcpu_op.c \
	hypervisor/mm/m2p.c \
	hypervisor/mm/page_alloc.c \
	hypervisor/mm/xmalloc.c \
	hypervisor/mm/selftest-mm.c \
	hypervisor/mm/selftest-pv-mm.c

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

noinst_PROGRAMS += hypervisor/veneer-syms0
hypervisor_veneer_syms0_SOURCES = $(HV_ARCH_SOURCES) $(HV_COMMON_SOURCES) \
	$(HV_PORTABLE_SOURCES)
hypervisor_veneer_syms0_CPPFLAGS = $(HV_CPPFLAGS)
hypervisor_veneer_syms0_CFLAGS = $(HV_CFLAGS)
hypervisor_veneer_syms0_CCASFLAGS = $(HV_CPPFLAGS) -fpie
hypervisor_veneer_syms0_LDFLAGS = -nostdlib -static -no-pie \
	-Wl,-T,$(HV_LDS) -Wl,--build-id=sha1 -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-dynamic-linker -Wl,--no-warn-rwx-segments
hypervisor_veneer_syms0_LDADD = -lgcc
EXTRA_hypervisor_veneer_syms0_DEPENDENCIES = $(HV_LDS)
EXTRA_DIST += $(HV_LDS) hypervisor/tools/gen-symbols

hypervisor/symbols.S: hypervisor/veneer-syms0 $(srcdir)/hypervisor/tools/gen-symbols
	$(AM_V_GEN)$(SHELL) $(srcdir)/hypervisor/tools/gen-symbols $< > $@
hypervisor/symbols.o: hypervisor/symbols.S
	$(AM_V_CCAS)$(CCAS) -c -o $@ $<
hypervisor/veneer-syms: hypervisor/veneer-syms0 hypervisor/symbols.o
	$(AM_V_CCLD)$(CC) $(HV_CFLAGS) $(CFLAGS) \
		$(hypervisor_veneer_syms0_LDFLAGS) $(LDFLAGS) -o $@ \
		$(hypervisor_veneer_syms0_OBJECTS) hypervisor/symbols.o \
		$(hypervisor_veneer_syms0_LDADD)
	@nm -n $< | $(HV_SYMBOL_ADDRESSES) > $@.nm0
	@nm -n $@ | $(HV_SYMBOL_ADDRESSES) > $@.nm1
	@cmp -s $@.nm0 $@.nm1 || { rm -f $@; \
		echo "veneer-syms: the symbol table moved other symbols"; exit 1; }
	@rm -f $@.nm0 $@.nm1
HV_SYMBOL_ADDRESSES = awk 'NF == 3 && $$3 !~ /^(__symbols_|__image_end)/ { print $$1, $$3 }'
hypervisor/veneer.bin: hypervisor/veneer-syms
	$(AM_V_GEN)$(OBJCOPY) -O binary $< $@
noinst_DATA += hypervisor/veneer.bin
CLEANFILES += hypervisor/veneer.bin hypervisor/veneer-syms \
	hypervisor/symbols.S hypervisor/symbols.o
CHECK_DEPS += hypervisor/veneer.bin
