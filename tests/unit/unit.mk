# The unit tier: CUnit tests of the portable hypervisor code, built for the
# host with VENEER_HOST defined.
check_PROGRAMS += tests/unit/veneer-unit
tests_unit_veneer_unit_SOURCES = \
	tests/unit/main.c \
	tests/unit/test-format.c \
	tests/unit/test-lib.c \
	tests/unit/test-cmdline.c \
	tests/unit/test-buddy.c \
	tests/unit/test-heap.c \
	tests/unit/test-memmap.c \
	tests/unit/test-multiboot.c \
	tests/unit/test-elf.c tests/unit/read_file.c \
	tests/unit/test-evtchn.c \
	hypervisor/common/event_channel.c \
	tests/unit/test-xencons.c \
	hypervisor/common/xencons.c \
	tests/unit/unit.h \
	$(HV_PORTABLE_SOURCES)
tests_unit_veneer_unit_CPPFLAGS = -DVENEER_HOST -I$(srcdir)/hypervisor/include
tests_unit_veneer_unit_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_veneer_unit_LDADD = $(CUNIT_LIBS)
# The boot harness's table parser (tests/boot/), tested on the host like the rest.
tests_unit_veneer_unit_SOURCES += tests/unit/test-vboot-table.c tests/boot/vboot-table.c tests/boot/vboot-case.c
# The PV MMU type system (hypervisor/mm/pv_mm.c) on a host frame table.
tests_unit_veneer_unit_SOURCES += tests/unit/test-pv-mm.c
# Guest segment descriptors (hypervisor/mm/segdesc.c).
tests_unit_veneer_unit_SOURCES += tests/unit/test-segdesc.c
# Which guest frames may leave by sysretq (hypervisor/include/veneer/exit_frame.h).
tests_unit_veneer_unit_SOURCES += tests/unit/test-exit-frame.c
# Grant tables (hypervisor/common/grant_table.c) on the PV MMU's host frame table.
tests_unit_veneer_unit_SOURCES += tests/unit/test-grant.c
# The ACPI MADT walk (hypervisor/common/acpi_madt.c) on host-built tables.
tests_unit_veneer_unit_SOURCES += tests/unit/test-acpi.c
# dom0's ACPI tables (hypervisor/arch/x86/pv/dom0_acpi.c), read as Linux does.
tests_unit_veneer_unit_SOURCES += tests/unit/test-dom0-acpi.c hypervisor/arch/x86/pv/dom0_acpi.c
# The zstd decoder (hypervisor/common/zstd_*.c) against the real zstd CLI.
tests_unit_veneer_unit_SOURCES += tests/unit/test-zstd.c
# libFuzzer harness of the zstd decoder, libzstd.so.1 as its oracle when it
# loads: `make fuzz-zstd` runs it for FUZZ_TIME seconds (xenstore.mk).
ZSTD_FUZZ_SRCS = hypervisor/common/zstd_frame.c \
	hypervisor/common/zstd_literals.c hypervisor/common/zstd_huffman.c \
	hypervisor/common/zstd_fse.c hypervisor/common/zstd_sequences.c \
	hypervisor/common/xxhash64.c
tests/unit/fuzz-zstd: $(addprefix $(srcdir)/,$(ZSTD_FUZZ_SRCS)) \
		$(srcdir)/tests/unit/fuzz-zstd.c
	@mkdir -p tests/unit
	$(AM_V_CCLD)clang -std=gnu11 -g -O1 -DVENEER_HOST \
		-I$(srcdir)/hypervisor/include \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $(srcdir)/tests/unit/fuzz-zstd.c \
		$(addprefix $(srcdir)/,$(ZSTD_FUZZ_SRCS)) -ldl
CLEANFILES += tests/unit/fuzz-zstd
EXTRA_DIST += tests/unit/fuzz-zstd.c tests/unit/fuzz-zstd-seeds.sh
fuzz-zstd: tests/unit/fuzz-zstd
	rm -rf build/fuzz-zstd-corpus && mkdir -p build/fuzz-zstd-corpus
	$(SHELL) $(srcdir)/tests/unit/fuzz-zstd-seeds.sh build/fuzz-zstd-corpus
	tests/unit/fuzz-zstd -max_total_time=$(FUZZ_TIME) -max_len=65536 \
		build/fuzz-zstd-corpus
.PHONY: fuzz-zstd

# The .xz decoder against real xz output, and the bzImage header reader
# (hypervisor/common/{xz_stream,lzma2,lzma_decode,bcj_x86,bzimage}.c).
tests_unit_veneer_unit_SOURCES += tests/unit/test-xz.c tests/unit/test-bzimage.c
# The builder's bzImage path on the host, for tests/tiers/12-bzimage.
check_PROGRAMS += tests/unit/veneer-payload
tests_unit_veneer_payload_SOURCES = tests/unit/veneer-payload.c tests/unit/read_file.c \
	$(HV_DECOMPRESS_SOURCES) hypervisor/common/format.c hypervisor/common/lib.c
tests_unit_veneer_payload_CPPFLAGS = -DVENEER_HOST -I$(srcdir)/hypervisor/include
tests_unit_veneer_payload_CFLAGS = $(AM_CFLAGS) -O2
check-bzimage: tests/unit/veneer-payload $(CHECK_DEPS)
	$(TIER_ENV) VENEER_TIERS=bzimage $(SHELL) $(srcdir)/tests/run-tiers
EXTRA_DIST += tests/tiers/12-bzimage
.PHONY: check-bzimage
