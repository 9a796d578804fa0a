# The boot tier: the QEMU boot harness (vboot) and its cases.
