// Streaming equals resident through io_uring; the binary's main skips (77) without io_uring.
#include "streaming_equals_resident.hpp"

#include <gtest/gtest.h>

TEST(StreamingUring, EveryStrategyMatchesTheResidentRunBitForBit)
{
    edge_rt::test::expect_streaming_equals_resident(edge_rt::io::IoBackend::Uring);
}
