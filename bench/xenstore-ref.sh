# bench/xenstore reference mode, the dom0 command file (bench/xenstore-ref
# runs it through tests/refenv/run): the same xs-bench client against
# Debian's C xenstored (the dom0's own, on its socket) and vstored (started
# by xs-bench on a socket of its own), one after the other, and the ratio.
# /refenv/bench-args holds the seconds per measurement and the store's size.
read -r secs nodes </refenv/bench-args
export XS_BENCH_NODES=$nodes
# xenstored's pid, for its CPU time per operation (tests/refenv/init's --pid-file).
XS_BENCH_XEN_PID=$(cat /run/xenstored.pid 2>/dev/null) && export XS_BENCH_XEN_PID
echo "BENCH: dom0 $(grep -c ^processor /proc/cpuinfo) vCPUs, $(sed -n 's/^MemTotal: *//p' /proc/meminfo)"
/refenv/xs-bench --reference /run/xenstored/socket /usr/bin/vstored "$secs" 2>&1 |
    awk '{ print "BENCH: " $0; fflush() }'
