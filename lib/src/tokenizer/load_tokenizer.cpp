// load_tokenizer(): which format a path holds, decided by GGUF magic, file names and folders.
#include "tokenizer/loaders.hpp"

#include "edge_rt/error.hpp"
#include "io/file.hpp"

#include <fmt/format.h>
#include <limits>
#include <span>

namespace fs = std::filesystem;

namespace edge_rt::model {
namespace {

// vocab.json + merges.txt or encoder.json + vocab.bpe: one of the pair names the other.
std::unique_ptr<Tokenizer> load_pair(const fs::path& given, const fs::path& vocab, const fs::path& merges)
{
    const fs::path& missing = fs::exists(vocab) ? merges : vocab;
    if (!fs::exists(missing))
        throw FormatError(fmt::format("{}: {} is missing beside it (the vocabulary and merges come in pairs)",
                                      given.string(), missing.filename().string()));
    return load_vocab_and_merges(vocab, merges);
}

std::unique_ptr<Tokenizer> load_from_folder(const fs::path& dir)
{
    if (fs::exists(dir / "tokenizer.json"))
        return load_tokenizer_json(dir / "tokenizer.json");
    for (const auto& [vocab, merges] : {std::pair{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}})
        if (fs::exists(dir / vocab) || fs::exists(dir / merges))
            return load_pair(dir, dir / vocab, dir / merges);
    if (fs::exists(dir / "tokenizer.model"))
        return load_tiktoken(dir / "tokenizer.model");
    if (fs::exists(dir / "tokenizer.bin"))
        return load_llama2c_tokenizer(dir / "tokenizer.bin");
    throw FormatError(fmt::format("{}: no tokenizer in this folder (looked for tokenizer.json, vocab.json + "
                                  "merges.txt, encoder.json + vocab.bpe, tokenizer.model, tokenizer.bin)",
                                  dir.string()));
}

} // namespace

std::string read_whole_file(const fs::path& path)
{
    // The largest real tokenizer files are ~35 MB (Gemma 3's tokenizer.json); the cap bounds
    // what a hostile file can make the loaders allocate (docs/robustness.md).
    constexpr std::uint64_t kMaxBytes = 64u << 20;
    const io::File file(path);
    if (file.size() > kMaxBytes)
        throw FormatError(fmt::format("{}: {} bytes is more than the {}-byte limit for a tokenizer file",
                                      file.path(), file.size(), kMaxBytes));
    std::string bytes(static_cast<std::size_t>(file.size()), '\0');
    file.read_exact(0, std::as_writable_bytes(std::span(bytes)));
    return bytes;
}

std::unique_ptr<Tokenizer> load_tokenizer(const fs::path& path)
{
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status))
        throw IoError(fmt::format("{}: no such file or directory", path.string()));
    if (fs::is_directory(status))
        return load_from_folder(path);
    if (looks_like_gguf(path))
        return tokenizer_from_gguf(read_gguf(path));
    const auto name = path.filename().string();
    const auto dir = path.parent_path();
    if (name == "vocab.json" || name == "merges.txt")
        return load_pair(path, dir / "vocab.json", dir / "merges.txt");
    if (name == "encoder.json" || name == "vocab.bpe")
        return load_pair(path, dir / "encoder.json", dir / "vocab.bpe");
    if (path.extension() == ".json")
        return load_tokenizer_json(path);
    if (path.extension() == ".model" || path.extension() == ".tiktoken")
        return load_tiktoken(path);
    if (path.extension() == ".bin")
        return load_llama2c_tokenizer(path);
    throw FormatError(fmt::format("{}: not a tokenizer file (expected GGUF, tokenizer.json, vocab.json, "
                                  "merges.txt, encoder.json, vocab.bpe, a tiktoken tokenizer.model or a llama2.c .bin)",
                                  path.string()));
}

std::unique_ptr<Tokenizer> model_tokenizer(const std::optional<GgufFile>& gguf, const fs::path& model_path)
{
    if (gguf)
        return tokenizer_from_gguf(*gguf);
    return load_tokenizer(fs::is_directory(model_path) ? model_path : model_path.parent_path());
}

std::optional<std::int32_t> special_token_id(const std::optional<GgufFile>& gguf, const char* key)
{
    if (!gguf)
        return std::nullopt;
    const auto v = gguf->get_uint(key);
    if (!v || *v > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
        return std::nullopt;
    return static_cast<std::int32_t>(*v);
}

} // namespace edge_rt::model
