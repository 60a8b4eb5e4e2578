// Header parsing cost of the bundled model (tokenizer metadata dominates).
#include "catch_compat.hpp"

#include "model/gguf.hpp"

TEST_CASE("GGUF header of the bundled model", "[model]")
{
    BENCHMARK("read_gguf stories260K")
    {
        return edge_rt::model::read_gguf(EDGE_RT_BUNDLED_MODEL).tensors.size();
    };
}
