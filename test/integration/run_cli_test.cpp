// `edge-rt-async run` end to end: the --json report, --logits-out, errors, seeds, stops.
#include "env.hpp"
#include "model_data.hpp"
#include "process.hpp"
#include "runtime/conversation.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <regex>
#include <sched.h>
#include <sstream>

using namespace edge_rt;
using namespace edge_rt::test;
using ::testing::HasSubstr;
using nlohmann::json;

namespace {

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

json run_json(std::vector<std::string> args)
{
    args.insert(args.begin(), "run");
    args.push_back("--json");
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
}

std::vector<std::int32_t> ids_of(const json& j) { return j.at("generated_ids").get<std::vector<std::int32_t>>(); }

// No file whose name starts with `stem` exists in `dir` (neither the file nor its temporary).
bool nothing_named_like(const std::filesystem::path& dir, const std::string& stem)
{
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().rfind(stem, 0) == 0)
            return false;
    return true;
}

} // namespace

// The CPUs this process may run on, counted here with the kernel's own call.
int affinity_cpus()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : -1;
}

TEST(RunCli, GreedyFromBosMatchesTheReferenceAndReportsMetrics)
{
    const auto want = read_ids(test_data("stories260K/reference/greedy_bos_200steps.ids"));
    const auto j = run_json({"--prompt-ids", "1", "--temp", "0", "-n", "200"});
    EXPECT_EQ(j.at("prompt_ids"), json::array({1}));
    EXPECT_EQ(ids_of(j), want);
    EXPECT_EQ(j.at("model").get<std::string>(), bundled_model().string());
    EXPECT_TRUE(j.at("text").is_string());
    const auto& m = j.at("metrics");
    for (const char* key : {"load_ms", "prefill_ms", "prefill_tokens_per_s", "decode_ms", "decode_tokens_per_s",
                            "read_gb_s", "io_ms", "compute_ms", "stall_ms", "overlap"})
        EXPECT_TRUE(m.at(key).is_number() && m.at(key).get<double>() >= 0.0) << key;
    EXPECT_EQ(m.at("prefill_tokens"), 1);
    EXPECT_EQ(m.at("decode_tokens"), 199); // the 200th token is sampled, never run
    // Without -b the budget holds the whole model: every weight byte of the file (see
    // `inspect`) is read once at load (the tied token_embd a second time for the output group,
    // plus 4096-byte alignment), and no forward pass reads anything.
    EXPECT_EQ(m.at("fully_resident"), true);
    EXPECT_EQ(m.at("bytes_read"), 0);
    EXPECT_GE(m.at("load_bytes_read").get<std::uint64_t>(), 1171200u + 512u * 64u * 4u);
    EXPECT_LE(m.at("load_bytes_read").get<std::uint64_t>(), 1171200u + 512u * 64u * 4u + 2u * 4096u * 50u);
    EXPECT_EQ(m.at("passes"), 200);
    EXPECT_GT(m.at("decode_tokens_per_s").get<double>(), 0.0);
    EXPECT_LE(m.at("compute_ms").get<double>(), m.at("prefill_ms").get<double>() + m.at("decode_ms").get<double>());
    EXPECT_GT(m.at("compute_ms").get<double>(), 0.0);
    EXPECT_EQ(m.at("stall_ms"), 0.0);
    EXPECT_GE(m.at("peak_pool_bytes").get<std::uint64_t>(), 1171200u);
    EXPECT_GT(m.at("peak_rss_bytes").get<std::uint64_t>(), m.at("peak_pool_bytes").get<std::uint64_t>());
    // The default budget is the plan's peak, and the pool reaches exactly what was predicted.
    EXPECT_EQ(m.at("budget_bytes"), m.at("peak_pool_bytes"));
    EXPECT_EQ(m.at("strategy"), "speculative-prefetch");
    EXPECT_TRUE(m.at("io_backend") == "uring" || m.at("io_backend") == "pread") << m.at("io_backend");
    EXPECT_TRUE(m.at("direct_io").is_boolean());
    EXPECT_EQ(m.at("threads"), affinity_cpus()); // -t defaults to the CPUs this process may use
    EXPECT_EQ(m.at("token_ms").size(), 200u);
}

TEST(RunCli, SpecialParsesSpecialTokensWrittenInThePrompt)
{
    // stories260K's GGUF: BOS 1, EOS 2 ("</s>").
    auto j = run_json({"-p", "</s>", "--special", "-n", "1", "--temp", "0"});
    EXPECT_EQ(j.at("prompt_ids"), json::array({1, 2}));
    j = run_json({"-p", "</s>", "-n", "1", "--temp", "0"}); // off by default: plain text
    const auto ids = j.at("prompt_ids").get<std::vector<int>>();
    EXPECT_GT(ids.size(), 2u);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), 2), 0);
}

TEST(RunCli, ThreadsDefaultToTheAffinityMaskAndSayItInHelp)
{
    // taskset narrows the mask: the default follows it.
    // (Not under a cross build's emulator, which runs the CLI through a wrapper.)
    const bool native = std::getenv("MESON_EXE_WRAPPER") == nullptr;
    if (native && std::system("command -v taskset >/dev/null 2>&1") == 0 && affinity_cpus() > 1) {
        const auto r = run_process({"taskset", "-c", "0", required_env("EDGE_RT_CLI"), "run", "--prompt-ids", "1", "-n", "1", "--json",
                                    "--no-monitor"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(json::parse(r.out).at("metrics").at("threads"), 1);
    }
    EXPECT_THAT(run_cli({"run", "--help"}).out,
                HasSubstr(fmt::format("(default {}: the CPUs", affinity_cpus()))); // help wraps after this
}

TEST(RunCli, StreamsTheReferenceTextFromBosAndTimingToStderr)
{
    const auto want = read_file(test_data("stories260K/reference/greedy_bos_200steps.txt"));
    const auto r = run_cli({"run", "--prompt-ids", "1", "--temp", "0", "-n", "200"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, std::string(want.begin(), want.end()) + "\n");
    EXPECT_THAT(r.err, HasSubstr("prefill 1 tokens"));
    EXPECT_THAT(r.err, HasSubstr("decode 199 tokens"));
}

TEST(RunCli, TextPromptFromArgumentFileAndStdin)
{
    // "Once upon a time" is [1, 403, 407, 261, 378] with BOS; the model continues the
    // reference story, so prompt + generated text is the reference text's start.
    const auto ref = read_file(test_data("stories260K/reference/greedy_bos_200steps.txt"));
    const std::string story(ref.begin(), ref.end());
    const std::vector<std::string> common{"--temp", "0", "-n", "60"};
    auto args = std::vector<std::string>{"-p", "Once upon a time"};
    args.insert(args.end(), common.begin(), common.end());
    const auto j = run_json(args);
    EXPECT_EQ(j.at("prompt_ids"), json::array({1, 403, 407, 261, 378}));
    const auto text = j.at("text").get<std::string>();
    EXPECT_EQ("Once upon a time" + text, story.substr(0, 16 + text.size()));
    const auto ref_ids = read_ids(test_data("stories260K/reference/greedy_bos_200steps.ids"));
    EXPECT_EQ(ids_of(j), std::vector<std::int32_t>(ref_ids.begin() + 4, ref_ids.begin() + 64));
    EXPECT_THAT(text, HasSubstr("Lily")); // not empty: the continuation names the story's girl

    TempDir dir;
    const std::vector<std::uint8_t> prompt{'O', 'n', 'c', 'e', ' ', 'u', 'p', 'o', 'n', ' ', 'a', ' ', 't', 'i', 'm', 'e'};
    const auto file = dir.write("prompt.txt", prompt);
    args = {"-f", file.string()};
    args.insert(args.end(), common.begin(), common.end());
    EXPECT_EQ(run_json(args).at("generated_ids"), j.at("generated_ids"));
    auto stdin_args = std::vector<std::string>{"run", "--json", "-f", "-"};
    stdin_args.insert(stdin_args.end(), common.begin(), common.end());
    const auto r = run_cli(stdin_args, "Once upon a time");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out).at("generated_ids"), j.at("generated_ids"));

    EXPECT_EQ(run_json({"-p", "Once upon a time", "--no-bos", "-n", "1"}).at("prompt_ids"),
              json::array({403, 407, 261, 378}));
}

TEST(RunCli, LogitsOutHoldsOneRowPerStepAndTheFirstIsThePromptsLogits)
{
    TempDir dir;
    const auto path = dir.path() / "logits.f32";
    const auto j = run_json({"--prompt-ids", "1,403,407", "--temp", "0", "-n", "6", "--logits-out", path.string()});
    ASSERT_EQ(ids_of(j).size(), 6u);
    const auto rows = read_f32(path);
    ASSERT_EQ(rows.size(), 6u * 512u);
    runtime::Engine engine(bundled_model());
    runtime::Conversation session(engine);
    const std::vector<std::int32_t> prompt{1, 403, 407};
    const auto first = session.forward(prompt);
    for (std::size_t v = 0; v < 512; ++v)
        ASSERT_EQ(rows[v], first[v]) << v;
    // Each row is the distribution its token was chosen from: greedy picks its argmax.
    for (std::size_t s = 0; s < 6; ++s) {
        const auto row = rows.begin() + static_cast<std::ptrdiff_t>(s * 512);
        EXPECT_EQ(std::max_element(row, row + 512) - row, ids_of(j)[s]) << s;
    }
    EXPECT_TRUE(nothing_named_like(dir.path(), "logits.f32.partial"));
}

TEST(RunCli, BadPromptIdsFailWithOneLineAndNoLogitsFile)
{
    TempDir dir;
    const auto path = dir.path() / "out.f32";
    for (const std::string ids : {"1,abc", "", "1,,2", "-3", "1,512", "99999999999"}) {
        const auto r = run_cli({"run", "--prompt-ids", ids, "--logits-out", path.string()});
        EXPECT_NE(r.exit_code, 0) << ids;
        EXPECT_TRUE(r.out.empty()) << ids << ": " << r.out;
        EXPECT_EQ(count_lines(r.err), 1u) << ids << ": " << r.err;
        EXPECT_THAT(r.err, HasSubstr("--prompt-ids")) << ids;
        EXPECT_TRUE(nothing_named_like(dir.path(), "out.f32")) << ids;
    }
    const auto r = run_cli({"run", "--prompt-ids", "1,512"});
    EXPECT_THAT(r.err, HasSubstr("token id 512 is outside the vocabulary of 512 tokens"));
}

TEST(RunCli, MissingModelIsOneLineError)
{
    TempDir dir;
    const auto model = (dir.path() / "absent.gguf").string();
    const auto r = run_cli({"run", "-m", model, "--prompt-ids", "1", "--logits-out", (dir.path() / "l.f32").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr(model));
    EXPECT_TRUE(nothing_named_like(dir.path(), "l.f32"));
}

TEST(RunCli, PromptLongerThanTheContextIsAnError)
{
    const auto r = run_cli({"run", "--ctx-size", "4", "--prompt-ids", "1,403,407,261,378"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr("more than the context of 4"));
}

TEST(RunCli, SameSeedSameTokensDifferentSeedsDiffer)
{
    const std::vector<std::string> base{"--prompt-ids", "1", "--temp", "1", "--top-k", "0", "--top-p", "1", "-n", "40"};
    auto with_seed = [&](const char* seed) {
        auto args = base;
        args.insert(args.end(), {"--seed", seed});
        return ids_of(run_json(args));
    };
    const auto a = with_seed("42");
    EXPECT_EQ(a, with_seed("42"));
    EXPECT_NE(a, with_seed("43"));
    EXPECT_EQ(a.size(), 40u);
}

TEST(RunCli, StopsAtMaxTokens)
{
    const auto j = run_json({"--prompt-ids", "1", "--temp", "0", "-n", "5"});
    EXPECT_EQ(ids_of(j), (std::vector<std::int32_t>{403, 407, 261, 378, 432}));
    EXPECT_EQ(j.at("metrics").at("stop_reason"), "max_tokens");
    EXPECT_TRUE(ids_of(run_json({"--prompt-ids", "1", "-n", "0"})).empty());
}

TEST(RunCli, StopsWhenTheContextIsFullAndSaysSo)
{
    // Context 8, prompt 1: tokens are run at positions 1..7, and the one sampled from position
    // 7's logits is the 8th and last.
    const auto r = run_cli({"run", "--ctx-size", "8", "--prompt-ids", "1", "--temp", "0", "-n", "100", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = json::parse(r.out);
    EXPECT_EQ(ids_of(j).size(), 8u);
    EXPECT_EQ(j.at("metrics").at("stop_reason"), "context_full");
    EXPECT_THAT(r.err, HasSubstr("the context of 8 tokens is full"));
}

TEST(RunCli, HelpListsTheOptions)
{
    const auto r = run_cli({"run", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* opt : {"--model", "--prompt", "--file", "--prompt-ids", "--max-tokens", "--ctx-size", "--temp",
                            "--top-k", "--top-p", "--repeat-penalty", "--repeat-last-n", "--seed", "--threads",
                            "--json", "--logits-out", "--no-bos", "--special", "--memory-budget", "--strategy",
                            "--io-backend", "--prefetch-depth", "--no-direct-io", "--verbose", "whole model"})
        EXPECT_THAT(r.out, HasSubstr(opt));
    EXPECT_THAT(run_cli({"--help"}).out, HasSubstr("run"));
}

TEST(RunCli, RunsAGpt2SafeTensorsFolder)
{
    const auto dir = test_data("gpt2-tiny-random-f16");
    const auto ref = read_json(dir / "reference.json");
    std::ostringstream ids;
    for (const auto& id : ref.at("prompt_ids"))
        ids << id.get<int>() << ',';
    const std::string id_list = ids.str(); // a trailing comma would be an empty id: drop it
    const auto j =
        run_json({"-m", dir.string(), "--prompt-ids", id_list.substr(0, id_list.size() - 1), "--temp", "0", "-n", "24"});
    EXPECT_EQ(j.at("generated_ids"), ref.at("greedy_ids"));
    EXPECT_EQ(j.at("metrics").at("n_ctx"), 128); // min(n_positions 128, 2048)
    EXPECT_EQ(j.at("text"), ""); // the folder has no tokenizer files: ids only
    // Without a tokenizer, ids stream to stdout and text prompts are refused clearly.
    const auto streamed = run_cli({"run", "-m", dir.string(), "--prompt-ids", "1,2", "--temp", "0", "-n", "3"});
    EXPECT_TRUE(std::regex_match(streamed.out, std::regex("([0-9]+ ){3}\n"))) << streamed.out;
    const auto text = run_cli({"run", "-m", dir.string(), "-p", "hello"});
    EXPECT_NE(text.exit_code, 0);
    EXPECT_EQ(count_lines(text.err), 1u) << text.err;
    EXPECT_THAT(text.err, HasSubstr("--prompt-ids"));
    const auto r = run_cli({"run", "-m", dir.string(), "--prompt-ids", "1", "--ctx-size", "129"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr("learned positions for 128"));
}

// Plain output reads as one text: the prompt is echoed, then the continuation follows. From
// "Once upon a time" the greedy stream is the one from BOS (stories260K/SOURCE.md), so the
// whole output is a prefix of the reference text.
TEST(RunCli, EchoesThePromptThenTheStory)
{
    const auto r = run_cli({"run", "-p", "Once upon a time", "-n", "64", "--temp", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto bytes = read_file(test_data("stories260K/reference/greedy_bos_200steps.txt"));
    const std::string reference(bytes.begin(), bytes.end());
    ASSERT_FALSE(r.out.empty());
    ASSERT_EQ(r.out.back(), '\n');
    const std::string text = r.out.substr(0, r.out.size() - 1);
    EXPECT_GT(text.size(), 150u); // 4 prompt tokens and 64 generated ones are ~190 characters
    EXPECT_EQ(reference.substr(0, text.size()), text);
    EXPECT_THAT(r.err, HasSubstr("decode 63 tokens"));
}

TEST(RunCli, StreamsUnderABudgetWithTheReferenceIds)
{
    const auto want = read_ids(test_data("stories260K/reference/greedy_bos_200steps.ids"));
    for (const char* strategy : {"speculative-prefetch", "sequential"}) {
        SCOPED_TRACE(strategy);
        // 900 KiB: well under the 1.2 MiB of weights (plus KV cache etc.), above the minimum.
        const auto j = run_json({"--prompt-ids", "1", "--temp", "0", "-n", "40", "--ctx-size", "64", "-b", "900K",
                                 "-s", strategy, "--io-backend", "pread"});
        EXPECT_EQ(ids_of(j), std::vector<std::int32_t>(want.begin(), want.begin() + 40));
        const auto& m = j.at("metrics");
        EXPECT_EQ(m.at("fully_resident"), false);
        EXPECT_EQ(m.at("strategy"), strategy);
        EXPECT_EQ(m.at("io_backend"), "pread");
        EXPECT_EQ(m.at("budget_bytes"), 900 * 1024);
        EXPECT_LE(m.at("peak_pool_bytes").get<std::uint64_t>(), 900u * 1024u);
        EXPECT_EQ(m.at("passes"), 40);
        // Each pass streams the layer and output weights that do not fit: 1.04 MB of the 1.17 MB
        // lie outside the embedding table (read a row at a time). O_DIRECT adds alignment slack
        // (1.23 MB per pass here); buffered reads (qemu has no O_DIRECT) read 1.03-1.06 MB.
        EXPECT_GT(m.at("bytes_read").get<std::uint64_t>(), 40u * 1000u * 1000u);
        EXPECT_EQ(m.at("bytes_read").get<std::uint64_t>() / 40, m.at("bytes_read_per_pass").get<std::uint64_t>());
        EXPECT_GT(m.at("io_ms").get<double>(), 0.0);
        if (std::string(strategy) == "sequential")
            EXPECT_EQ(m.at("prefetch_slots"), 1);
        else
            EXPECT_EQ(m.at("prefetch_slots"), 2);
    }
}

// --parallel N: N sessions generate together, sharing every pass, each the reference ids, with
// one read of the streamed weights per pass for all of them.
TEST(RunCli, ParallelSessionsShareEveryPassAndEachGeneratesTheReference)
{
    const auto want = read_ids(test_data("stories260K/reference/greedy_bos_200steps.ids"));
    const auto j = run_json({"--prompt-ids", "1", "--temp", "0", "-n", "30", "--ctx-size", "64", "-b", "1400K",
                             "--io-backend", "pread", "--parallel", "3"});
    const auto& m = j.at("metrics");
    EXPECT_EQ(m.at("parallel"), 3);
    EXPECT_EQ(m.at("fully_resident"), false);
    ASSERT_EQ(m.at("sessions").size(), 3u);
    for (const auto& s : m.at("sessions"))
        EXPECT_EQ(s.at("generated_ids").get<std::vector<std::int32_t>>(),
                  std::vector<std::int32_t>(want.begin(), want.begin() + 30));
    EXPECT_EQ(m.at("passes"), 30) << "the three sessions' steps shared each pass";
    EXPECT_EQ(m.at("steps"), 90);
    EXPECT_EQ(m.at("generated_tokens"), 90);
    EXPECT_LE(m.at("peak_pool_bytes").get<std::uint64_t>(), 1400u * 1024u);
    // A budget planned for three sessions that cannot hold them is refused before any read.
    const auto r = run_cli({"run", "--prompt-ids", "1", "-n", "5", "-b", "900K", "--parallel", "8"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_THAT(r.err, HasSubstr("is below this model's minimum"));
    EXPECT_THAT(run_cli({"run", "--parallel", "0"}).err, HasSubstr("--parallel: 0 is not between 1 and 1024"));
}

TEST(RunCli, ABudgetBelowTheMinimumIsOneLineNamingIt)
{
    const auto r = run_cli({"run", "-b", "1K", "--prompt-ids", "1", "-n", "5"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, HasSubstr("memory budget of 1024 bytes is below this model's minimum of "));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(RunCli, MemoryBudgetSizesAreChecked)
{
    const auto r = run_cli({"run", "-b", "12X", "--prompt-ids", "1", "-n", "1"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_THAT(r.err, HasSubstr("--memory-budget: '12X' is not a size"));
    // 1.5G parses (and holds the whole model).
    const auto j = run_json({"--prompt-ids", "1", "-n", "1", "-b", "1.5G"});
    EXPECT_EQ(j.at("metrics").at("budget_bytes"), std::uint64_t{3} << 29);
    EXPECT_EQ(j.at("metrics").at("fully_resident"), true);
}

// `run MODEL` and `inspect MODEL` mean -m MODEL (a model given that way was once ignored in
// favour of the bundled one); a stray word elsewhere is an error, not silently dropped.
TEST(RunCli, APositionalModelIsTheModelAndAStrayWordIsAnError)
{
    const auto model = shared_models() / "arch" / "qwen2-w256.gguf";
    if (!std::filesystem::exists(model))
        GTEST_SKIP() << model << " is missing";
    const auto positional = run_cli({"run", model.string(), "--prompt-ids", "1", "--temp", "0", "-n", "8", "--json"});
    const auto flagged = run_cli({"run", "-m", model.string(), "--prompt-ids", "1", "--temp", "0", "-n", "8", "--json"});
    ASSERT_EQ(positional.exit_code, 0) << positional.err;
    ASSERT_EQ(flagged.exit_code, 0) << flagged.err;
    const auto j = nlohmann::json::parse(positional.out);
    EXPECT_EQ(j.at("model").get<std::string>(), model.string());
    EXPECT_EQ(j.at("generated_ids"), nlohmann::json::parse(flagged.out).at("generated_ids"));
    EXPECT_THAT(run_cli({"inspect", model.string()}).out, HasSubstr("architecture qwen2"));
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"run", model.string(), "stray"}, {"bench", "stray"}, {"gen-model", "stray"}, {"status", "stray"}}) {
        const auto r = run_cli(args);
        EXPECT_NE(r.exit_code, 0) << args[0];
        EXPECT_THAT(r.err, HasSubstr("positional")) << args[0];
    }
}
