#include "api/chat_source.hpp"

#include "tokenizer/hf_tokenizer_config.hpp"

namespace fs = std::filesystem;

namespace edge_rt::api {

std::optional<TemplateText> model_template_text(const std::optional<model::GgufFile>& gguf,
                                                const fs::path& model_path)
{
    if (gguf) {
        if (auto text = gguf->get_string("tokenizer.chat_template"))
            return TemplateText{std::move(*text), "tokenizer.chat_template"};
        return std::nullopt;
    }
    const fs::path dir = fs::is_directory(model_path) ? model_path : model_path.parent_path();
    if (auto text = model::folder_chat_template(dir))
        return TemplateText{std::move(*text), (dir / "tokenizer_config.json").string()};
    return std::nullopt;
}

} // namespace edge_rt::api
