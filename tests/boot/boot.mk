# The boot tier: the QEMU boot harness (vboot) and its cases.
noinst_PROGRAMS += tests/boot/vboot
tests_boot_vboot_SOURCES = \
	tests/boot/vboot.c \
	tests/boot/vboot.h \
	tests/boot/vboot-case.c \
	tests/boot/vboot-table.c \
	tests/boot/vboot-run.c
CHECK_DEPS += tests/boot/vboot
EXTRA_DIST += tests/boot/boot.table tests/tiers/20-boot
