// Streaming equals resident through the pread backend (runs everywhere, qemu included).
#include "streaming_equals_resident.hpp"

#include <gtest/gtest.h>

TEST(StreamingPread, EveryStrategyMatchesTheResidentRunBitForBit)
{
    edge_rt::test::expect_streaming_equals_resident(edge_rt::io::IoBackend::Pread);
}
