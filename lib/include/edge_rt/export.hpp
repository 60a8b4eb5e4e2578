// EDGE_RT_API marks what the shared library exports: the C ABI and the public C++ API. The
// library is compiled with -fvisibility=hidden, so everything not marked stays internal.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
/// Exported from (and, for users, resolved against) the shared library.
#define EDGE_RT_API __attribute__((visibility("default")))
#else
/// Other compilers: no visibility control.
#define EDGE_RT_API
#endif
