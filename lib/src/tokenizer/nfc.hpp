// Unicode Normalization Form C (UAX #15): what Qwen2's tokenizer.json normalizer applies to text
// before pre-tokenizing it. There is no ICU here; the tables come from gen_nfc_tables.py.
#pragma once

#include <string>
#include <string_view>

namespace edge_rt::model::unicode {

/// `text` in NFC. Text that is not valid UTF-8 is returned unchanged (the byte-level tokenizers
/// encode such bytes as they are), as is text whose code points are all below U+0300 (the
/// first combining mark; such text is always in NFC).
std::string to_nfc(std::string_view text);

} // namespace edge_rt::model::unicode
