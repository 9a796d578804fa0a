# The tier's dom0 command file (tests/tiers/55-refenv): the smoke run
# (xl create of a small PV domU reaches its /init), then the xenstore
# differential. Both run whatever the other did; fails if either failed.
sh /refenv/smoke.sh
smoke=$?
sh /refenv/xsdiff.sh
xsdiff=$?
[ $smoke -eq 0 ] && [ $xsdiff -eq 0 ]
