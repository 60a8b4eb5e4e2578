// Lets the benchmarks build with Debian bookworm's Catch2 2.13 (one header, benchmarking
// behind a macro) and with Catch2 3 (split headers, benchmarking always on).
#pragma once

#ifdef EDGE_RT_CATCH2_V3
#include <catch2/benchmark/catch_benchmark.hpp>
#include <catch2/catch_test_macros.hpp>
#else
#ifndef CATCH_CONFIG_ENABLE_BENCHMARKING
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#endif
#include <catch2/catch.hpp>
#endif
