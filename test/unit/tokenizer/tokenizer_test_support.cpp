#include "tokenizer_test_support.hpp"

#include "env.hpp"
#include "gguf_builder.hpp"

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace edge_rt::test {

std::filesystem::path tokenizer_data(std::string_view folder, std::string_view file)
{
    auto path = std::filesystem::path(required_env("EDGE_RT_TEST_DATA")) / folder;
    return file.empty() ? path : path / file;
}

std::vector<ReferenceCase> read_reference(const std::filesystem::path& path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open " + path.string());
    const auto doc = nlohmann::json::parse(in);
    std::vector<ReferenceCase> cases;
    for (const auto& c : doc)
        cases.push_back({c.at("text").get<std::string>(), c.at("ids").get<std::vector<std::int32_t>>()});
    return cases;
}

bool is_valid_utf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (b < 0x80) {
            ++i;
            continue;
        }
        if ((b & 0xE0) == 0xC0) {
            n = 1;
            cp = b & 0x1Fu;
        } else if ((b & 0xF0) == 0xE0) {
            n = 2;
            cp = b & 0x0Fu;
        } else if ((b & 0xF8) == 0xF0) {
            n = 3;
            cp = b & 0x07u;
        } else {
            return false;
        }
        if (i + n >= s.size())
            return false; // ends inside the character
        for (std::size_t k = 1; k <= n; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        const std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

const model::Tokenizer& llama_spm()
{
    static const auto tokenizer =
        model::load_tokenizer(tokenizer_data("llama-spm-vocab", "ggml-vocab-llama-spm.gguf"));
    return *tokenizer;
}

const model::Tokenizer& gpt2()
{
    static const auto tokenizer = model::load_tokenizer(tokenizer_data("gpt2-tokenizer"));
    return *tokenizer;
}

std::string show(const std::vector<std::int32_t>& ids)
{
    std::ostringstream out;
    out << '[';
    for (std::size_t i = 0; i < ids.size(); ++i)
        out << (i ? ", " : "") << ids[i];
    out << ']';
    return out.str();
}

std::vector<std::uint8_t> f32_array_payload(const std::vector<float>& values)
{
    std::vector<std::uint8_t> out;
    put_u32(out, 6); // element type f32
    put_u64(out, values.size());
    for (const float v : values) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &v, 4);
        put_u32(out, bits);
    }
    return out;
}

} // namespace edge_rt::test
