// What every tokenizer-loader target does with a tokenizer it loaded: encode a fixed text that
// touches spaces, digits, non-ASCII and a special token, and decode every id of the vocabulary's
// edges plus out-of-range ones, so a loaded-but-inconsistent vocabulary shows up as a crash.
#pragma once

#include "edge_rt/error.hpp"
#include "tokenizer/tokenizer.hpp"

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace edge_rt::fuzz {

inline void exercise(const model::Tokenizer& tok)
{
    const auto ids = tok.encode("Hello  world 123 \xc3\xa9t\xc3\xa9 \xe2\x96\x81<s></s>\n\xff", true, true);
    for (const auto id : ids)
        if (id < 0 || static_cast<std::size_t>(id) >= tok.vocab_size())
            std::abort(); // encode produced an id outside its own vocabulary
    (void)model::decode(tok, ids);
    const auto n = static_cast<std::int32_t>(tok.vocab_size());
    for (const std::int32_t id : {0, 1, 2, n - 1, n, -1}) {
        try {
            (void)tok.token_bytes(id);
            (void)tok.piece(id);
        } catch (const Error&) {
        }
    }
}

} // namespace edge_rt::fuzz
