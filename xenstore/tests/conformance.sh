#!/bin/sh
# Conformance with real clients: Debian's unmodified xenstore-utils
# (libxenstore 4.17 inside) talk to vstored over its unix socket, found
# through XENSTORED_PATH exactly as on a Xen host; then hand-made hostile
# clients (xs-raw). vstored runs under valgrind when it is installed, and
# its leak/error report is a case of its own.
# VSTORED_LOOP=epoll runs every daemon here with --no-io-uring: the tier
# runs this file once for each of vstored's event loops.
# Prints one line per case and ends with "N passed, N failed".
set -u
builddir=${VENEER_BUILDDIR:-.}
srcdir=${VENEER_SRCDIR:-.}
vstored=$builddir/xenstore/vstored
raw=$builddir/xenstore/tests/xs-raw
pass=0 fail=0
loop_args=""
[ "${VSTORED_LOOP:-}" = epoll ] && loop_args=--no-io-uring

if ! command -v xenstore-read >/dev/null 2>&1; then
    echo "skip: xenstore-utils is not installed (run scripts/setup)"
    echo "0 passed, 0 failed"
    exit 77
fi

tmp=$(mktemp -d /tmp/vstored-conf.XXXXXX)
export XENSTORED_PATH=$tmp/socket
unset XENSTORED_RUNDIR
daemon_pid=""
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

vg=""
if command -v valgrind >/dev/null 2>&1; then
    vg="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$tmp/valgrind.log"
fi
# shellcheck disable=SC2086
$vg "$vstored" $loop_args --socket "$tmp/socket" --foreground --trace-file "$tmp/trace" &
daemon_pid=$!
i=0
while [ ! -S "$tmp/socket" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done

ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() {
    fail=$((fail + 1))
    echo "FAIL $1"
    shift
    for l in "$@"; do echo "     $l"; done
}

# expect NAME WANT CMD...: stdout of CMD (bounded by timeout) must be WANT
# and its exit status 0.
expect() {
    name=$1 want=$2
    shift 2
    got=$(timeout 10 "$@" 2>"$tmp/err")
    rc=$?
    if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then
        ok "$name"
    else
        ko "$name" "command: $*" "want: $(printf '%s' "$want" | tr '\n' '|')" \
            "got:  $(printf '%s' "$got" | tr '\n' '|') (exit $rc)" \
            "stderr: $(cat "$tmp/err")"
    fi
}

# expect_fail NAME CMD...: CMD must exit non-zero (and not time out).
expect_fail() {
    name=$1
    shift
    timeout 10 "$@" >/dev/null 2>&1
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then
        ok "$name"
    else
        ko "$name" "command: $*" "exit $rc, want a failure"
    fi
}

expect "write_then_read" "hello" sh -c \
    'xenstore-write /conf/a hello && xenstore-read /conf/a'
expect "write_several_pairs" "1
2" sh -c 'xenstore-write /conf/p/x 1 /conf/p/y 2 && xenstore-read /conf/p/x /conf/p/y'
expect "empty_value" "" sh -c \
    'xenstore-write /conf/empty "" && xenstore-read /conf/empty'
expect "value_with_spaces" "a b  c" sh -c \
    'xenstore-write /conf/sp "a b  c" && xenstore-read /conf/sp'
expect_fail "read_missing_fails" xenstore-read /conf/missing
expect "exists_yes" "" xenstore-exists /conf/a
expect_fail "exists_no" xenstore-exists /conf/nope
expect "list_in_creation_order" "a
p
empty
sp" xenstore-list /conf
expect "ls_tree" 'conf = ""
 a = "hello"
 p = ""
  x = "1"
  y = "2"
 empty = ""
 sp = "a b  c"' sh -c 'xenstore-ls / | grep -v -e "^tool" -e "^ xenstored"'
expect "ls_full_paths" '/conf/p/x = "1"
/conf/p/y = "2"' xenstore-ls -f /conf/p
expect "chmod_and_ls_perms" "n5,r7" sh -c \
    'xenstore-chmod /conf/a n5 r7 && xenstore-ls -p /conf | sed -n "s/^a = .*(\(.*\))$/\1/p"'
expect "chmod_recursive" "b3 b3 b3" sh -c \
    'xenstore-chmod -r /conf/p b3 &&
     echo $(xenstore-ls -p /conf | sed -n "s/^p = .*(\(.*\))$/\1/p") \
          $(xenstore-ls -p /conf/p | sed -n "s/.*(\(.*\))$/\1/p")'
expect "rm_node" "a
empty
sp" sh -c 'xenstore-rm /conf/p && xenstore-list /conf'
expect_fail "rm_missing_parent_fails" xenstore-rm /nothing/here
expect "rm_missing_leaf_ok" "" xenstore-rm /conf/none
expect_fail "bad_path_rejected" xenstore-write /conf//bad 1
expect_fail "bad_char_rejected" xenstore-write "/conf/bad char" 1

# xenstore-watch: the event on registration, then one per change (node
# and descendants), in order.
watch_case() {
    timeout 10 xenstore-watch -n 4 /conf/w >"$tmp/watch.out" 2>&1 &
    wp=$!
    i=0
    while ! grep -q . "$tmp/watch.out" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    xenstore-write /conf/w 1
    xenstore-write /conf/w/child 2
    xenstore-write /conf/unrelated 3
    xenstore-rm /conf/w
    wait $wp
    rc=$?
    want="/conf/w
/conf/w
/conf/w/child
/conf/w"
    if [ $rc -eq 0 ] && [ "$(cat "$tmp/watch.out")" = "$want" ]; then
        ok "watch_events"
    else
        ko "watch_events" "exit $rc, got: $(tr '\n' '|' <"$tmp/watch.out")"
    fi
}
watch_case

expect "raw_read_of_dir_value" "hello" xenstore read /conf/a

# API compatibility: one program built against Debian's <xenstore.h> and
# libxenstore runs on Debian's library and on libvstore; both transcripts
# must equal the expected one (line 1 names the library actually used).
api_case() {
    name=$1 want_lib=$2
    shift 2
    out=$tmp/$name.out
    timeout 60 env "$@" "$builddir/xenstore/tests/xs-api" >"$out" 2>&1
    rc=$?
    tail -n +2 "$out" | diff -u "$srcdir/xenstore/tests/xs-api.expected" - \
        >"$tmp/api.diff"
    drc=$?
    lib=$(head -n 1 "$out")
    case "$lib" in *"$want_lib"*) lrc=0 ;; *) lrc=1 ;; esac
    if [ $rc -eq 0 ] && [ $drc -eq 0 ] && [ $lrc -eq 0 ]; then
        ok "$name"
    else
        ko "$name" "exit $rc, $lib (want $want_lib)" "$(head -30 "$tmp/api.diff")"
    fi
}
api_case api_session_on_debian_libxenstore /libxenstore.so.4 \
    LD_LIBRARY_PATH=
api_case api_session_on_libvstore xenstore/libxenstore.so.4 \
    LD_LIBRARY_PATH="$builddir/xenstore"

# Message framing: replies dribbled, coalesced with events, at the maximum
# length and over it, from a scripted daemon; each library must cut them
# the same way.
framing_case() {
    name=$1
    shift
    out=$tmp/$name.out
    timeout 60 env "$@" "$builddir/xenstore/tests/xs-framing" >"$out" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        ok "$name"
    else
        ko "$name" "exit $rc" "$(grep -v '^PASS' "$out" | head -20)"
    fi
}
framing_case framing_on_debian_libxenstore LD_LIBRARY_PATH=
framing_case framing_on_libvstore LD_LIBRARY_PATH="$builddir/xenstore"

# Debian's own CLIs, relinked at run time onto libvstore.
expect "utils_on_libvstore_write_read" "v1" env \
    LD_LIBRARY_PATH="$builddir/xenstore" sh -c \
    'xenstore-write /conf/lib v1 && xenstore-read /conf/lib'
expect "utils_on_libvstore_ls_perms" 'lib = "v1" (n0)' \
    env LD_LIBRARY_PATH="$builddir/xenstore" sh -c \
    'xenstore-ls -p /conf | grep ^lib | sed -e "s/[ .]*(/ (/"'
expect "utils_on_libvstore_rm" "" env \
    LD_LIBRARY_PATH="$builddir/xenstore" sh -c \
    'xenstore-rm /conf/lib && ! xenstore-exists /conf/lib'

# vstore, our CLI (linked with libvstore).
vs=$builddir/xenstore/vstore
expect "vstore_write_read" "1
2" sh -c "$vs write /cli/a 1 /cli/b 2 && $vs read /cli/a /cli/b"
expect "vstore_ls_perms" 'cli = ""  (b5,r0)
 a = "1"  (b5,r0)
 b = "2"  (b5,r0)' sh -c "$vs chmod -r /cli b5 r0 && $vs ls -p / | sed -n '/^cli/,/^[^ ]/p' | grep -v '^[^ c]'"
expect "vstore_rm_mkdir" "b
d" sh -c "$vs rm /cli/a && $vs mkdir /cli/d && xenstore-list /cli"
expect_fail "vstore_read_missing" "$vs" read /cli/none
expect "vstore_debug_quota" "OK
nodes              77  nodes owned per domain" sh -c \
    "$vs debug quota nodes 77 && $vs debug quota | head -n 1 && $vs debug quota nodes 1000 >/dev/null"
expect_fail "vstore_debug_unknown" "$vs" debug no-such-command
expect "vstore_watch" "/cli
/cli/b" sh -c "($vs watch -n 2 /cli >$tmp/vw &) ; sleep 0.5; $vs write /cli/b 3; sleep 0.5; cat $tmp/vw"

# Hostile clients over the same socket.
for t in oversize nonul unknown midmsg throttle flood; do
    if timeout 60 "$raw" "$tmp/socket" $t 2>"$tmp/err"; then
        ok "hostile_$t"
    else
        ko "hostile_$t" "$(cat "$tmp/err")"
    fi
done
# (/conf/a was owned by domain 5, whose release by xs-api deleted it.)
expect "orphans_of_released_domain_deleted" "" sh -c '! xenstore-exists /conf/a'
expect "still_consistent_after_hostile_clients" "a b  c" xenstore-read /conf/sp

# Command line: xenstored's quota options, --quota, --pid-file, and
# refusal of bad options (a second daemon on its own socket).
opts_case() {
    # shellcheck disable=SC2086
    "$vstored" $loop_args --socket "$tmp/s2" --foreground --pid-file "$tmp/s2.pid" \
        -E 77 -W 9 --quota memory=12345 &
    p2=$!
    i=0
    while [ ! -S "$tmp/s2" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    out=$(XENSTORED_PATH=$tmp/s2 "$builddir/xenstore/vstore" debug quota |
        awk '$1 == "nodes" || $1 == "watches" || $1 == "memory" {print $1, $2}' |
        tr '\n' ' ')
    pidok=0
    [ "$(cat "$tmp/s2.pid" 2>/dev/null)" = "$p2" ] && pidok=1
    kill $p2
    wait $p2
    rc=$?
    if [ "$out" = "nodes 77 watches 9 memory 12345 " ] && [ $pidok = 1 ] &&
        [ $rc -eq 0 ] && [ ! -e "$tmp/s2.pid" ]; then
        ok "command_line_quotas_and_pid_file"
    else
        ko "command_line_quotas_and_pid_file" "got '$out' pid-file $pidok exit $rc"
    fi
}
opts_case
# Out of file descriptors (ulimit -n 24, 64 clients): still serving, and
# accepting again once clients leave.
fd_case() {
    # shellcheck disable=SC2086
    (ulimit -n 24 && exec "$vstored" $loop_args --socket "$tmp/s4" --foreground \
        --log-file "$tmp/s4.log") &
    p4=$!
    i=0
    while [ ! -S "$tmp/s4" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    timeout 60 "$raw" "$tmp/s4" fdlimit 2>"$tmp/err"
    rc=$?
    kill $p4
    wait $p4
    # The log proves the limit was hit (accept paused, not spinning).
    if [ $rc -eq 0 ] && grep -q "paused until a client leaves" "$tmp/s4.log"; then
        ok "fd_exhaustion_survived"
    else
        ko "fd_exhaustion_survived" "exit $rc: $(cat "$tmp/err")" \
            "$(tail -n 5 "$tmp/s4.log" 2>/dev/null)"
    fi
}
fd_case
# Background mode: detaches, serves, and on SIGTERM removes its socket and
# pid file (bounded wait).
bg_case() {
    # shellcheck disable=SC2086
    "$vstored" $loop_args --socket "$tmp/s5" --pid-file "$tmp/s5.pid"
    rc=$?
    out=$(XENSTORED_PATH=$tmp/s5 timeout 10 xenstore-read /tool 2>&1)
    rrc=$?
    p5=$(cat "$tmp/s5.pid" 2>/dev/null)
    [ -n "$p5" ] && kill "$p5"
    i=0
    while [ -e "$tmp/s5.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if [ $rc -eq 0 ] && [ $rrc -eq 0 ] && [ -n "$p5" ] &&
        [ ! -e "$tmp/s5.pid" ] && [ ! -e "$tmp/s5" ]; then
        ok "background_mode_and_sigterm"
    else
        ko "background_mode_and_sigterm" "start $rc, read $rrc '$out', pid '$p5'"
        [ -n "$p5" ] && kill -9 "$p5" 2>/dev/null
    fi
}
bg_case
expect_fail "command_line_rejects_unknown_option" "$vstored" --socket "$tmp/s3" --bogus
expect_fail "command_line_rejects_bad_quota" "$vstored" --socket "$tmp/s3" --quota nodes=abc
expect_fail "command_line_rejects_unknown_quota" "$vstored" --socket "$tmp/s3" --quota bogus=1
expect_fail "command_line_rejects_unusable_socket" "$vstored" --foreground --socket /nonexistent/dir/sock
# Outside a Xen dom0, --dom0-ring cannot bind dom0's xenbus: refused with
# the reason (and without it vstored serves its socket, as every case here
# shows). In a dom0 the Linux matrix's -xenstore rows test the binding.
if [ ! -e /dev/xen/evtchn ]; then
    out=$(timeout 10 "$vstored" --foreground --socket "$tmp/s6" --dom0-ring 2>&1)
    rc=$?
    if [ $rc -eq 1 ] && echo "$out" | grep -q "dom0's xenbus: /dev/xen/evtchn" &&
        [ ! -e "$tmp/s6" ]; then
        ok "dom0_ring_refused_outside_dom0"
    else
        ko "dom0_ring_refused_outside_dom0" "exit $rc: $out"
    fi
fi

# The event loop every case above ran on: epoll when told, io_uring by
# default wherever this kernel lets a process set one up.
want_loop=epoll
[ -z "$loop_args" ] && "$raw" - uring-probe && want_loop=io_uring
if grep -q "event loop: $want_loop" "$tmp/trace"; then
    ok "event_loop_is_$want_loop"
else
    ko "event_loop_is_$want_loop" "$(grep 'event loop' "$tmp/trace")"
fi

# Clean shutdown; under valgrind, no leaks and no memory errors.
kill "$daemon_pid"
wait "$daemon_pid"
rc=$?
daemon_pid=""
if [ $rc -eq 0 ]; then
    ok "daemon_clean_exit${vg:+_under_valgrind}"
else
    ko "daemon_clean_exit${vg:+_under_valgrind}" "exit status $rc" \
        "$(cat "$tmp/valgrind.log" 2>/dev/null | head -40)"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
