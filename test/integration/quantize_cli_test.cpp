// `quantize` end to end on stories260K-w256's F32 source (../shared/models/stories260K-w256,
// README there): every --type writes a model that loads and generates; Q8_0 and Q6_K keep the
// F32 model's greedy ids as far as llama.cpp's own files of those types do; bad input fails
// with one line and leaves neither the output nor a temporary file. Skipped without the folder.
#include "env.hpp"
#include "process.hpp"
#include "safetensors_builder.hpp"
#include "temp_dir.hpp"

#include <csignal>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

using namespace edge_rt::test;
using ::testing::HasSubstr;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path w256_dir() { return shared_models() / "stories260K-w256"; }
fs::path f32_source() { return w256_dir() / "stories260K-w256.gguf"; }

#define SKIP_WITHOUT_W256()                                                                          \
    do {                                                                                             \
        if (!fs::exists(w256_dir() / "README.md"))                                                    \
            GTEST_SKIP() << w256_dir() << " is absent (the shared stories260K-w256 reference files)"; \
    } while (0)

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// The folder holds exactly `names` (no temporary file left over).
void expect_only(const fs::path& dir, std::set<std::string> names)
{
    std::set<std::string> found;
    for (const auto& e : fs::directory_iterator(dir))
        found.insert(e.path().filename().string());
    EXPECT_EQ(found, names);
}

json read_json(const fs::path& p)
{
    std::ifstream in(p);
    return json::parse(in);
}

// Leading steps of `a` equal to `b`.
std::size_t common_prefix(const std::vector<int>& a, const std::vector<int>& b)
{
    std::size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n])
        ++n;
    return n;
}

std::vector<int> greedy_ids(const fs::path& model, const std::vector<int>& prompt)
{
    std::string ids;
    for (const int id : prompt) {
        if (!ids.empty())
            ids += ',';
        ids += std::to_string(id);
    }
    const auto r = run_cli({"run", "-m", model.string(), "--prompt-ids", ids, "-n", "64", "--temp", "0", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out).at("generated_ids").get<std::vector<int>>();
}

} // namespace

TEST(QuantizeCli, HelpListsTheTypes)
{
    const auto r = run_cli({"quantize", "--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const char* t : {"q8_0", "q4_0", "q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k"})
        EXPECT_THAT(r.out, HasSubstr(t));
}

TEST(QuantizeCli, EveryTypeWritesAModelThatRuns)
{
    SKIP_WITHOUT_W256();
    TempDir dir;
    for (const char* type : {"q8_0", "q4_0", "q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k"}) {
        const auto out = dir.path() / (std::string(type) + ".gguf");
        const auto q = run_cli({"quantize", f32_source().string(), out.string(), "--type", type, "--json", "-t", "2"});
        ASSERT_EQ(q.exit_code, 0) << type << ": " << q.err;
        EXPECT_THAT(q.err, HasSubstr("tensor 48/48")) << "progress lines (stderr is not a tty)";
        const auto j = json::parse(q.out);
        EXPECT_EQ(j.at("tensors").size(), 48u);
        ASSERT_FALSE(j.at("per_type").empty());
        for (const auto& t : j.at("per_type")) { // quantised, so some error, but a small one
            EXPECT_GT(t.at("rmse").get<double>(), 0.0) << type;
            EXPECT_LT(t.at("relative_rmse").get<double>(), 0.5) << type << " " << t.at("type");
        }
        EXPECT_EQ(j.at("output_bytes").get<std::uint64_t>(), fs::file_size(out));
        const auto r = run_cli({"run", "-m", out.string(), "-p", "Once upon a time", "-n", "16", "--temp", "0", "--json"});
        ASSERT_EQ(r.exit_code, 0) << type << ": " << r.err;
        const auto g = json::parse(r.out);
        EXPECT_EQ(g.at("generated_ids").size(), 16u) << type;
        EXPECT_GT(g.at("text").get<std::string>().size(), std::string("Once upon a time").size()) << type;
    }
    std::set<std::string> names;
    for (const char* type : {"q8_0", "q4_0", "q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k"})
        names.insert(std::string(type) + ".gguf");
    expect_only(dir.path(), names);
}

// Q8_0: llama.cpp's Q8_0 file keeps all 64 greedy ids of the F32 model on both prompts; ours
// must too. Q6_K: llama.cpp's file keeps 49 (once) and 61 (lily). A different rounding of the
// same precision moves the logits by a similar amount but flips different low-margin steps
// (ours measured: 57 and 57), so the check is on the total over both prompts: at least
// llama.cpp's.
TEST(QuantizeCli, GreedyIdsKeepTheF32ModelsAsFarAsLlamaCppsFilesDo)
{
    SKIP_WITHOUT_W256();
    TempDir dir;
    for (const char* type : {"Q8_0", "Q6_K"}) {
        std::string lower = type;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        const auto out = dir.path() / (lower + ".gguf");
        ASSERT_EQ(run_cli({"quantize", f32_source().string(), out.string(), "--type", lower, "-q"}).exit_code, 0);
        std::size_t ours = 0, theirs = 0;
        for (const char* slug : {"once_upon_a_time", "lily_wanted_to"}) {
            const auto f32 = read_json(w256_dir() / "ref" / (std::string("F32.") + slug + ".json"));
            const auto ref = read_json(w256_dir() / "ref" / (std::string(type) + "." + slug + ".json"));
            const auto want = f32.at("greedy_ids").get<std::vector<int>>();
            const std::size_t n_theirs = common_prefix(ref.at("greedy_ids").get<std::vector<int>>(), want);
            const std::size_t n_ours = common_prefix(greedy_ids(out, f32.at("prompt_ids").get<std::vector<int>>()), want);
            std::printf("%s %s: greedy ids equal to F32's for %zu steps (llama.cpp's file: %zu)\n", type, slug, n_ours, n_theirs);
            if (std::string(type) == "Q8_0") {
                EXPECT_GE(n_ours, n_theirs) << slug;
            }
            ours += n_ours;
            theirs += n_theirs;
        }
        EXPECT_GE(ours, theirs) << type;
    }
}

TEST(QuantizeCli, BadRequestsFailWithOneLineAndWriteNothing)
{
    SKIP_WITHOUT_W256();
    TempDir dir;
    const auto out = (dir.path() / "out.gguf").string();
    struct Case {
        std::vector<std::string> args;
        int exit_code;
        const char* says;
    };
    const auto truncated = dir.path() / "truncated.gguf";
    {
        std::ifstream in(f32_source(), std::ios::binary);
        std::vector<char> head(1 << 20);
        in.read(head.data(), static_cast<std::streamsize>(head.size()));
        std::ofstream(truncated, std::ios::binary).write(head.data(), static_cast<std::streamsize>(head.size()));
    }
    const Case cases[] = {
        {{"quantize", f32_source().string(), out, "--type", "q7_k"}, 2, "unknown --type 'q7_k'"},
        {{"quantize", f32_source().string(), out}, 2, "--type is required"},
        {{"quantize", (dir.path() / "missing.gguf").string(), out, "--type", "q8_0"}, 1, "missing.gguf"},
        {{"quantize", (w256_dir() / "stories260K-w256-Q8_0.gguf").string(), out, "--type", "q4_k_m"}, 1,
         "is Q8_0; quantize reads F32, F16 or BF16 weights"},
        {{"quantize", truncated.string(), out, "--type", "q8_0"}, 1, "truncated.gguf"},
        {{"quantize", f32_source().string(), (dir.path() / "no-such-dir" / "o.gguf").string(), "--type", "q8_0"}, 1,
         "cannot create the output"},
        {{"quantize", w256_dir().string(), out, "--type", "q8_0"}, 1, "config.json: missing (no such file)"},
    };
    for (const auto& c : cases) {
        const auto r = run_cli(c.args);
        EXPECT_EQ(r.exit_code, c.exit_code) << c.says << ": " << r.err;
        EXPECT_THAT(r.err, HasSubstr(c.says));
        EXPECT_EQ(lines(r.err), 1u) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
    expect_only(dir.path(), {"truncated.gguf"});
}

// A write that fails halfway (a file-size limit the child inherits: EFBIG once the output
// passes 1 MiB; this works as root, where a read-only folder would not stop the write) and an
// interruption halfway both leave nothing behind.
TEST(QuantizeCli, NoPartialOutputAfterAFailedWriteOrCtrlC)
{
    SKIP_WITHOUT_W256();
    TempDir dir;
    const auto out = (dir.path() / "out.gguf").string();
    {
        struct rlimit old{};
        ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
        const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = 1 << 20;
        ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
        const auto r = run_cli({"quantize", f32_source().string(), out, "--type", "q8_0", "-q"});
        ::setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, old_handler);
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_THAT(r.err, HasSubstr("out.gguf"));
        EXPECT_EQ(lines(r.err), 1u) << r.err;
        expect_only(dir.path(), {});
    }
    const auto r = run_cli_signalled({"quantize", f32_source().string(), out, "--type", "q4_k_m", "-t", "1"}, SIGINT,
                                     [](const ProcessResult& so_far) { return so_far.err.find("tensor 3/48") != std::string::npos; });
    EXPECT_EQ(r.killed_by, 0) << "the signal killed the process instead of stopping it";
    if (r.exit_code == 0)
        GTEST_SKIP() << "the quantisation finished before the signal arrived; nothing to check";
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_THAT(r.err, HasSubstr("interrupted; nothing written"));
    expect_only(dir.path(), {});
}

// A Hugging Face folder (GPT-2, no tokenizer files) becomes a GGUF that `run` loads with no
// folder beside it and that continues the reference prompt with the folder's greedy ids.
TEST(QuantizeCli, HfFolderBecomesAGgufThatRunsOnItsOwn)
{
    const auto src = shared_models() / "gpt2-tiny-random-f32";
    if (!fs::exists(src / "reference.json"))
        GTEST_SKIP() << src << " is absent";
    TempDir dir;
    const auto out = dir.path() / "gpt2-q8_0.gguf";
    const auto q = run_cli({"quantize", src.string(), out.string(), "--type", "q8_0", "--json"});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    EXPECT_EQ(json::parse(q.out).at("tensors").size(), 28u) << "GPT-2's 2 layers: no output.weight (tied)";
    expect_only(dir.path(), {"gpt2-q8_0.gguf"});
    const auto ref = read_json(src / "reference.json");
    const auto prompt = ref.at("prompt_ids").get<std::vector<int>>();
    const auto want = greedy_ids(src, prompt), got = greedy_ids(out, prompt);
    // Q8_0 may flip this random model's near ties (margins down to 0.004): the first steps,
    // whose margins are wide, must agree.
    EXPECT_GE(common_prefix(got, want), 2u);
}

// Broken folders fail with one line naming the file and the problem, and leave nothing.
TEST(QuantizeCli, BadHfFoldersFailWithOneLineAndWriteNothing)
{
    const auto src = shared_models() / "gpt2-tiny-random-f32";
    if (!fs::exists(src / "reference.json"))
        GTEST_SKIP() << src << " is absent";
    TempDir dir;
    const auto make = [&](const std::string& name) {
        fs::create_directories(dir.path() / name);
        return dir.path() / name;
    };
    const auto no_config = make("no-config");
    fs::copy_file(src / "model.safetensors", no_config / "model.safetensors");
    const auto f64 = make("f64");
    fs::copy_file(src / "config.json", f64 / "config.json");
    {
        const std::vector<std::uint8_t> zeros(512 * 64 * 8);
        const auto bytes = SafetensorsBuilder().tensor("wte.weight", "F64", {512, 64}, zeros).build();
        std::ofstream(f64 / "model.safetensors", std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    const auto truncated = make("truncated");
    fs::copy_file(src / "config.json", truncated / "config.json");
    fs::copy_file(src / "model.safetensors", truncated / "model.safetensors");
    fs::resize_file(truncated / "model.safetensors", fs::file_size(src / "model.safetensors") / 2);
    const std::pair<fs::path, std::string> cases[] = {
        {no_config, "no-config/config.json: missing (no such file)"},
        {f64, "f64/model.safetensors: unsupported dtype F64 in tensor wte.weight"},
        {truncated, "truncated/model.safetensors: truncated: tensor"},
    };
    for (const auto& [folder, says] : cases) {
        const auto out = folder.parent_path() / (folder.filename().string() + ".gguf");
        const auto r = run_cli({"quantize", folder.string(), out.string(), "--type", "q8_0"});
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_THAT(r.err, HasSubstr(says));
        EXPECT_EQ(lines(r.err), 1u) << r.err;
    }
    expect_only(dir.path(), {"no-config", "f64", "truncated"});
    expect_only(no_config, {"model.safetensors"});
}
