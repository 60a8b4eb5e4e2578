// edge_rt::Tokenizer: the public face of model::Tokenizer (edge_rt/tokenizer.hpp).
#include "edge_rt/tokenizer.hpp"

#include "model/gguf.hpp"
#include "tokenizer/tokenizer.hpp"

namespace edge_rt {

struct Tokenizer::Impl {
    std::unique_ptr<model::Tokenizer> tokenizer;
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::for_model(const std::filesystem::path& model)
{
    // A .safetensors file is one shard of a folder that holds the tokenizer's files too.
    if (std::filesystem::is_regular_file(model) && !model::looks_like_gguf(model) &&
        model.extension() == ".safetensors")
        return load(model.parent_path());
    return load(model);
}

Tokenizer Tokenizer::load(const std::filesystem::path& path)
{
    return Tokenizer(std::make_unique<Impl>(Impl{model::load_tokenizer(path)}));
}

std::vector<std::int32_t> Tokenizer::encode(std::string_view text, bool add_bos) const
{
    return impl_->tokenizer->encode(text, add_bos);
}

std::string Tokenizer::piece(std::int32_t id) const
{
    return impl_->tokenizer->piece(id);
}

std::string Tokenizer::token_bytes(std::int32_t id) const
{
    return impl_->tokenizer->token_bytes(id);
}

std::size_t Tokenizer::vocab_size() const
{
    return impl_->tokenizer->vocab_size();
}

bool Tokenizer::add_bos_by_default() const
{
    return impl_->tokenizer->add_bos_by_default();
}

} // namespace edge_rt
