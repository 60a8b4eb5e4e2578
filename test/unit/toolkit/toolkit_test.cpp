// The public API the tools are built on (edge_rt/{config,tokenizer,system,inspect}.hpp),
// checked through the public headers only, against references that do not come from our code:
// the GPT-2 reference encodings in ../shared, the SafeTensors header as the format defines it,
// and /proc files written by hand.
#include "env.hpp"
#include "temp_dir.hpp"

#include "edge_rt/config.hpp"
#include "edge_rt/error.hpp"
#include "edge_rt/inspect.hpp"
#include "edge_rt/system.hpp"
#include "edge_rt/tokenizer.hpp"

#include <cstring>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace edge_rt;

TEST(ConfigNames, EveryNameReadsBackAndUnknownNamesAreErrorsNamingTheValue)
{
    for (const auto s : {Strategy::Sequential, Strategy::GreedyGrouping, Strategy::SpeculativePrefetch, Strategy::Auto})
        EXPECT_EQ(parse_strategy(to_string(s)), s) << to_string(s);
    for (const auto b : {IoBackend::Auto, IoBackend::Uring, IoBackend::Pread})
        EXPECT_EQ(parse_io_backend(to_string(b)), b) << to_string(b);
    EXPECT_EQ(to_string(Strategy::GreedyGrouping), "greedy-grouping");
    EXPECT_EQ(to_string(IoBackend::Pread), "pread");
    try {
        parse_strategy("fastest");
        FAIL() << "an unknown strategy was accepted";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("fastest"));
    }
    EXPECT_THROW(parse_io_backend("mmap"), ConfigError);
}

TEST(PublicTokenizer, EncodesTheGpt2ReferenceCases)
{
    const fs::path dir = test::shared_models() / "gpt2-tokenizer";
    if (!fs::exists(dir / "reference.json"))
        GTEST_SKIP() << dir.string() << "/reference.json is missing";
    const auto tokenizer = Tokenizer::load(dir);
    EXPECT_EQ(tokenizer.vocab_size(), 50257u);
    EXPECT_FALSE(tokenizer.add_bos_by_default());
    std::ifstream in(dir / "reference.json");
    const auto cases = nlohmann::json::parse(in);
    ASSERT_FALSE(cases.empty());
    for (const auto& c : cases) {
        const auto text = c.at("text").get<std::string>();
        const auto ids = tokenizer.encode(text, false);
        EXPECT_EQ(ids, c.at("ids").get<std::vector<std::int32_t>>()) << text;
        std::string joined;
        for (const auto id : ids)
            joined += tokenizer.token_bytes(id);
        EXPECT_EQ(joined, text); // every reference case decodes back to its text
    }
    // GPT-2's byte-to-unicode table spells a leading space U+0120 'Ġ'.
    EXPECT_EQ(tokenizer.piece(995), "\xC4\xA0world");
    EXPECT_EQ(tokenizer.token_bytes(995), " world");
}

TEST(PublicTokenizer, MissingFilesAreErrorsNamingThePath)
{
    test::TempDir dir;
    try {
        Tokenizer::for_model(dir.path() / "nothing.gguf");
        FAIL() << "a tokenizer loaded from nothing";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("nothing.gguf"));
    }
}

namespace {

void write_text(const fs::path& path, const std::string& text)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

} // namespace

TEST(SampleSystem, ReadsAFakeProcTree)
{
    test::TempDir root;
    write_text(root.path() / "proc/meminfo", "MemTotal:        2000 kB\nMemFree: 10 kB\nMemAvailable:     1500 kB\n");
    write_text(root.path() / "proc/loadavg", "0.50 0.25 0.125 1/100 4242\n");
    write_text(root.path() / "sys/class/thermal/thermal_zone0/type", "cpu-thermal\n");
    write_text(root.path() / "sys/class/thermal/thermal_zone0/temp", "61250\n");
    const auto s = sample_system(root.path());
    EXPECT_EQ(s.mem_total, 2000u * 1024);
    EXPECT_EQ(s.mem_available, 1500u * 1024);
    EXPECT_EQ(s.load1, 0.5);
    EXPECT_EQ(s.load15, 0.125);
    ASSERT_EQ(s.thermal.size(), 1u);
    EXPECT_EQ(s.thermal[0].type, "cpu-thermal");
    EXPECT_DOUBLE_EQ(s.thermal[0].celsius, 61.25);
    EXPECT_EQ(s.max_celsius(), 61.25);
    EXPECT_FALSE(s.throttle.has_value()); // not a Pi
    EXPECT_FALSE(sample_system(root.path() / "missing").mem_total.has_value());
}

TEST(TimeSequentialRead, ReadsTheBytesAskedFor)
{
    test::TempDir dir;
    const std::vector<std::uint8_t> data(3u << 20, 0x5a);
    const auto file = dir.write("data.bin", data);
    const auto t = time_sequential_read(file, 2u << 20);
    EXPECT_EQ(t.bytes, 2u << 20);
    EXPECT_GT(t.seconds, 0.0);
    EXPECT_THAT(t.backend, ::testing::AnyOf("uring", "pread"));
    EXPECT_THROW(time_sequential_read(dir.path() / "absent.bin", 4096), IoError);
}

TEST(ReadModelHeader, AgreesWithTheSafetensorsHeaderAndConfig)
{
    const fs::path dir = test::shared_models() / "gpt2-tiny-random-f32";
    if (!fs::exists(dir / "model.safetensors"))
        GTEST_SKIP() << dir.string() << "/model.safetensors is missing";
    // The format's own definition: an 8-byte little-endian length, then a JSON table of
    // {dtype, shape, data_offsets}.
    const auto bytes = test::read_file(dir / "model.safetensors");
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    const auto table = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
    std::uint64_t parameters = 0, weight_bytes = 0, tensors = 0;
    for (const auto& [name, t] : table.items()) {
        if (name == "__metadata__")
            continue;
        std::uint64_t elements = 1;
        for (const auto& d : t.at("shape"))
            elements *= d.get<std::uint64_t>();
        parameters += elements;
        weight_bytes += t.at("data_offsets")[1].get<std::uint64_t>() - t.at("data_offsets")[0].get<std::uint64_t>();
        ++tensors;
    }
    std::ifstream cfg_in(dir / "config.json");
    const auto cfg = nlohmann::json::parse(cfg_in);

    const auto h = read_model_header(dir);
    EXPECT_EQ(h.format, "safetensors");
    EXPECT_EQ(h.hyper.arch_name, "gpt2");
    EXPECT_EQ(h.hyper.n_embd, cfg.at("n_embd").get<std::uint32_t>());
    EXPECT_EQ(h.hyper.n_layer, cfg.at("n_layer").get<std::uint32_t>());
    EXPECT_EQ(h.hyper.n_vocab, cfg.at("vocab_size").get<std::uint32_t>());
    EXPECT_EQ(h.tensor_count, tensors);
    EXPECT_EQ(h.parameters, parameters);
    EXPECT_EQ(h.weight_bytes, weight_bytes);
    EXPECT_EQ(h.main_type, "F32");
    EXPECT_EQ(h.bytes_by_type.at("F32"), weight_bytes);
    EXPECT_FALSE(h.bos_id.has_value()); // GGUF metadata only
}
