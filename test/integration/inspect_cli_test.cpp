// `inspect` end to end: the JSON report of a GGUF file and of a SafeTensors folder checked
// against facts the test works out itself (from the file's bytes and the published
// hyper-parameters), the plan sweep's invariants, agreement with the engine's own plan, and
// every bad input failing with one line.
#include "env.hpp"
#include "gguf_builder.hpp"
#include "model_data.hpp"
#include "process.hpp"
#include "runtime/engine.hpp"
#include "temp_dir.hpp"

#include <cstring>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace edge_rt;
using namespace edge_rt::test;
using ::testing::HasSubstr;
using json = nlohmann::json;

namespace {

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

json inspect_json(std::vector<std::string> args)
{
    args.insert(args.begin(), "inspect");
    args.push_back("--json");
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    return json::parse(r.out);
}

// Invariants of every cell of a sweep; returns how many were feasible.
std::size_t check_plans(const json& j)
{
    const std::uint64_t minimum = j.at("minimum_budget");
    std::uint64_t slot_total = 0;
    for (const auto& g : j.at("groups"))
        slot_total += g.at("slot_bytes").get<std::uint64_t>();
    std::size_t feasible = 0;
    for (const auto& p : j.at("plans")) {
        const std::uint64_t budget = p.at("budget");
        SCOPED_TRACE(p.dump());
        EXPECT_EQ(p.at("feasible").get<bool>(), budget >= minimum);
        if (!p.at("feasible").get<bool>()) {
            EXPECT_EQ(p.at("needs").get<std::uint64_t>(), minimum);
            continue;
        }
        ++feasible;
        const std::uint64_t peak = p.at("predicted_peak"), resident = p.at("resident_bytes"),
                            streamed = p.at("streamed_bytes"), on_demand = p.at("on_demand_bytes");
        EXPECT_LE(minimum, peak);
        EXPECT_LE(peak, budget);
        EXPECT_EQ(resident + streamed + on_demand, slot_total);
        EXPECT_GE(p.at("bytes_read_per_token").get<std::uint64_t>(), streamed);
        EXPECT_EQ(p.at("groups").get<std::size_t>(),
                  p.at("resident_groups").get<std::size_t>() + p.at("streamed_groups").get<std::size_t>());
        EXPECT_GT(p.at("predicted_tokens_per_s").get<double>(), 0.0);
        if (streamed == 0) {
            EXPECT_EQ(p.at("streamed_groups").get<std::size_t>(), 0u);
        }
    }
    return feasible;
}

std::uint64_t u64_at(const std::vector<std::uint8_t>& b, std::size_t off)
{
    std::uint64_t v = 0;
    std::memcpy(&v, b.data() + off, 8);
    return v;
}

} // namespace

TEST(InspectCli, HelpNamesTheFlagsAndJsonKeys)
{
    const auto r = run_cli({"inspect", "--help"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* word : {"--budgets", "--sweep", "--strategy", "--ctx-size", "--json", "--read-gbps",
                             "--compute-gbps", "ASSUMED", "minimum_budget", "predicted_peak", "bytes_read_per_token"})
        EXPECT_THAT(r.out, HasSubstr(word));
}

// stories260K (models/README.md): n_vocab 512, n_embd 64, 5 layers, 8 heads, 4 KV heads (head
// dim 8), n_ff 172, untied output, every tensor F32.
TEST(InspectCli, GgufReportMatchesTheFileAndTheHyperParameters)
{
    const auto bytes = read_file(bundled_model());
    ASSERT_GE(bytes.size(), 24u);
    const std::uint64_t header_tensor_count = u64_at(bytes, 8); // GGUF v3: magic, version, n_tensors
    const json j = inspect_json({"-m", bundled_model().string()});
    EXPECT_EQ(j["model"]["format"], "gguf");
    EXPECT_EQ(j["model"]["architecture"], "llama");
    EXPECT_EQ(j["tensor_count"], header_tensor_count);
    EXPECT_EQ(j["tensor_count"], 1 + 5 * 9 + 2);
    const std::uint64_t per_layer = 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 64 + 3 * 64 * 172;
    EXPECT_EQ(j["total_weight_bytes"], 4 * (512 * 64 + 5 * per_layer + 64 + 512 * 64));
    EXPECT_EQ(j["kv_bytes_per_token"], 2 * 5 * 4 * 8 * 4);
    EXPECT_EQ(j["hyper_parameters"]["head_dim"], 8);
    EXPECT_EQ(j["tokenizer"]["vocab_size"], 512);
    ASSERT_EQ(j["groups"].size(), 7u); // embedding, 5 layers, output
    EXPECT_EQ(j["groups"][3]["name"], "layer 2");
    EXPECT_EQ(j["groups"][3]["weight_bytes"], 4 * per_layer);
    EXPECT_EQ(j["groups"][3]["bytes_by_type"]["F32"], 4 * per_layer);
    EXPECT_EQ(j["cost_model"]["assumed"], true);
    // The default sweep: five budgets from the minimum to all-resident, four strategies each.
    ASSERT_EQ(j["budgets"].size(), 5u);
    EXPECT_EQ(j["budgets"].front(), j["minimum_budget"]);
    EXPECT_EQ(j["budgets"].back(), j["resident_budget"]);
    EXPECT_EQ(j["plans"].size(), 20u);
    EXPECT_EQ(check_plans(j), 20u);
    const auto& last = j["plans"].back();
    EXPECT_EQ(last["streamed_bytes"], 0);
    EXPECT_EQ(last["bytes_read_per_token"], 0);
}

TEST(InspectCli, PlansAreTheEnginesPlans)
{
    const json j = inspect_json({"-b", "4500K,4800K,8M", "-s", "sequential,speculative-prefetch"});
    ASSERT_EQ(j["plans"].size(), 6u);
    EXPECT_EQ(check_plans(j), 6u);
    for (const auto& p : j["plans"]) {
        runtime::EngineOptions o;
        o.budget = p["budget"];
        o.strategy = plan::parse_strategy(p["strategy"].get<std::string>());
        const runtime::Engine engine(bundled_model(), o);
        EXPECT_EQ(p["predicted_peak"], engine.plan().predicted_peak) << p.dump();
        EXPECT_EQ(p["streamed_bytes"], engine.plan().streamed_bytes) << p.dump();
        EXPECT_EQ(p["groups"], engine.plan().groups.size()) << p.dump();
    }
}

TEST(InspectCli, BudgetsBelowTheMinimumAreCellsNotFailures)
{
    const json j = inspect_json({"-b", "1M,64M", "-s", "auto"});
    ASSERT_EQ(j["plans"].size(), 2u);
    EXPECT_FALSE(j["plans"][0]["feasible"].get<bool>());
    EXPECT_TRUE(j["plans"][1]["feasible"].get<bool>());
    EXPECT_EQ(check_plans(j), 1u);
    const auto r = run_cli({"inspect", "-b", "1M", "-s", "sequential"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("below minimum (needs"));
    EXPECT_THAT(r.out, HasSubstr("assume reads at 0.4 GB/s"));
}

TEST(InspectCli, SafetensorsFolderMatchesItsHeader)
{
    const auto dir = test_data("gpt2-tiny-random-f32");
    std::ifstream in(dir / "model.safetensors", std::ios::binary);
    std::uint64_t header_len = 0;
    in.read(reinterpret_cast<char*>(&header_len), 8);
    std::string header(header_len, '\0');
    in.read(header.data(), static_cast<std::streamsize>(header_len));
    const json h = json::parse(header);
    std::size_t tensors = 0;
    std::uint64_t total = 0;
    for (const auto& [name, t] : h.items()) {
        if (name == "__metadata__")
            continue;
        ++tensors;
        total += t["data_offsets"][1].get<std::uint64_t>() - t["data_offsets"][0].get<std::uint64_t>();
    }
    const json j = inspect_json({"-m", dir.string(), "--sweep", "--read-gbps", "0.1", "--compute-gbps", "1"});
    EXPECT_EQ(j["model"]["format"], "safetensors");
    EXPECT_EQ(j["model"]["architecture"], "gpt2");
    EXPECT_EQ(j["tensor_count"], tensors);
    EXPECT_EQ(j["total_weight_bytes"], total);
    EXPECT_EQ(j["kv_bytes_per_token"], 2 * 2 * 4 * 16 * 4); // 2 layers, 4 heads of 16
    EXPECT_EQ(j["n_ctx"], 128);                              // GPT-2: its learned positions
    EXPECT_EQ(j["tokenizer"]["vocab_size"], nullptr);        // the folder has no tokenizer files
    EXPECT_EQ(j["cost_model"]["read_gbps"], 0.1);
    EXPECT_EQ(j["cost_model"]["compute_gbps"], 1.0);
    EXPECT_EQ(check_plans(j), j["plans"].size());

    const auto text = run_cli({"inspect", "-m", dir.string()});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr("SafeTensors folder"));
    EXPECT_THAT(text.out, HasSubstr("layer 1"));
    EXPECT_THAT(text.out, HasSubstr("speculative-prefetch"));
}

namespace {

struct InspectCase {
    const char* what;
    std::vector<std::string> args; // "TEXT" becomes a text file in the test's folder
    const char* message;
};

class InspectBadInput : public ::testing::TestWithParam<InspectCase> {};

} // namespace

TEST_P(InspectBadInput, OneLineNonZeroExitNoOutput)
{
    TempDir dir;
    const std::vector<std::uint8_t> hello{'h', 'e', 'l', 'l', 'o', '\n', 0, 0, 0};
    const auto text = dir.write("notes.gguf", hello);
    std::vector<std::string> args{"inspect"};
    for (const auto& a : GetParam().args)
        args.push_back(a == "TEXT" ? text.string() : a);
    const auto r = run_cli(args);
    EXPECT_NE(r.exit_code, 0) << GetParam().what;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr(GetParam().message)) << GetParam().what;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, InspectBadInput,
    ::testing::Values(InspectCase{"missing model", {"-m", "/no/such/model.gguf"}, "/no/such/model.gguf"},
                      InspectCase{"not a model", {"-m", "TEXT"}, "notes.gguf"},
                      InspectCase{"bad budget", {"-b", "12Q"}, "'12Q' is not a size"},
                      InspectCase{"empty budget in a list", {"-b", "1G,,2G"}, "'' is not a size"},
                      InspectCase{"unknown strategy", {"-s", "sequential,fastest"}, "fastest"},
                      InspectCase{"budgets and sweep", {"--sweep", "-b", "1G"}, "--sweep"},
                      InspectCase{"zero context", {"--ctx-size", "0"}, "--ctx-size"},
                      InspectCase{"negative speed", {"--read-gbps", "-1"}, "--read-gbps"},
                      InspectCase{"unknown flag", {"--colour"}, "colour"}));

// A tensor type the runtime has no kernels for (IQ2_XXS here) is listed, and inspect says that
// `run` would refuse the model instead of failing; run refuses it with the same reason.
TEST(InspectCli, TypeWithoutKernelsIsListedNotFatal)
{
    TempDir dir;
    constexpr std::uint64_t E = 256, KV = 128, F = 256, V = 8;
    GgufBuilder b;
    b.kv_string("general.architecture", "llama")
        .kv_u32("llama.embedding_length", E)
        .kv_u32("llama.block_count", 1)
        .kv_u32("llama.attention.head_count", 4)
        .kv_u32("llama.attention.head_count_kv", 2)
        .kv_u32("llama.feed_forward_length", F)
        .kv_u32("llama.context_length", 16);
    const std::vector<std::pair<std::string, std::vector<std::uint64_t>>> f32{
        {"token_embd.weight", {E, V}},      {"output_norm.weight", {E}},       {"output.weight", {E, V}},
        {"blk.0.attn_norm.weight", {E}},    {"blk.0.attn_q.weight", {E, E}},   {"blk.0.attn_k.weight", {E, KV}},
        {"blk.0.attn_v.weight", {E, KV}},   {"blk.0.ffn_norm.weight", {E}},    {"blk.0.ffn_gate.weight", {E, F}},
        {"blk.0.ffn_up.weight", {E, F}},    {"blk.0.ffn_down.weight", {F, E}}};
    for (const auto& [name, shape] : f32) {
        std::uint64_t n = 1;
        for (auto d : shape)
            n *= d;
        b.tensor(name, shape, 0, std::vector<std::uint8_t>(n * 4));
    }
    b.tensor("blk.0.attn_output.weight", {E, E}, 16, std::vector<std::uint8_t>(E * E / 256 * 66)); // IQ2_XXS
    const auto model = dir.write("iq2.gguf", b.build());

    const auto text = run_cli({"inspect", "-m", model.string()});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr("IQ2_XXS"));
    EXPECT_THAT(text.out, HasSubstr("run           would refuse this model: unsupported tensor type IQ2_XXS in tensor "
                                    "blk.0.attn_output.weight"));
    const auto j = run_cli({"inspect", "-m", model.string(), "--json"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto doc = json::parse(j.out);
    EXPECT_EQ(doc["run_refuses"], "unsupported tensor type IQ2_XXS in tensor blk.0.attn_output.weight");
    EXPECT_TRUE(doc["plans"].empty());
    EXPECT_EQ(doc["groups"][1]["bytes_by_type"]["IQ2_XXS"], E * E / 256 * 66);

    const auto run = run_cli({"run", "-m", model.string(), "-p", "hi", "-n", "1"});
    EXPECT_NE(run.exit_code, 0);
    EXPECT_THAT(run.err, HasSubstr("unsupported tensor type IQ2_XXS in tensor blk.0.attn_output.weight"));
}
