#!/bin/sh
# Seeds for tests/unit/fuzz-zstd: small frames of every kind, made by the
# zstd CLI (levels, checksums, pipes without a content size) and by hand
# (a skippable frame).
set -eu
dir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '' >"$tmp/empty"
printf 'a' >"$tmp/one"
head -c 3000 /dev/zero >"$tmp/zeros"
seq 1 2000 >"$tmp/numbers"
awk 'BEGIN { srand(1); for (i = 0; i < 4000; i++)
    printf "%c", 48 + int(rand() * rand() * 40) }' >"$tmp/letters"
head -c 2000 /bin/sh >"$tmp/elf"
n=0
for f in "$tmp"/*; do
    for args in -1 -3 -19 "-22 --ultra" "--no-check -3"; do
        n=$((n + 1))
        zstd -q -c $args "$f" >"$dir/seed-$n.zst"
        n=$((n + 1))
        zstd -q -c $args <"$f" >"$dir/seed-$n.zst"
    done
done
printf '\x50\x2a\x4d\x18\x03\x00\x00\x00abc' >"$dir/seed-skippable"
