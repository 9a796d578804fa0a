# Our own PV guest kernel (issue 7): Debian's linux-source-6.1, the patch
# series and config fragments in guest-patches/, built by
# guest-patches/build-kernel into the cache ($VENEER_CACHE, ~/.cache/veneer).
# `make guest-kernel` builds both flavours (10-20 min on 2 cores the first
# time, nothing while the series is unchanged); tier 45-guest-patches checks
# the script on bad input (make check-guest-patches: all of its cases).
EXTRA_DIST += guest-patches/README.md guest-patches/build-kernel \
	guest-patches/series guest-patches/domU.config guest-patches/dom0.config \
	guest-patches/guest-patches.mk tests/tiers/45-guest-patches

guest-kernel:
	$(SHELL) $(srcdir)/guest-patches/build-kernel
check-guest-patches: $(CHECK_DEPS)
	$(TIER_ENV) VENEER_GUEST_PATCHES_FULL=1 VENEER_TIERS=guest-patches $(SHELL) $(srcdir)/tests/run-tiers
.PHONY: guest-kernel check-guest-patches
