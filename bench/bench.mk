# Benchmarks: each prints a ratio against an anchor measured in the same run.

# bench/boot: QEMU start to veneer's "ready", median of 5 TCG boots, against
# Debian's Xen 4.17 reaching its banner in the same QEMU settings.
bench-boot: tests/boot/vboot $(CHECK_DEPS)
	$(TIER_ENV) $(SHELL) $(srcdir)/bench/boot
EXTRA_DIST += bench/boot
.PHONY: bench-boot

# bench/xenstore: vstored's operations per second (read, write, directory,
# watch firing, transactions; 1 and 16 clients; 100k nodes) against an echo
# server's round trips on the same socket type in the same run.
noinst_PROGRAMS += bench/xenstore/xs-bench
bench_xenstore_xs_bench_SOURCES = bench/xenstore/xs-bench.c \
	bench/xenstore/pipeline.c bench/xenstore/pipeline.h
bench_xenstore_xs_bench_LDADD = xenstore/libvstore.a -lpthread
bench-xenstore: bench/xenstore/xs-bench xenstore/vstored
	bench/xenstore/xs-bench xenstore/vstored $(BENCH_SECONDS)
.PHONY: bench-xenstore

# bench/pv: null hypercall and event-channel upcall, timed inside the PV
# test kernel on veneer and on Xen 4.17 in the same run, with the ratio.
bench-pv: tests/boot/vboot $(CHECK_DEPS)
	$(TIER_ENV) $(SHELL) $(srcdir)/bench/pv
EXTRA_DIST += bench/pv
.PHONY: bench-pv

# bench/guest-kernel: our guest kernel (guest-patches/) against Debian's
# stock 6.1 as dom0 on veneer: time to /init and memory in use, alternating
# runs, medians of 5, with the ratios.
bench-guest-kernel: tests/boot/vboot $(CHECK_DEPS)
	$(TIER_ENV) $(SHELL) $(srcdir)/bench/guest-kernel
EXTRA_DIST += bench/guest-kernel
.PHONY: bench-guest-kernel

# bench/smp: a 2-vCPU Linux dom0's workload with its vCPUs on one pCPU and
# spread over two (smp_sched=0 against smp_sched, the default), in the same
# run: the parallel part's ratio.
bench-smp: tests/boot/vboot $(CHECK_DEPS)
	$(TIER_ENV) $(SHELL) $(srcdir)/bench/smp
EXTRA_DIST += bench/smp
.PHONY: bench-smp

# bench/xenstore, reference mode: the same client inside a Xen 4.17 dom0
# (tests/refenv) against Debian's C xenstored and vstored, with the ratio.
bench-xenstore-ref: bench/xenstore/xs-bench xenstore/vstored $(CHECK_DEPS)
	$(TIER_ENV) BENCH_SECONDS=$(BENCH_SECONDS) $(SHELL) $(srcdir)/bench/xenstore-ref
EXTRA_DIST += bench/xenstore-ref bench/xenstore-ref.sh
.PHONY: bench-xenstore-ref

# bench/domain-create: `xl create` of a small PV domU on real Xen 4.17
# (tests/refenv), to xl's return and to the domU's /init: the anchor for
# veneer's toolstack (reference figures only until veneer has one).
bench-domain-create: $(CHECK_DEPS)
	$(TIER_ENV) $(SHELL) $(srcdir)/bench/domain-create
EXTRA_DIST += bench/domain-create bench/domain-create.sh
.PHONY: bench-domain-create
