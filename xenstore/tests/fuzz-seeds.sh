#!/bin/sh
# Writes seed inputs for fuzz-dispatch into $1: one well-formed session per
# file (first byte: connection and chunk size, then messages).
set -eu
dir=$1
msg() { # type tx payload(printf format): one message in host byte order
    len=$(printf "$3" | wc -c)
    printf "$(printf '\\%03o\\%03o\\000\\000' $(($1 & 255)) $(($1 >> 8)))"
    printf '\001\000\000\000'
    printf "$(printf '\\%03o\\000\\000\\000' "$2")"
    printf "$(printf '\\%03o\\%03o\\000\\000' $((len & 255)) $((len >> 8)))"
    printf "$3"
}
{ printf '\000'; msg 11 0 '/a/b\000v'; msg 2 0 '/a/b\000'; msg 1 0 '/a\000'; } >"$dir/rw"
{ printf '\004'; msg 6 0 '\000'; msg 11 1 '/t\000x'; msg 7 1 'T\000'; } >"$dir/txn"
{ printf '\011'; msg 4 0 '/w\000tok\000'; msg 11 0 '/w/x\000y'; msg 13 0 '/w\000'; } >"$dir/watch"
{ printf '\002'; msg 11 0 'data\000v'; msg 14 0 'data\000n5\000r0\000'; msg 3 0 'data\000'; } >"$dir/perms"
{ printf '\000'; msg 8 0 '7\0001\0002\000'; msg 19 0 '7\0005\000'; msg 9 0 '7\000'; } >"$dir/domain"
{ printf '\000'; msg 22 0 '/\0000\000'; msg 0 0 'quota\000'; msg 21 0 '\000'; } >"$dir/misc"
