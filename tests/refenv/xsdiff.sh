# The differential run of issue 3 (a dom0 command file for tests/refenv/run):
# the request corpus /refenv/xs-corpus.txt played by /refenv/xs-replay
# against Debian's C xenstored (the one dom0 booted with, on its socket)
# and against vstored (started here on a socket of its own); the two
# transcripts compared by /refenv/xs-compare (requests in
# /refenv/xs-corpus.known are documented differences: shown, not compared).
# Prints Xen's transcript (XSDIFF-XEN: lines: the reference, which the tier
# also checks against the recorded tests/refenv/xs-corpus.xen-4.17) and
# xs-compare's lines, ending with XSDIFF-RESULT. Exits 1 when they differ.
vs=/tmp/vstored.sock
vstored -D --socket $vs --foreground --pid-file /tmp/vstored.pid >/tmp/vstored.log 2>&1 &
i=0
until [ -S $vs ]; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
        echo "XSDIFF-RESULT: vstored made no socket in 10 s"
        cat /tmp/vstored.log
        exit 1
    fi
    sleep 0.1
done
/refenv/xs-replay /run/xenstored/socket /refenv/xs-corpus.txt >/tmp/xen.txt || exit 1
/refenv/xs-replay $vs /refenv/xs-corpus.txt >/tmp/vstored.txt || exit 1
kill "$(cat /tmp/vstored.pid)"
sed 's/^/XSDIFF-XEN: /' /tmp/xen.txt
/refenv/xs-compare /tmp/xen.txt /tmp/vstored.txt /refenv/xs-corpus.known
