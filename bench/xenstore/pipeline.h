/*
 * The pipelined client of bench/xenstore: one connection that keeps
 * PIPELINE_DEPTH requests in flight, speaking the wire protocol itself
 * (libxenstore sends one request and waits for its reply).
 */
#ifndef BENCH_XENSTORE_PIPELINE_H
#define BENCH_XENSTORE_PIPELINE_H

#include <stdbool.h>

/* Below xenstored's default of 10 transactions per connection, so that the
 * transaction benchmark runs unchanged on both daemons. */
#define PIPELINE_DEPTH 8

enum op { OP_READ, OP_WRITE, OP_DIR, OP_WATCH, OP_TXN, OP_ANCHOR, NOPS };

/* Runs op on the daemon at sock as client id until *stop, with node
 * numbers from *seed among nodes; adds the operations completed and those
 * that failed. false: the connection could not be set up or broke. */
bool pipeline_run(const char *sock, enum op op, int id, int nodes,
                  unsigned *seed, volatile int *stop, long *ops, long *errors);

#endif
