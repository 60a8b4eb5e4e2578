// The bodies of POST /v1/chat/completions and POST /v1/completions, parsed strictly: a field
// of the wrong type, a value out of range or a field this server does not know is a 400
// invalid_request_error naming the field (so a client learns at once that a setting it sent
// would be ignored). Accepted for compatibility but not acted on: `user`, and
// `presence_penalty`/`frequency_penalty` at 0 and `logprobs` false (what clients send by default).
#pragma once

#include "chat/chat_template.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::serve {

struct CompletionRequest {
    bool chat = false;                    ///< /v1/chat/completions (else /v1/completions)
    std::string model;                    ///< as sent (may be empty)
    std::vector<chat::Message> messages;  ///< chat: the conversation ("developer" becomes "system")
    std::string prompt;                   ///< completions: the prompt text
    std::optional<std::size_t> max_tokens; ///< nullopt: the server's default
    double temperature = 1.0;             ///< 0 = greedy
    double top_p = 1.0;
    std::optional<std::int64_t> top_k;        ///< extension (llama.cpp's server has it too)
    std::optional<double> repeat_penalty;     ///< extension
    std::optional<std::uint64_t> seed;
    std::vector<std::string> stop;        ///< at most 4
    bool stream = false;
    bool include_usage = false;           ///< stream_options.include_usage
};

/// Parses a chat-completions body. Throws ApiError (400) naming the field at fault.
CompletionRequest parse_chat_request(std::string_view body);

/// Parses a (text) completions body; max_tokens defaults to 16 as OpenAI's does. Throws ApiError.
CompletionRequest parse_completion_request(std::string_view body);

} // namespace edge_rt::serve
