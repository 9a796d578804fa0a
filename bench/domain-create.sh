# bench/domain-create, the dom0 command file (bench/domain-create runs it
# through tests/refenv/run): `xl create` of the smoke domU (PV, 128 MiB, one
# vCPU, no devices; Debian's kernel and a busybox initramfs) N times in a
# row, each one timed to xl's return and to the domU's /init marker in
# xenconsoled's log, then `xl destroy` timed. `xl create -e`: no monitoring
# child (tests/refenv/smoke.sh says why). /refenv/bench-runs holds N.
# Prints one BENCH line a run and the medians.
runs=$(cat /refenv/bench-runs 2>/dev/null || echo 5)
up() { cut -d' ' -f1 /proc/uptime; }
since() { echo "$1 $(up)" | awk '{ printf "%.2f", $2 - $1 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
: >/tmp/create
: >/tmp/init
: >/tmp/gone
i=1
while [ $i -le "$runs" ]; do
    name=bench-$i
    log=/var/log/xen/console/guest-$name.log
    t0=$(up)
    if ! xl create -e /refenv/domu.cfg "name=\"$name\"" >/tmp/xl.out 2>&1; then
        cat /tmp/xl.out
        echo "BENCH: run $i: xl create failed"
        exit 1
    fi
    c=$(since "$t0")
    n=0
    until grep -q 'REFENV-DOMU: /init reached' "$log" 2>/dev/null; do
        n=$((n + 1))
        [ $n -lt 6000 ] || { echo "BENCH: run $i: no /init marker in 300 s"; exit 1; }
        sleep 0.05
    done
    m=$(since "$t0")
    t1=$(up)
    xl destroy "$name" || { echo "BENCH: run $i: xl destroy failed"; exit 1; }
    g=$(since "$t1")
    echo "BENCH: run $i: xl create returned after $c s, domU /init at $m s; xl destroy $g s"
    echo "$c" >>/tmp/create
    echo "$m" >>/tmp/init
    echo "$g" >>/tmp/gone
    i=$((i + 1))
done
echo "BENCH: median of $runs: xl create $(median </tmp/create) s, to the domU's /init $(median </tmp/init) s, xl destroy $(median </tmp/gone) s"
