#include "reader_contract.hpp"

INSTANTIATE_TEST_SUITE_P(Uring, ReaderContract, ::testing::Values(edge_rt::io::IoBackend::Uring));
