/* What liburing's configure would generate on a glibc system with Linux >= 5.8 headers. */
#ifndef LIBURING_COMPAT_H
#define LIBURING_COMPAT_H
#include <linux/time_types.h>
#include <linux/openat2.h>
#include <inttypes.h>
#endif
