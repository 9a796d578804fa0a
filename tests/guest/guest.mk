# The PV test kernel (issue 4): built freestanding, booted on real Xen and on veneer.
# A freestanding x86_64 PV kernel linked in the top 2 GiB (-mcmodel=kernel),
# with the Xen ELF notes; its cases register themselves in .pvtest_cases
# (-fno-toplevel-reorder keeps them in source order).
# `make check-xen` boots it on real Xen 4.17 under QEMU (tier 30-xen).

PVTEST_SRCS = \
	tests/guest/head.S \
	tests/guest/setjmp.S \
	tests/guest/user.S \
	tests/guest/smp.S \
	tests/guest/start.c \
	tests/guest/runner.c \
	tests/guest/console.c \
	tests/guest/lib.c \
	tests/guest/traps.c \
	tests/guest/events.c \
	tests/guest/mm.c \
	tests/guest/time.c \
	tests/guest/t-boot.c \
	tests/guest/t-version.c \
	tests/guest/t-mm.c \
	tests/guest/t-ptwr.c \
	tests/guest/t-traps.c \
	tests/guest/t-events.c \
	tests/guest/t-time.c \
	tests/guest/t-ring.c \
	tests/guest/t-sched.c \
	tests/guest/t-grant.c \
	tests/guest/t-misc.c \
	tests/guest/t-domctl.c \
	tests/guest/t-user.c \
	tests/guest/t-extra.c \
	tests/guest/t-priv.c \
	tests/guest/t-smp.c \
	tests/guest/t-nmi.c \
	tests/guest/t-neg.c

# Hostile cases run only when selected (only=hostile): the isolation test.
PVTEST_SRCS += tests/guest/t-hostile.c
# Descriptor tables (set_gdt, update_descriptor).
PVTEST_SRCS += tests/guest/t-desc.c
# Measurements for bench/pv (only=bench).
PVTEST_SRCS += tests/guest/t-bench.c

PVTEST_HDRS = tests/guest/pvtest.h tests/guest/hypercall.h \
	tests/guest/xen.h tests/guest/lib.h tests/guest/regs.h \
	tests/guest/traps.h tests/guest/events.h tests/guest/mm.h tests/guest/time.h

# The newest interface the libxen-dev headers describe; no SSE in our code
# (the FPU cases use it explicitly), no red zone (Xen pushes bounce frames
# right below RSP).
GUEST_CPPFLAGS = -I$(srcdir)/tests/guest \
	-D__XEN_INTERFACE_VERSION__=0x00040e00
GUEST_CFLAGS = -std=gnu11 -ffreestanding -fno-builtin -fno-common \
	-mcmodel=kernel -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-stack-clash-protection -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -O2 \
	-fno-toplevel-reorder \
	-Wall -Wextra -Wno-unused-parameter \
	-Werror=implicit-function-declaration
GUEST_LDS = $(srcdir)/tests/guest/pvtest.lds

noinst_PROGRAMS += tests/guest/pvtest
tests_guest_pvtest_SOURCES = $(PVTEST_SRCS) $(PVTEST_HDRS)
tests_guest_pvtest_CPPFLAGS = $(GUEST_CPPFLAGS)
tests_guest_pvtest_CFLAGS = $(GUEST_CFLAGS)
tests_guest_pvtest_CCASFLAGS = $(GUEST_CPPFLAGS) -D__ASSEMBLY__
tests_guest_pvtest_LDFLAGS = -nostdlib -static -no-pie \
	-Wl,-T,$(GUEST_LDS) -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-dynamic-linker -Wl,--no-warn-rwx-segments
tests_guest_pvtest_LDADD = -lgcc
EXTRA_tests_guest_pvtest_DEPENDENCIES = $(GUEST_LDS)
EXTRA_DIST += $(GUEST_LDS) tests/guest/run-xen tests/guest/gen-readme \
	tests/guest/README.md tests/tiers/30-xen \
	scripts/fetch-deb
CHECK_DEPS += tests/guest/pvtest

check-xen: $(CHECK_DEPS)
	$(TIER_ENV) VENEER_TIERS=xen $(SHELL) $(srcdir)/tests/run-tiers
.PHONY: check-xen

# `make check-guest` boots it on veneer (tier 35-guest).
EXTRA_DIST += tests/guest/run-veneer tests/guest/veneer.xfail tests/tiers/35-guest
check-guest: $(CHECK_DEPS)
	$(TIER_ENV) VENEER_TIERS=guest $(SHELL) $(srcdir)/tests/run-tiers
.PHONY: check-guest
