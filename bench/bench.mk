# Benchmarks: each prints a ratio against an anchor measured in the same run.
