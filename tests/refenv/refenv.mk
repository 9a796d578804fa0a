# The reference environment (issue 4 item 4): real Xen 4.17 in QEMU with
# Debian's Linux 6.1 as dom0 running Xen's own toolstack (xl, xenstored,
# xenconsoled from Debian's packages, never installed); tests/refenv/run
# runs a command file in that dom0. Tier 55-refenv: the smoke row (`xl
# create` of a small PV domU reaches its /init) and the xenstore
# differential (issue 3: one request corpus against Debian's C xenstored
# and vstored, replies compared).
noinst_PROGRAMS += tests/refenv/xs-replay
tests_refenv_xs_replay_SOURCES = tests/refenv/xs-replay.c
CHECK_DEPS += tests/refenv/xs-replay

EXTRA_DIST += tests/refenv/init tests/refenv/mkrefenv tests/refenv/run \
	tests/refenv/smoke.sh tests/refenv/xsdiff.sh tests/refenv/check.sh \
	tests/refenv/xs-compare tests/refenv/xs-corpus.txt tests/refenv/xs-corpus.known \
	tests/refenv/xs-corpus.known-nohv \
	tests/refenv/xs-corpus.xen-4.17 tests/refenv/README.md \
	tests/tiers/55-refenv

check-refenv: $(CHECK_DEPS)
	$(TIER_ENV) VENEER_TIERS=refenv $(SHELL) $(srcdir)/tests/run-tiers
.PHONY: check-refenv
