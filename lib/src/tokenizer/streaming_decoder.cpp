// Token ids to text without ever splitting a UTF-8 character.
#include "tokenizer/tokenizer.hpp"
#include "tokenizer/utf8.hpp"

namespace edge_rt::model {

std::string StreamingDecoder::push(std::int32_t id)
{
    if (tokenizer_.bos() == id) {
        after_bos_ = true;
        return {};
    }
    std::string bytes = tokenizer_.token_bytes(id);
    if (after_bos_ && tokenizer_.adds_space_prefix() && !bytes.empty() && bytes.front() == ' ')
        bytes.erase(0, 1); // the dummy prefix encode() added
    after_bos_ = false;
    pending_ += bytes;
    return utf8::take_valid(pending_, false);
}

std::string StreamingDecoder::flush()
{
    after_bos_ = false;
    return utf8::take_valid(pending_, true);
}

std::string decode(const Tokenizer& tokenizer, std::span<const std::int32_t> ids)
{
    StreamingDecoder decoder(tokenizer);
    std::string text;
    for (const auto id : ids)
        text += decoder.push(id);
    return text + decoder.flush();
}

} // namespace edge_rt::model
