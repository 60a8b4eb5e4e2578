// The architectures of ../shared/models/arch (qwen2 with biases and a tied output, llama with
// rope_freqs, phi2 with fused q/k/v and an output bias) plan and stream like the others:
// every tensor sits in its layer's (or the embedding's / output's) group, and a budget that
// forces streaming gives the resident run's greedy ids and logits bit for bit.
#include "arch_models.hpp"
#include "streaming_equals_resident.hpp"
#include "streaming_support.hpp"

#include "runtime/plan_request.hpp"
#include "runtime/weight_layout.hpp"

#include <gtest/gtest.h>
#include <map>

using namespace edge_rt;

namespace {

std::vector<std::filesystem::path> arch_models(const std::filesystem::path& dir)
{
    return {dir / "qwen2-w256.gguf", dir / "qwen2-w256-Q8_0.gguf", dir / "llama3rope-w256.gguf",
            dir / "phi2-rand-qkv.gguf"};
}

// The group a tensor belongs in: blk.N.* in layer N, token_embd in the embedding (and, tied,
// in the output), output* in the output.
std::string expected_group(const std::string& tensor)
{
    if (tensor.rfind("blk.", 0) == 0)
        return "layer " + tensor.substr(4, tensor.find('.', 4) - 4);
    if (tensor.rfind("output", 0) == 0)
        return "output";
    return "embedding";
}

} // namespace

TEST(ArchStreaming, EveryTensorIsPlannedInItsLayersGroup)
{
    EDGE_RT_ARCH_DIR_OR_SKIP(dir);
    for (const auto& path : arch_models(dir)) {
        SCOPED_TRACE(path.filename().string());
        runtime::Engine engine(path, test::small_options());
        const auto& arch = engine.arch();
        std::map<std::string, std::vector<std::string>> groups_of; // tensor -> group names
        for (const auto& g : arch.groups())
            for (const auto& spec : g.weights)
                groups_of[spec.name].push_back(runtime::group_name(g));
        for (const auto& t : engine.source().tensors.tensors) {
            if (t.name == "rope_freqs.weight") { // read once at load into the config
                EXPECT_FALSE(engine.config().rope_freq_factors.empty());
                EXPECT_EQ(groups_of.count(t.name), 0u);
                continue;
            }
            ASSERT_TRUE(groups_of.count(t.name)) << t.name << " is in no group";
            const auto& in = groups_of[t.name];
            EXPECT_EQ(in.front(), expected_group(t.name)) << t.name;
            // Only the tied embedding serves two groups (embedding and output).
            EXPECT_EQ(in.size(), t.name == "token_embd.weight" && engine.config().tied_output ? 2u : 1u) << t.name;
        }
        // Each planned group's size is its tensors' aligned bytes, biases included.
        const auto& request = engine.plan_request();
        ASSERT_EQ(request.groups.size(), arch.groups().size());
        for (std::size_t i = 0; i < arch.groups().size(); ++i)
            EXPECT_EQ(request.groups[i].bytes, runtime::group_slot_bytes(arch.groups()[i], engine.source().tensors));
    }
}

TEST(ArchStreaming, EveryStrategyMatchesTheResidentRunBitForBit)
{
    EDGE_RT_ARCH_DIR_OR_SKIP(dir);
    test::expect_streaming_equals_resident(io::IoBackend::Pread, arch_models(dir));
}
