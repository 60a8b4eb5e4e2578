// The WeightReader contract, run against each backend: the pread binary instantiates it for
// pread, the io_uring binary (which skips without io_uring) for uring.
#pragma once

#include "io/reader.hpp"

#include <gtest/gtest.h>

class ReaderContract : public ::testing::TestWithParam<edge_rt::io::IoBackend> {};
