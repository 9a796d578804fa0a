# xenstore: vstored, libvstore and their tests (issue 3).
#
# libvstored.a is the transport-agnostic daemon core; vstored adds the
# socket event loop, and the xenstore tier links the core directly to drive
# it in-process.
noinst_LIBRARIES += xenstore/libvstored.a
xenstore_libvstored_a_SOURCES = \
	xenstore/store.c xenstore/store.h \
	xenstore/daemon.c xenstore/daemon.h \
	xenstore/conn.c xenstore/dispatch.c \
	xenstore/ops-node.c xenstore/ops-session.c xenstore/ops-domain.c \
	xenstore/control.c xenstore/quota.c \
	xenstore/txn.c xenstore/watch.c xenstore/domain.c xenstore/ring.c

sbin_PROGRAMS += xenstore/vstored
xenstore_vstored_SOURCES = xenstore/vstored.c xenstore/socket.c \
	xenstore/socket.h
xenstore_vstored_LDADD = xenstore/libvstored.a

# The xenstore tier: CUnit cases of the core (in-process), then the
# conformance run of Debian's xenstore-utils against vstored.
check_PROGRAMS += xenstore/tests/xs-unit
xenstore_tests_xs_unit_SOURCES = \
	xenstore/tests/harness.c xenstore/tests/harness.h \
	xenstore/tests/test-node.c xenstore/tests/test-perms.c \
	xenstore/tests/test-watch.c xenstore/tests/test-txn.c \
	xenstore/tests/test-quota.c xenstore/tests/test-malformed.c \
	xenstore/tests/test-domain.c xenstore/tests/test-ring.c
xenstore_tests_xs_unit_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
xenstore_tests_xs_unit_LDADD = xenstore/libvstored.a $(CUNIT_LIBS)
CHECK_DEPS += xenstore/vstored

check-xenstore: $(check_PROGRAMS) $(CHECK_DEPS)
	$(TIER_ENV) VENEER_TIERS=xenstore $(SHELL) $(srcdir)/tests/run-tiers
.PHONY: check-xenstore

check_PROGRAMS += xenstore/tests/xs-raw
xenstore_tests_xs_raw_SOURCES = xenstore/tests/xs-raw.c
