// The API's JSON request bodies: the first byte picks chat or text completions.
#include "fuzz_support.hpp"
#include "serve/api_error.hpp"
#include "serve/completion_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    const auto body = edge_rt::fuzz::as_text(data + 1, size - 1);
    try {
        if (data[0] & 1)
            (void)edge_rt::serve::parse_chat_request(body);
        else
            (void)edge_rt::serve::parse_completion_request(body);
    } catch (const edge_rt::serve::ApiError&) {
    }
    return 0;
}
