// GPT-2's pre-tokenizer: the text is cut into words before BPE, as the pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// cuts it (first alternative that matches, greedy, left to right). Hand-written, no regex.
#pragma once

#include <string_view>
#include <vector>

namespace edge_rt::model {

/// The pieces of `text`, in order; together they are exactly `text`. Bytes that are not valid
/// UTF-8 count as "other" characters (neither letter, number nor space), one byte each.
std::vector<std::string_view> gpt2_pretokenize(std::string_view text);

} // namespace edge_rt::model
