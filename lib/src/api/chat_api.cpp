// edge_rt::ChatTemplate: the model's chat template (api/chat_source) recognised as one of
// the built-in renderers (chat/chat_template), with the model's special token texts and ids.
#include "edge_rt/chat.hpp"

#include "api/state.hpp"
#include "chat/chat_template.hpp"
#include "api/chat_source.hpp"

#include <fmt/format.h>
#include <stdexcept>

namespace edge_rt {

struct ChatTemplate::Impl {
    chat::Template tmpl;
    chat::SpecialTexts special;
    std::string source;
    std::vector<std::int32_t> end_ids;
    std::optional<std::int32_t> end_id; // end_of_turn()'s own token
};

namespace {

// The first line of a template, shortened: enough to recognise it in an error message.
std::string excerpt(std::string_view text)
{
    text = text.substr(0, text.find('\n'));
    return text.size() > 60 ? std::string(text.substr(0, 60)) + "…" : std::string(text);
}

chat::Template chosen(std::string_view name, const std::optional<api::TemplateText>& text)
{
    const auto kind = chat::template_from_name(name);
    if (!kind)
        throw ConfigError(fmt::format("chat template '{}' is unknown (known: {})", name, chat::template_names()));
    chat::Template t;
    t.kind = *kind;
    if (text) { // the model's own variations still apply when they belong to the chosen format
        if (auto detected = chat::detect_template(text->text); detected && detected->kind == *kind)
            t = *detected;
    }
    return t;
}

chat::Template detected(const Model& model, const std::optional<api::TemplateText>& text)
{
    if (!text)
        throw ConfigError(fmt::format("model {} has no chat template (tokenizer.chat_template or "
                                      "tokenizer_config.json); choose one by name: {}",
                                      model.info().name, chat::template_names()));
    auto t = chat::detect_template(text->text);
    if (!t)
        throw ConfigError(fmt::format("the chat template of model {} ({}, \"{}\") is none of the built-in "
                                      "formats; choose one by name: {}",
                                      model.info().name, text->source, excerpt(text->text), chat::template_names()));
    return *t;
}

std::optional<std::int32_t> end_id(const Model::State& m, const std::string& end_text)
{
    if (!m.tokenizer || end_text.empty())
        return std::nullopt;
    const auto ids = m.tokenizer->encode(end_text, false, true);
    return ids.size() == 1 ? std::optional(ids[0]) : std::nullopt;
}

std::vector<std::int32_t> end_ids(const Model::State& m, std::optional<std::int32_t> eot)
{
    std::vector<std::int32_t> ids;
    if (eot)
        ids.push_back(*eot);
    if (m.tokenizer && m.eos && (!eot || *eot != *m.eos))
        ids.push_back(*m.eos);
    return ids;
}

} // namespace

ChatTemplate ChatTemplate::for_model(const Model& model, std::string_view name)
{
    if (!model.valid())
        throw ConfigError("ChatTemplate: the model handle is empty");
    const auto& m = *model.state();
    const auto& src = m.engine->source();
    const auto text = api::model_template_text(src.gguf, src.path);
    auto impl = std::make_shared<Impl>();
    impl->tmpl = name.empty() ? detected(model, text) : chosen(name, text);
    impl->source = name.empty() ? text->source : "chosen by name";
    if (m.tokenizer) {
        if (m.bos)
            impl->special.bos = m.tokenizer->piece(*m.bos);
        if (m.eos)
            impl->special.eos = m.tokenizer->piece(*m.eos);
    }
    impl->end_id = end_id(m, chat::end_of_turn(impl->tmpl.kind, impl->special));
    impl->end_ids = end_ids(m, impl->end_id);
    return ChatTemplate(std::move(impl));
}

std::string ChatTemplate::names() { return chat::template_names(); }
std::string ChatTemplate::name() const { return std::string(chat::template_name(impl_->tmpl.kind)); }
std::string ChatTemplate::source() const { return impl_->source; }
std::optional<std::string> ChatTemplate::default_system() const { return impl_->tmpl.default_system; }
std::string ChatTemplate::end_of_turn() const { return chat::end_of_turn(impl_->tmpl.kind, impl_->special); }
std::vector<std::int32_t> ChatTemplate::end_of_turn_ids() const { return impl_->end_ids; }
std::optional<std::int32_t> ChatTemplate::end_of_turn_id() const { return impl_->end_id; }
std::string ChatTemplate::bos_text() const { return impl_->special.bos; }

std::string ChatTemplate::render(std::span<const ChatMessage> messages, bool add_generation_prompt) const
{
    std::vector<chat::Message> in;
    in.reserve(messages.size());
    for (const auto& m : messages)
        in.push_back({m.role, m.content});
    try {
        return chat::render(impl_->tmpl, in, add_generation_prompt, impl_->special);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(fmt::format("chat template {}: {}", name(), e.what()));
    }
}

} // namespace edge_rt
