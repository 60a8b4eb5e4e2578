// Catch2 2 needs one translation unit to define main; Catch2 3 links it from catch2-with-main.
#ifndef EDGE_RT_CATCH2_V3
#define CATCH_CONFIG_MAIN
#endif
#include "catch_compat.hpp"
