#include "serve/completion_request.hpp"

#include "serve/api_error.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <map>

namespace edge_rt::serve {
namespace {

using json = nlohmann::json;

std::string describe(const json& v)
{
    switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "a number";
    }
}

[[noreturn]] void wrong_type(const std::string& field, const char* want, const json& v)
{
    throw bad_request(field, "'" + field + "' must be " + want + ", not " + describe(v));
}

double number_in(const std::string& field, const json& v, double lo, double hi)
{
    if (!v.is_number())
        wrong_type(field, "a number", v);
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < lo || x > hi)
        throw bad_request(field, "'" + field + "' must be between " + json(lo).dump() + " and " + json(hi).dump() +
                                     ", not " + v.dump());
    return x;
}

std::int64_t integer_at_least(const std::string& field, const json& v, std::int64_t lo)
{
    if (!v.is_number_integer() && !(v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>()))
        wrong_type(field, "an integer", v);
    const auto x = v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX ? INT64_MAX : v.get<std::int64_t>();
    if (x < lo)
        throw bad_request(field, "'" + field + "' must be at least " + std::to_string(lo) + ", not " + v.dump());
    return x;
}

bool boolean(const std::string& field, const json& v)
{
    if (!v.is_boolean())
        wrong_type(field, "a boolean", v);
    return v.get<bool>();
}

std::vector<std::string> stop_list(const json& v)
{
    if (v.is_null())
        return {};
    if (v.is_string())
        return {v.get<std::string>()};
    if (!v.is_array())
        wrong_type("stop", "a string or an array of strings", v);
    if (v.size() > 4)
        throw bad_request("stop", "'stop' takes at most 4 strings, not " + std::to_string(v.size()));
    std::vector<std::string> out;
    for (const auto& s : v) {
        if (!s.is_string())
            wrong_type("stop", "a string or an array of strings", s);
        out.push_back(s.get<std::string>());
    }
    return out;
}

// A message's content: a string, or an array of {"type": "text", "text": …} parts joined.
std::string message_content(const json& v, const std::string& field)
{
    if (v.is_string())
        return v.get<std::string>();
    if (!v.is_array())
        wrong_type(field, "a string or an array of text parts", v);
    std::string text;
    for (const auto& part : v) {
        if (!part.is_object() || part.value("type", json()) != "text" || !part.contains("text") ||
            !part["text"].is_string())
            throw bad_request(field, "'" + field + "' parts must be {\"type\": \"text\", \"text\": \"…\"}: only text "
                                     "is supported");
        text += part["text"].get<std::string>();
    }
    return text;
}

std::vector<chat::Message> messages_of(const json& v)
{
    if (!v.is_array())
        wrong_type("messages", "an array", v);
    if (v.empty())
        throw bad_request("messages", "'messages' must hold at least one message");
    std::vector<chat::Message> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string at = "messages[" + std::to_string(i) + "]";
        const auto& m = v[i];
        if (!m.is_object())
            wrong_type(at, "an object", m);
        for (const auto& [key, value] : m.items())
            if (key != "role" && key != "content" && key != "name")
                throw bad_request(at + "." + key, "unknown field '" + at + "." + key + "'");
        if (!m.contains("role") || !m["role"].is_string())
            throw bad_request(at + ".role", "'" + at + ".role' must be a string");
        std::string role = m["role"].get<std::string>();
        if (role == "developer")
            role = "system";
        if (role != "system" && role != "user" && role != "assistant")
            throw bad_request(at + ".role", "'" + at + ".role' must be system, user or assistant, not '" + role + "'");
        if (!m.contains("content"))
            throw bad_request(at + ".content", "'" + at + ".content' is missing");
        out.push_back({std::move(role), message_content(m["content"], at + ".content")});
    }
    return out;
}

using FieldParser = std::function<void(const json&, CompletionRequest&)>;

// The fields both endpoints share.
std::map<std::string, FieldParser> common_fields()
{
    return {
        {"model", [](const json& v, CompletionRequest& r) {
             if (!v.is_string())
                 wrong_type("model", "a string", v);
             r.model = v.get<std::string>();
         }},
        {"max_tokens", [](const json& v, CompletionRequest& r) {
             if (!v.is_null())
                 r.max_tokens = static_cast<std::size_t>(integer_at_least("max_tokens", v, 1));
         }},
        {"temperature", [](const json& v, CompletionRequest& r) { r.temperature = number_in("temperature", v, 0, 2); }},
        {"top_p", [](const json& v, CompletionRequest& r) { r.top_p = number_in("top_p", v, 0, 1); }},
        {"top_k", [](const json& v, CompletionRequest& r) { r.top_k = integer_at_least("top_k", v, 0); }},
        {"repeat_penalty",
         [](const json& v, CompletionRequest& r) { r.repeat_penalty = number_in("repeat_penalty", v, 0, 10); }},
        {"seed", [](const json& v, CompletionRequest& r) {
             if (!v.is_null())
                 r.seed = static_cast<std::uint64_t>(integer_at_least("seed", v, 0));
         }},
        {"stop", [](const json& v, CompletionRequest& r) { r.stop = stop_list(v); }},
        {"n", [](const json& v, CompletionRequest&) {
             if (integer_at_least("n", v, 1) != 1)
                 throw bad_request("n", "'n' must be 1: one choice per request is supported");
         }},
        {"stream", [](const json& v, CompletionRequest& r) { r.stream = !v.is_null() && boolean("stream", v); }},
        {"stream_options", [](const json& v, CompletionRequest& r) {
             if (v.is_null())
                 return;
             if (!v.is_object())
                 wrong_type("stream_options", "an object", v);
             for (const auto& [key, value] : v.items()) {
                 if (key != "include_usage")
                     throw bad_request("stream_options." + key, "unknown field 'stream_options." + key + "'");
                 r.include_usage = boolean("stream_options.include_usage", value);
             }
         }},
        // Accepted so that clients sending their defaults work; anything else is refused.
        {"presence_penalty", [](const json& v, CompletionRequest&) {
             if (!v.is_null() && number_in("presence_penalty", v, -2, 2) != 0)
                 throw bad_request("presence_penalty", "'presence_penalty' is not supported (only 0)");
         }},
        {"frequency_penalty", [](const json& v, CompletionRequest&) {
             if (!v.is_null() && number_in("frequency_penalty", v, -2, 2) != 0)
                 throw bad_request("frequency_penalty", "'frequency_penalty' is not supported (only 0)");
         }},
        {"logprobs", [](const json& v, CompletionRequest&) {
             if (!v.is_null() && !(v.is_boolean() && !v.get<bool>()))
                 throw bad_request("logprobs", "'logprobs' is not supported");
         }},
        {"user", [](const json& v, CompletionRequest&) {
             if (!v.is_string())
                 wrong_type("user", "a string", v);
         }},
    };
}

CompletionRequest parse(std::string_view body, bool chat)
{
    json doc;
    try {
        doc = json::parse(body);
    } catch (const json::exception& e) { // parse_error, and out_of_range for a number like 1e400
        throw ApiError(400, "invalid_request_error", std::string("malformed JSON body: ") + e.what(), {},
                       "invalid_json");
    }
    if (!doc.is_object())
        throw ApiError(400, "invalid_request_error", "the body must be a JSON object, not " + describe(doc));
    auto fields = common_fields();
    if (chat) {
        fields["messages"] = [](const json& v, CompletionRequest& r) { r.messages = messages_of(v); };
        fields["max_completion_tokens"] = fields["max_tokens"];
    } else {
        fields["prompt"] = [](const json& v, CompletionRequest& r) {
            if (v.is_array() && v.size() == 1 && v[0].is_string())
                r.prompt = v[0].get<std::string>();
            else if (v.is_string())
                r.prompt = v.get<std::string>();
            else
                wrong_type("prompt", "a string (or an array of one string)", v);
        };
        fields["echo"] = [](const json& v, CompletionRequest&) {
            if (!v.is_null() && boolean("echo", v))
                throw bad_request("echo", "'echo' is not supported");
        };
        fields["suffix"] = [](const json& v, CompletionRequest&) {
            if (!v.is_null())
                throw bad_request("suffix", "'suffix' is not supported");
        };
    }
    CompletionRequest r;
    r.chat = chat;
    if (!chat)
        r.max_tokens = 16;
    for (const auto& [key, value] : doc.items()) {
        const auto f = fields.find(key);
        if (f == fields.end())
            throw bad_request(key, "unknown field '" + key + "'", "unknown_field");
        f->second(value, r);
    }
    const char* required = chat ? "messages" : "prompt";
    if (!doc.contains(required))
        throw bad_request(required, std::string("'") + required + "' is required");
    if (r.include_usage && !r.stream)
        throw bad_request("stream_options", "'stream_options' is only allowed when 'stream' is true");
    return r;
}

} // namespace

CompletionRequest parse_chat_request(std::string_view body) { return parse(body, true); }
CompletionRequest parse_completion_request(std::string_view body) { return parse(body, false); }

} // namespace edge_rt::serve
