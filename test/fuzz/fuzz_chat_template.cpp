// Chat template detection on arbitrary Jinja text, then rendering a conversation with what was
// detected; the last part of the input (after kFileSeparator) is the messages' content.
#include "fuzz_support.hpp"
#include "chat/chat_template.hpp"
#include <stdexcept>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto [jinja, content] = edge_rt::fuzz::split_once(edge_rt::fuzz::as_text(data, size),
                                                            edge_rt::fuzz::kFileSeparator);
    (void)edge_rt::chat::default_system_prompt(jinja);
    const auto tmpl = edge_rt::chat::detect_template(jinja);
    if (!tmpl)
        return 0;
    const std::string text(content);
    const std::vector<edge_rt::chat::Message> messages{
        {"system", text}, {"user", text}, {"assistant", text}, {"user", text}};
    const edge_rt::chat::SpecialTexts special{"<s>", "</s>"};
    try {
        (void)edge_rt::chat::render(*tmpl, messages, true, special);
        (void)edge_rt::chat::render(*tmpl, std::span(messages).subspan(1), false, special);
    } catch (const std::invalid_argument&) { // documented: an order the template refuses
    }
    (void)edge_rt::chat::end_of_turn(tmpl->kind, special);
    return 0;
}
