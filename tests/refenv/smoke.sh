# The reference environment's smoke run (sourced by dom0's /init, busybox
# sh): `xl create` of a small PV domU (tests/refenv/mkrefenv's domu.cfg:
# Debian's kernel, 128 MiB, one vCPU, a busybox initramfs) and the wait for
# its /init, whose console line xenconsoled logs. Prints
#   REFENV-XL: create returned after S s
#   REFENV-SMOKE: domU /init reached S s after xl create started
#   REFENV-SMOKE: domU destroyed after S s
# Exits non-zero with the reason when a step fails or the marker has not
# come within 300 s. `xl create -e`: no monitoring child stays behind (in
# 1 of about 5 runs that daemonizing child of Xen 4.17's xl died of a
# SIGSEGV in malloc here, failing the create); the domU is destroyed by
# `xl destroy` instead of by its monitor.
up() { cut -d' ' -f1 /proc/uptime; }
since() { echo "$1 $(up)" | awk '{ printf "%.2f", $2 - $1 }'; }
log=/var/log/xen/console/guest-refenv-domu.log
xl list
t0=$(up)
if ! xl create -e /refenv/domu.cfg; then
    echo "REFENV-SMOKE: FAIL xl create failed"
    exit 1
fi
echo "REFENV-XL: create returned after $(since "$t0") s"
i=0
until grep -q 'REFENV-DOMU: /init reached' "$log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 3000 ]; then
        echo "REFENV-SMOKE: FAIL no /init marker from the domU in 300 s; its console:"
        tail -n 20 "$log" 2>/dev/null
        xl list
        exit 1
    fi
    sleep 0.1
done
echo "REFENV-SMOKE: domU /init reached $(since "$t0") s after xl create started"
grep 'REFENV-DOMU' "$log" | tr -d '\r'
t1=$(up)
if ! xl destroy refenv-domu; then
    echo "REFENV-SMOKE: FAIL xl destroy failed"
    exit 1
fi
echo "REFENV-SMOKE: domU destroyed after $(since "$t1") s"
