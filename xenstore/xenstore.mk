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
	xenstore/socket.h xenstore/socket_loop.h xenstore/socket_uring.c \
	xenstore/xenbus_dom0.c xenstore/xenbus_dom0.h \
	xenstore/boot_domains.c xenstore/dom_exc.c
xenstore_vstored_LDADD = xenstore/libvstored.a $(URING_LIBS)

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

# libvstore: a shared library with libxenstore 4.17's soname, version node
# and API. Built by hand (the tree does not use libtool); the symlink
# libxenstore.so.4 lets LD_LIBRARY_PATH=xenstore run Debian-built programs
# on it.
VSTORE_LIB_SRCS = xenstore/libvstore/xs.c xenstore/libvstore/xs_lib.c
VSTORE_LIB_DEPS = $(VSTORE_LIB_SRCS) xenstore/libvstore/xs_internal.h \
	xenstore/libvstore/libvstore.map
# The same library, static, for our own programs (no run-time path games).
noinst_LIBRARIES += xenstore/libvstore.a
xenstore_libvstore_a_SOURCES = $(VSTORE_LIB_SRCS) \
	xenstore/libvstore/xs_internal.h

# vstore: the CLI for people.
bin_PROGRAMS += xenstore/vstore
xenstore_vstore_SOURCES = xenstore/cli/vstore.c xenstore/cli/vstore.h \
	xenstore/cli/cmd-data.c xenstore/cli/cmd-perms.c xenstore/cli/cmd-watch.c
xenstore_vstore_LDADD = xenstore/libvstore.a -lpthread

xenstore/libvstore.so: $(addprefix $(srcdir)/,$(VSTORE_LIB_DEPS))
	@mkdir -p xenstore
	$(AM_V_CCLD)$(CC) $(AM_CFLAGS) $(CFLAGS) -fPIC -shared -pthread \
		-Wl,-soname,libxenstore.so.4 \
		-Wl,--version-script=$(srcdir)/xenstore/libvstore/libvstore.map \
		-o $@ $(addprefix $(srcdir)/,$(VSTORE_LIB_SRCS))
xenstore/libxenstore.so.4: xenstore/libvstore.so
	$(AM_V_GEN)ln -sf libvstore.so $@
xenstore/vstore.pc: $(srcdir)/xenstore/libvstore/vstore.pc.in Makefile
	@mkdir -p xenstore
	$(AM_V_GEN)sed -e 's|@prefix@|$(prefix)|' \
		-e 's|@exec_prefix@|$(exec_prefix)|' -e 's|@libdir@|$(libdir)|' \
		-e 's|@includedir@|$(includedir)|' \
		-e 's|@PACKAGE_VERSION@|$(PACKAGE_VERSION)|' $< >$@
noinst_DATA += xenstore/libvstore.so xenstore/libxenstore.so.4 \
	xenstore/vstore.pc
CLEANFILES += xenstore/libvstore.so xenstore/libxenstore.so.4 \
	xenstore/vstore.pc
EXTRA_DIST += $(VSTORE_LIB_DEPS) xenstore/libvstore/vstore.pc.in

install-exec-local: xenstore/libvstore.so
	$(MKDIR_P) $(DESTDIR)$(libdir)
	$(INSTALL) -m 755 xenstore/libvstore.so $(DESTDIR)$(libdir)/libvstore.so
install-data-local: xenstore/vstore.pc
	$(MKDIR_P) $(DESTDIR)$(libdir)/pkgconfig
	$(INSTALL_DATA) xenstore/vstore.pc $(DESTDIR)$(libdir)/pkgconfig/vstore.pc

# API compatibility: built against Debian's <xenstore.h> and libxenstore;
# the tier runs it on both libraries (LD_LIBRARY_PATH=xenstore for ours).
check_PROGRAMS += xenstore/tests/xs-api
xenstore_tests_xs_api_SOURCES = xenstore/tests/xs-api.c
xenstore_tests_xs_api_LDADD = -lxenstore -lpthread -ldl
EXTRA_DIST += xenstore/tests/xs-api.expected xenstore/tests/conformance.sh
# Message framing of the client libraries against a scripted daemon, on
# both libraries as well.
check_PROGRAMS += xenstore/tests/xs-framing
xenstore_tests_xs_framing_SOURCES = xenstore/tests/xs-framing.c
xenstore_tests_xs_framing_LDADD = -lxenstore -lpthread
CHECK_DEPS += xenstore/libxenstore.so.4

# Fuzzing (clang's libFuzzer + ASan): the core is compiled again with
# coverage instrumentation. The tier runs it for a bounded number of inputs
# when clang can build it; `make fuzz` runs it for FUZZ_TIME seconds.
FUZZ_TIME = 300
VSTORE_CORE_SRCS = xenstore/store.c xenstore/daemon.c xenstore/conn.c \
	xenstore/dispatch.c xenstore/ops-node.c xenstore/ops-session.c \
	xenstore/ops-domain.c xenstore/control.c xenstore/quota.c \
	xenstore/txn.c xenstore/watch.c xenstore/domain.c xenstore/ring.c
xenstore/tests/fuzz-dispatch: $(addprefix $(srcdir)/,$(VSTORE_CORE_SRCS)) \
		$(srcdir)/xenstore/tests/fuzz-dispatch.c \
		$(srcdir)/xenstore/daemon.h $(srcdir)/xenstore/store.h
	@mkdir -p xenstore/tests
	$(AM_V_CCLD)clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address \
		-o $@ $(srcdir)/xenstore/tests/fuzz-dispatch.c \
		$(addprefix $(srcdir)/,$(VSTORE_CORE_SRCS))
CLEANFILES += xenstore/tests/fuzz-dispatch
EXTRA_DIST += xenstore/tests/fuzz-dispatch.c xenstore/tests/fuzz-seeds.sh

fuzz: xenstore/tests/fuzz-dispatch
	rm -rf build/fuzz-corpus && mkdir -p build/fuzz-corpus
	$(SHELL) $(srcdir)/xenstore/tests/fuzz-seeds.sh build/fuzz-corpus
	xenstore/tests/fuzz-dispatch -max_total_time=$(FUZZ_TIME) \
		-max_len=9000 build/fuzz-corpus
.PHONY: fuzz
# Built for `make check` only where clang can (the tier skips it otherwise).
xenstore-fuzz-build:
	@if command -v clang >/dev/null 2>&1; then \
		$(MAKE) $(AM_MAKEFLAGS) xenstore/tests/fuzz-dispatch; \
	else echo "xenstore: clang not found, fuzzing will be skipped"; fi
CHECK_DEPS += xenstore-fuzz-build
.PHONY: xenstore-fuzz-build
