#include "serve/completion_response.hpp"

#include <nlohmann/json.hpp>

namespace edge_rt::serve {
namespace {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json usage_json(Usage u)
{
    return {{"prompt_tokens", u.prompt_tokens},
            {"completion_tokens", u.completion_tokens},
            {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

json head_json(const ResponseHead& h, bool chunk)
{
    const char* object = h.chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion";
    return {{"id", h.id}, {"object", object}, {"created", h.created}, {"model", h.model}};
}

} // namespace

std::string_view finish_reason_name(FinishReason r) { return r == FinishReason::Stop ? "stop" : "length"; }

std::string completion_body(const ResponseHead& head, std::string_view text, FinishReason finish, Usage usage)
{
    json choice{{"index", 0}, {"finish_reason", finish_reason_name(finish)}};
    if (head.chat) {
        choice["message"] = {{"role", "assistant"}, {"content", text}};
    } else {
        choice["text"] = text;
        choice["logprobs"] = nullptr;
    }
    json j = head_json(head, false);
    j["choices"] = json::array({std::move(choice)});
    j["usage"] = usage_json(usage);
    return dump(j);
}

std::string chunk_body(const ResponseHead& head, std::string_view text, std::optional<FinishReason> finish,
                       bool first, bool include_usage)
{
    json choice{{"index", 0}, {"finish_reason", nullptr}};
    if (finish)
        choice["finish_reason"] = finish_reason_name(*finish);
    if (head.chat) {
        json delta = json::object();
        if (first)
            delta["role"] = "assistant";
        if (!text.empty() || !finish)
            delta["content"] = text;
        choice["delta"] = std::move(delta);
    } else {
        choice["text"] = text;
        choice["logprobs"] = nullptr;
    }
    json j = head_json(head, true);
    j["choices"] = json::array({std::move(choice)});
    if (include_usage)
        j["usage"] = nullptr;
    return dump(j);
}

std::string usage_chunk_body(const ResponseHead& head, Usage usage)
{
    json j = head_json(head, true);
    j["choices"] = json::array();
    j["usage"] = usage_json(usage);
    return dump(j);
}

std::string models_body(std::string_view model_id, std::int64_t created)
{
    json model{{"id", model_id}, {"object", "model"}, {"created", created}, {"owned_by", "edge-rt-async"}};
    return dump(json{{"object", "list"}, {"data", json::array({std::move(model)})}});
}

std::string sse_event(std::string_view json_text)
{
    std::string out = "data: ";
    out.append(json_text).append("\n\n");
    return out;
}

} // namespace edge_rt::serve
