#include "chat/chat_template.hpp"

#include <array>
#include <initializer_list>
#include <utility>
#include <stdexcept>

namespace edge_rt::chat {
namespace {

struct NamedKind {
    std::string_view name;
    TemplateKind kind;
};

constexpr std::array<NamedKind, 7> kCanonical{{
    {"llama2", TemplateKind::Llama2},
    {"llama3", TemplateKind::Llama3},
    {"chatml", TemplateKind::ChatML},
    {"zephyr", TemplateKind::Zephyr},
    {"phi3", TemplateKind::Phi3},
    {"gemma", TemplateKind::Gemma},
    {"mistral", TemplateKind::Mistral},
}};

constexpr std::array<NamedKind, 4> kAliases{{
    {"llama-2", TemplateKind::Llama2},
    {"llama-3", TemplateKind::Llama3},
    {"phi-3", TemplateKind::Phi3},
    {"tinyllama", TemplateKind::Zephyr},
}};

bool contains(std::string_view text, std::string_view what) { return text.find(what) != std::string_view::npos; }

// Python's str.strip() / Jinja's trim: whitespace off both ends.
std::string_view strip(std::string_view s)
{
    constexpr std::string_view ws = " \t\n\r\f\v";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos)
        return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// out += a + b + …, without the temporaries (and GCC 12's false -Wrestrict on
// `"literal" + std::string&&`).
void cat(std::string& out, std::initializer_list<std::string_view> parts)
{
    for (auto p : parts)
        out.append(p);
}

enum class Role { System, User, Assistant };

Role role_of(const Message& m)
{
    if (m.role == "system")
        return Role::System;
    if (m.role == "user")
        return Role::User;
    if (m.role == "assistant")
        return Role::Assistant;
    throw std::invalid_argument("chat message role '" + m.role + "' is not one of system, user, assistant");
}

// The templates of llama2, mistral and gemma refuse anything but user/assistant/user/...
void require_alternation(TemplateKind kind, std::span<const Message> turns)
{
    for (std::size_t i = 0; i < turns.size(); ++i) {
        const Role want = i % 2 == 0 ? Role::User : Role::Assistant;
        if (role_of(turns[i]) != want)
            throw std::invalid_argument("chat template '" + std::string(template_name(kind)) +
                                        "': messages must alternate user/assistant after an optional system message");
    }
}

// Splits a leading system message off; it is empty when there is none.
std::pair<std::string, std::span<const Message>> split_system(std::span<const Message> messages)
{
    if (!messages.empty() && role_of(messages.front()) == Role::System)
        return {messages.front().content, messages.subspan(1)};
    return {{}, messages};
}

std::string render_llama2(std::span<const Message> messages, const SpecialTexts& sp)
{
    auto [system, turns] = split_system(messages);
    const bool has_system = !messages.empty() && role_of(messages.front()) == Role::System;
    require_alternation(TemplateKind::Llama2, turns);
    std::string out;
    for (std::size_t i = 0; i < turns.size(); ++i) {
        std::string content = turns[i].content;
        if (i == 0 && has_system) {
            std::string framed = "<<SYS>>\n";
            framed.append(system).append("\n<</SYS>>\n\n").append(content);
            content = std::move(framed);
        }
        if (i % 2 == 0)
            cat(out, {sp.bos, "[INST] ", strip(content), " [/INST]"});
        else
            cat(out, {" ", strip(content), " ", sp.eos});
    }
    return out;
}

// Mistral-7B-Instruct-v0.2's template (no system role: see render()'s comment).
std::string render_mistral(std::span<const Message> messages, const SpecialTexts& sp)
{
    auto [system, turns] = split_system(messages);
    require_alternation(TemplateKind::Mistral, turns);
    std::string out = sp.bos;
    for (std::size_t i = 0; i < turns.size(); ++i) {
        std::string content = turns[i].content;
        if (i == 0 && !system.empty())
            content = std::string(system).append("\n\n").append(content);
        if (i % 2 == 0)
            cat(out, {"[INST] ", content, " [/INST]"});
        else
            cat(out, {content, sp.eos});
    }
    return out;
}

std::string render_llama3(std::span<const Message> messages, bool gen, const SpecialTexts& sp)
{
    std::string out = sp.bos;
    for (const auto& m : messages) {
        role_of(m);
        cat(out, {"<|start_header_id|>", m.role, "<|end_header_id|>\n\n", strip(m.content), "<|eot_id|>"});
    }
    if (gen)
        out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
    return out;
}

std::string render_chatml(std::span<const Message> messages, bool gen)
{
    std::string out;
    for (const auto& m : messages) {
        role_of(m);
        cat(out, {"<|im_start|>", m.role, "\n", m.content, "<|im_end|>\n"});
    }
    if (gen)
        out += "<|im_start|>assistant\n";
    return out;
}

std::string render_zephyr(std::span<const Message> messages, bool gen, const SpecialTexts& sp)
{
    std::string out;
    for (const auto& m : messages) {
        role_of(m);
        cat(out, {"<|", m.role, "|>\n", m.content, sp.eos, "\n"});
    }
    if (gen)
        out += "<|assistant|>\n";
    return out;
}

// Phi-3-mini-4k-instruct's template; its first release began with BOS, the later one ends with
// EOS when there is no generation prompt.
std::string render_phi3(std::span<const Message> messages, bool gen, bool bos_prefix, const SpecialTexts& sp)
{
    std::string out = bos_prefix ? sp.bos : std::string();
    for (const auto& m : messages) {
        role_of(m);
        cat(out, {"<|", m.role, "|>\n", m.content, "<|end|>\n"});
    }
    if (gen)
        out += "<|assistant|>\n";
    else if (!bos_prefix)
        out += sp.eos;
    return out;
}

std::string render_gemma(std::span<const Message> messages, bool gen, const SpecialTexts& sp)
{
    auto [system, turns] = split_system(messages);
    require_alternation(TemplateKind::Gemma, turns);
    std::string out = sp.bos;
    for (std::size_t i = 0; i < turns.size(); ++i) {
        std::string content = turns[i].content;
        if (i == 0 && !system.empty())
            content = std::string(system).append("\n\n").append(content);
        const std::string_view role = i % 2 == 0 ? "user" : "model";
        cat(out, {"<start_of_turn>", role, "\n", strip(content), "<end_of_turn>\n"});
    }
    if (gen)
        out += "<start_of_turn>model\n";
    return out;
}

} // namespace

std::string_view template_name(TemplateKind kind)
{
    for (const auto& c : kCanonical)
        if (c.kind == kind)
            return c.name;
    return "?";
}

std::string template_names()
{
    std::string out;
    for (const auto& c : kCanonical)
        out += (out.empty() ? "" : ", ") + std::string(c.name);
    return out;
}

std::optional<TemplateKind> template_from_name(std::string_view name)
{
    for (const auto& c : kCanonical)
        if (c.name == name)
            return c.kind;
    for (const auto& a : kAliases)
        if (a.name == name)
            return a.kind;
    return std::nullopt;
}

namespace {
std::optional<TemplateKind> detect_kind(std::string_view jinja)
{
    // Most specific markers first: phi3 and zephyr share <|user|>, llama2 and mistral [INST].
    if (contains(jinja, "<|im_start|>"))
        return TemplateKind::ChatML;
    if (contains(jinja, "<|start_header_id|>"))
        return TemplateKind::Llama3;
    if (contains(jinja, "<start_of_turn>"))
        return TemplateKind::Gemma;
    if (contains(jinja, "<|user|>") && contains(jinja, "<|end|>"))
        return TemplateKind::Phi3;
    if (contains(jinja, "<|user|>"))
        return TemplateKind::Zephyr;
    if (contains(jinja, "[INST]") && contains(jinja, "<<SYS>>"))
        return TemplateKind::Llama2;
    if (contains(jinja, "[INST]"))
        return TemplateKind::Mistral;
    return std::nullopt;
}

// The text of a Jinja string literal starting at `begin` (after its quote), escapes decoded,
// up to `stop` (which must come before the closing quote) or nullopt.
std::optional<std::string> literal_until(std::string_view jinja, std::size_t begin, char quote, std::string_view stop)
{
    std::string text;
    for (std::size_t i = begin; i < jinja.size() && jinja[i] != quote; ++i) {
        if (!stop.empty() && jinja.substr(i).starts_with(stop))
            return text;
        if (jinja[i] == '\\' && i + 1 < jinja.size()) {
            const char e = jinja[++i];
            text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
            text += jinja[i];
        }
    }
    if (stop.empty() && begin <= jinja.size())
        return text;
    return std::nullopt;
}
} // namespace

std::optional<Template> detect_template(std::string_view jinja)
{
    const auto kind = detect_kind(jinja);
    if (!kind)
        return std::nullopt;
    Template t;
    t.kind = *kind;
    if (t.kind == TemplateKind::Phi3)
        t.bos_prefix = contains(jinja, "bos_token");
    if (t.kind == TemplateKind::ChatML)
        t.default_system = default_system_prompt(jinja);
    return t;
}

std::optional<std::string> default_system_prompt(std::string_view jinja)
{
    for (std::string_view set : {"set system_message = '", "set system_message = \""}) {
        const auto at = jinja.find(set);
        if (at != std::string_view::npos)
            if (auto text = literal_until(jinja, at + set.size(), set.back(), {}))
                return text;
    }
    constexpr std::string_view head = "<|im_start|>system\\n"; // as written inside a literal
    for (auto at = jinja.find(head); at != std::string_view::npos; at = jinja.find(head, at + 1)) {
        if (at == 0 || (jinja[at - 1] != '\'' && jinja[at - 1] != '"'))
            continue;
        if (auto text = literal_until(jinja, at + head.size(), jinja[at - 1], "<|im_end|>"))
            return text;
    }
    return std::nullopt;
}

std::string render(const Template& tmpl, std::span<const Message> messages, bool add_generation_prompt,
                   const SpecialTexts& special)
{
    std::vector<Message> with_system;
    if (tmpl.default_system && (messages.empty() || messages.front().role != "system")) {
        with_system.push_back({"system", *tmpl.default_system});
        with_system.insert(with_system.end(), messages.begin(), messages.end());
        messages = with_system;
    }
    switch (tmpl.kind) {
    case TemplateKind::Llama2:
        return render_llama2(messages, special);
    case TemplateKind::Mistral:
        return render_mistral(messages, special);
    case TemplateKind::Llama3:
        return render_llama3(messages, add_generation_prompt, special);
    case TemplateKind::ChatML:
        return render_chatml(messages, add_generation_prompt);
    case TemplateKind::Zephyr:
        return render_zephyr(messages, add_generation_prompt, special);
    case TemplateKind::Phi3:
        return render_phi3(messages, add_generation_prompt, tmpl.bos_prefix, special);
    case TemplateKind::Gemma:
        return render_gemma(messages, add_generation_prompt, special);
    }
    throw std::invalid_argument("unknown chat template kind");
}

std::string end_of_turn(TemplateKind kind, const SpecialTexts& special)
{
    switch (kind) {
    case TemplateKind::ChatML:
        return "<|im_end|>";
    case TemplateKind::Llama3:
        return "<|eot_id|>";
    case TemplateKind::Gemma:
        return "<end_of_turn>";
    case TemplateKind::Phi3:
        return "<|end|>";
    case TemplateKind::Llama2:
    case TemplateKind::Mistral:
    case TemplateKind::Zephyr:
        return special.eos;
    }
    return special.eos;
}

} // namespace edge_rt::chat
