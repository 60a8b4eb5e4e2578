#include "vocab_vectors.hpp"

#include "env.hpp"
#include "tokenizer_test_support.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace edge_rt::test {
namespace {

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> split(const std::string& text, const std::string& separator)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t at; (at = text.find(separator, start)) != std::string::npos; start = at + separator.size())
        parts.push_back(text.substr(start, at - start));
    parts.push_back(text.substr(start));
    return parts;
}

} // namespace

std::filesystem::path shared_tokenizers() { return shared_models().parent_path() / "tokenizers"; }

std::vector<VocabVector> read_vocab_vectors(std::string_view vocab)
{
    const auto dir = shared_tokenizers() / "llama.cpp-vocab-tests";
    const std::string base = "ggml-vocab-" + std::string(vocab) + ".gguf";
    // Both files end with their separator, so the last part of each is empty.
    auto texts = split(read_file(dir / (base + ".inp")), "\n__ggml_vocab_test__\n");
    auto lines = split(read_file(dir / (base + ".out")), "\n");
    if (texts.size() != lines.size() || texts.back() != "" || lines.back() != "")
        throw std::runtime_error(base + ": .inp and .out hold different numbers of cases");
    std::vector<VocabVector> out;
    for (std::size_t i = 0; i + 1 < texts.size(); ++i) {
        VocabVector v{texts[i], {}};
        std::istringstream ids(lines[i]);
        for (std::int32_t id; ids >> id;)
            v.ids.push_back(id);
        out.push_back(std::move(v));
    }
    return out;
}

std::size_t expect_vocab_vectors(const model::Tokenizer& tokenizer, std::string_view vocab, bool round_trip)
{
    const auto vectors = read_vocab_vectors(vocab);
    std::size_t matched = 0;
    for (std::size_t i = 0; i < vectors.size(); ++i) {
        const auto& v = vectors[i];
        const auto ids = tokenizer.encode(v.text, false);
        EXPECT_EQ(ids, v.ids) << vocab << " case " << i << " '" << v.text << "': got " << show(ids) << " want "
                              << show(v.ids);
        if (round_trip) {
            EXPECT_EQ(model::decode(tokenizer, v.ids), v.text) << vocab << " case " << i;
        }
        matched += ids == v.ids ? 1 : 0;
    }
    std::cout << vocab << ": matched " << matched << " / " << vectors.size() << '\n';
    EXPECT_GT(vectors.size(), 30u) << vocab; // the files hold ~46 cases each
    return matched;
}

} // namespace edge_rt::test
