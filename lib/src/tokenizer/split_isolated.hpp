// Hugging Face's Split pre-tokenizer with the "Isolated" behaviour, for patterns written as
// matchers: every match of the pattern in a piece becomes a piece of its own, and so does each
// stretch between matches.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace edge_rt::model {

/// The length of the pattern's match starting at `pos` of `piece`, 0 when it does not match there.
using Matcher = std::size_t (*)(std::string_view piece, std::size_t pos);

/// Splits every piece at the leftmost, non-overlapping matches of `match`.
std::vector<std::string_view> split_isolated(const std::vector<std::string_view>& pieces, Matcher match);

} // namespace edge_rt::model
