/*
 * Whole-file reads for the host-side tests and tools: one implementation
 * for every test that loads an image, a kernel or a compressor's output.
 */
#ifndef VENEER_TESTS_READ_FILE_H
#define VENEER_TESTS_READ_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Reads F to its end (pipes too: no seeking). Returns a malloc'd buffer,
 * never NULL for an empty stream, and its length in *len; NULL when memory
 * runs out. */
uint8_t *read_stream(FILE *f, size_t *len);

/* read_stream() of the file at PATH; NULL when it cannot be opened. */
uint8_t *read_file(const char *path, size_t *len);

#endif
