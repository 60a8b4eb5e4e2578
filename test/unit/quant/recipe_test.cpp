// Our *_M recipes choose, tensor by tensor, the type llama.cpp's own files of stories260K-w256
// have (../shared/models/stories260K-w256, made by llama-quantize b4747; an independent
// reference). Skipped when the folder is absent.
#include "env.hpp"

#include "edge_rt/quantize.hpp"
#include "model/gguf.hpp"
#include "core/dtype.hpp"
#include "edge_rt/error.hpp"

#include <gtest/gtest.h>
#include <map>

using namespace edge_rt;
using namespace edge_rt::test;

TEST(QuantizeRecipe, SameTypePerTensorAsLlamaCppsFiles)
{
    const auto dir = shared_models() / "stories260K-w256";
    if (!std::filesystem::exists(dir / "README.md"))
        GTEST_SKIP() << dir << " is absent (the shared stories260K-w256 reference files)";
    const std::pair<const char*, const char*> files[] = {{"q8_0", "Q8_0"},     {"q6_k", "Q6_K"},     {"q5_k_m", "Q5_K_M"},
                                                         {"q4_k_m", "Q4_K_M"}, {"q3_k_m", "Q3_K_M"}, {"q2_k", "Q2_K"}};
    for (const auto& [type, suffix] : files) {
        const auto theirs = model::read_gguf(dir / (std::string("stories260K-w256-") + suffix + ".gguf"));
        const auto plan = quantize_plan(dir / "stories260K-w256.gguf", type);
        ASSERT_EQ(plan.size(), theirs.tensors.size()) << type;
        for (const auto& [name, ours] : plan) {
            const auto* t = theirs.find_tensor(name);
            ASSERT_NE(t, nullptr) << type << " " << name;
            EXPECT_EQ(ours, dtype_name(t->type)) << type << " " << name;
        }
    }
}

TEST(QuantizeRecipe, UnknownTypeIsAConfigError)
{
    EXPECT_THROW(quantize_plan("x.gguf", "q4_k_x"), ConfigError);
}
