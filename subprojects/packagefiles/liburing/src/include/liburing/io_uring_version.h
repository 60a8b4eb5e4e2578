/* What liburing's configure would generate for release 2.5. */
#ifndef LIBURING_VERSION_H
#define LIBURING_VERSION_H
#define IO_URING_VERSION_MAJOR 2
#define IO_URING_VERSION_MINOR 5
#endif
