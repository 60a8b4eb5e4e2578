// Pieces of a Hugging Face tokenizer.json that both of its BPE kinds (byte-level and
// SentencePiece-style) read the same way.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::model::hf {

/// Ids above this are refused: far above any real vocabulary, and low enough that a table
/// sized by the largest id cannot exhaust memory.
inline constexpr std::int64_t kMaxTokenId = 1 << 24;

/// Whether `j` is an object whose "type" is `type` ("Sequence", "ByteLevel", …).
bool is_type(const nlohmann::json& j, std::string_view type);

/// `value` as a token id in [0, kMaxTokenId); throws FormatError "<source>: <what> has id …".
std::int32_t token_id(const nlohmann::json& value, const std::string& source, std::string_view what);

struct AddedToken {
    std::int32_t id = 0;
    std::string content;
    bool special = false; ///< a control token; otherwise user-defined text
};

/// The "added_tokens" array of `root` (empty when absent); throws FormatError naming `source`
/// and the entry when it is not an array of {id, content[, special]}.
std::vector<AddedToken> added_tokens(const nlohmann::json& root, const std::string& source);

} // namespace edge_rt::model::hf
