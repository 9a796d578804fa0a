# Stock Debian Linux on veneer and on real Xen 4.17 (issue 6): the kernels
# (tests/linux/fetch-kernels), their initramfs images (mkinitramfs, init),
# the boot matrix (matrix.table, run by tests/linux/matrix) and tier 50-linux,
# its fast subset. `make check-matrix` runs every row and writes
# build/linux/matrix.html.
noinst_PROGRAMS += tests/linux/bzimage-payload
tests_linux_bzimage_payload_SOURCES = tests/linux/bzimage-payload.c
CHECK_DEPS += tests/linux/bzimage-payload
# A bzImage with the ELF vmlinux as its payload (the builder's uncompressed
# path), made from Debian's by the matrix; reads headers with bzimage.c.
noinst_PROGRAMS += tests/linux/bzimage-rewrap
tests_linux_bzimage_rewrap_SOURCES = tests/linux/bzimage-rewrap.c tests/unit/read_file.c \
	hypervisor/common/bzimage.c hypervisor/common/lib.c
tests_linux_bzimage_rewrap_CPPFLAGS = -DVENEER_HOST -I$(srcdir)/hypervisor/include
CHECK_DEPS += tests/linux/bzimage-rewrap

EXTRA_DIST += tests/linux/fetch-kernels tests/linux/mkinitramfs \
	tests/linux/init tests/linux/matrix tests/linux/matrix.table \
	tests/tiers/50-linux

check-matrix: $(CHECK_DEPS)
	$(TIER_ENV) $(SHELL) $(srcdir)/tests/linux/matrix --all
check-linux: $(CHECK_DEPS)
	$(TIER_ENV) VENEER_TIERS=linux $(SHELL) $(srcdir)/tests/run-tiers
.PHONY: check-matrix check-linux

# bench/linux-boot: QEMU start to Linux's /init marker as dom0 (and as a
# boot-time guest) on veneer, against real Xen 4.17's dom0 in the same run.
bench-linux-boot: tests/boot/vboot $(CHECK_DEPS)
	$(TIER_ENV) $(SHELL) $(srcdir)/bench/linux-boot
EXTRA_DIST += bench/linux-boot
.PHONY: bench-linux-boot
