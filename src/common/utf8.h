#pragma once
// UTF-8 hygiene for text from outside (LLM replies, cached replies, server error bodies): JSON
// serialisation throws on invalid UTF-8 (nlohmann type_error.316), so such text is repaired on the
// way in and cut only on character boundaries.
#include <cstddef>
#include <string>
#include <string_view>

namespace pelnas {

// Length of the well-formed UTF-8 sequence at s[i] (1-4), or 0 if s[i] does not start one
// (stray continuation byte, overlong form, surrogate, > U+10FFFF, truncated sequence).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

bool is_valid_utf8(std::string_view s);

// `s` with every ill-formed byte replaced by U+FFFD (the replacement character).
std::string to_valid_utf8(std::string_view s);

// The longest prefix of `s` of at most max_bytes bytes that does not split a character. Assumes
// valid UTF-8; an ill-formed byte counts as one character.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

}  // namespace pelnas
