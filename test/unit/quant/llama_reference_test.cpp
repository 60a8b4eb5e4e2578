// The independent reference for our quantisers: llama.cpp's own quantisations of
// stories260K-w256 (../shared/models/stories260K-w256, README there). For every tensor of
// every llama.cpp file whose type we can write, our quantisation of the F32 source into the
// same type must have an RMSE vs the source within 1.10x of llama.cpp's (both decoded by our
// block_dequant). Skipped when the folder is absent.
#include "env.hpp"
#include "quant_test_util.hpp"

#include "core/block_encode.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <map>

using namespace edge_rt;
using namespace edge_rt::test;

namespace {

constexpr double kRatio = 1.10;

std::filesystem::path w256_dir() { return shared_models() / "stories260K-w256"; }

} // namespace

TEST(LlamaReference, RmsePerTensorWithinTenPercentOfLlamaCpp)
{
    if (!std::filesystem::exists(w256_dir() / "README.md"))
        GTEST_SKIP() << w256_dir() << " is absent (the shared stories260K-w256 reference files)";
    const auto source = model::read_gguf(w256_dir() / "stories260K-w256.gguf");
    std::map<std::string, std::vector<float>> f32;
    for (const auto& t : source.tensors)
        f32[t.name] = decode(DType::F32, tensor_bytes(source, t), static_cast<std::size_t>(t.elements()));
    // per type: sum of squared errors (ours, llama.cpp's) and count, for the summary line
    std::map<std::string, std::array<double, 3>> totals;
    std::size_t compared = 0;
    for (const char* name : {"Q8_0", "Q6_K", "Q5_K_M", "Q5_1", "Q5_0", "IQ4_NL", "Q4_K_M", "Q4_K_S", "Q3_K_M", "Q2_K"}) {
        const auto theirs_file = model::read_gguf(w256_dir() / (std::string("stories260K-w256-") + name + ".gguf"));
        for (const auto& t : theirs_file.tensors) {
            const auto type = static_cast<DType>(t.type);
            if (type == DType::F32 || !can_quantize(type))
                continue;
            const auto& x = f32.at(t.name);
            const auto theirs = decode(type, tensor_bytes(theirs_file, t), x.size());
            std::vector<std::byte> q(type_bytes(type, x.size()));
            quantize_row(type, x, q);
            const auto ours = decode(type, q, x.size());
            const double e_ours = rmse(x, ours), e_theirs = rmse(x, theirs);
            EXPECT_LE(e_ours, kRatio * e_theirs) << name << " " << t.name << " as " << dtype_name(t.type);
            auto& tot = totals[dtype_name(t.type)];
            tot[0] += e_ours * e_ours * static_cast<double>(x.size());
            tot[1] += e_theirs * e_theirs * static_cast<double>(x.size());
            tot[2] += static_cast<double>(x.size());
            ++compared;
        }
    }
    for (const auto& [type, tot] : totals)
        std::printf("%-7s RMSE ours %.6g, llama.cpp %.6g (ratio %.3f)\n", type.c_str(), std::sqrt(tot[0] / tot[2]),
                    std::sqrt(tot[1] / tot[2]), std::sqrt(tot[0] / tot[1]));
    EXPECT_GT(compared, 300u); // every quantised tensor of the 10 files (37 each)
}
