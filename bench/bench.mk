# Benchmarks: each prints a ratio against an anchor measured in the same run.

# bench/boot: QEMU start to veneer's "ready", median of 5 TCG boots, against
# Debian's Xen 4.17 reaching its banner in the same QEMU settings.
bench-boot: tests/boot/vboot $(CHECK_DEPS)
	$(TIER_ENV) $(SHELL) $(srcdir)/bench/boot
EXTRA_DIST += bench/boot
.PHONY: bench-boot
