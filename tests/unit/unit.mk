# The unit tier: CUnit tests of the portable hypervisor code, built for the
# host with VENEER_HOST defined.
check_PROGRAMS += tests/unit/veneer-unit
tests_unit_veneer_unit_SOURCES = \
	tests/unit/main.c \
	tests/unit/test-format.c \
	tests/unit/unit.h \
	$(HV_PORTABLE_SOURCES)
tests_unit_veneer_unit_CPPFLAGS = -DVENEER_HOST -I$(srcdir)/hypervisor/include
tests_unit_veneer_unit_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_veneer_unit_LDADD = $(CUNIT_LIBS)
