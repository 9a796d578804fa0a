# The PV test kernel (issue 4): built freestanding, booted on real Xen and on veneer.
