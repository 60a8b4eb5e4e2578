// The JSON bodies of OpenAI-style responses: whole completions, streamed chunks (each sent as
// an SSE `data:` event, the stream closed by `data: [DONE]`), the usage chunk and the model
// list. Text that is not valid UTF-8 is written with U+FFFD in its place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edge_rt::serve {

enum class FinishReason { Stop, Length };

struct Usage {
    std::size_t prompt_tokens = 0;
    std::size_t completion_tokens = 0;
};

/// What every body of one response shares.
struct ResponseHead {
    bool chat = false;     ///< chat.completion(.chunk) or text_completion
    std::string id;        ///< "chatcmpl-…" / "cmpl-…"
    std::int64_t created = 0; ///< Unix seconds
    std::string model;
};

/// "stop" / "length".
std::string_view finish_reason_name(FinishReason r);

/// A non-streamed response: one choice with the whole text, and usage.
std::string completion_body(const ResponseHead& head, std::string_view text, FinishReason finish, Usage usage);

/// One streamed chunk: `text` as the delta (chat: the first chunk also carries the role), and
/// the finish reason on the last one. With include_usage every chunk has "usage": null.
std::string chunk_body(const ResponseHead& head, std::string_view text, std::optional<FinishReason> finish,
                       bool first, bool include_usage);

/// The chunk stream_options.include_usage asks for after the last choice: no choices, usage.
std::string usage_chunk_body(const ResponseHead& head, Usage usage);

/// GET /v1/models with the one model this server runs.
std::string models_body(std::string_view model_id, std::int64_t created);

/// One server-sent event carrying `json`.
std::string sse_event(std::string_view json);

/// The event that ends a stream.
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

} // namespace edge_rt::serve
