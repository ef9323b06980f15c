// Text helpers shared by the bank file formats: UTF-8 validation, length in characters, the
// checks every text field of a bank file gets, and quoting of untrusted values in messages.
//
// Thread-safety: pure functions.
#ifndef SPODE_PAYMENTS_INTERNAL_TEXT_H_
#define SPODE_PAYMENTS_INTERNAL_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spode::payments::internal {

// The byte offset of the first byte that is not part of well-formed UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF are not), or nullopt when all of `text` is.
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

// Decodes the code point starting at `text[*pos]` and advances *pos; `text` must be valid
// UTF-8 there (call FirstInvalidUtf8 first).
char32_t DecodeUtf8(std::string_view text, size_t* pos);
void AppendUtf8(char32_t code_point, std::string* out);

// Characters (code points) in valid UTF-8.
size_t CountCodePoints(std::string_view text);

// XML 1.0's Char production: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF.
bool IsXmlChar(char32_t c);

std::string_view TrimAscii(std::string_view text);

// A single-line text field of a bank file: well-formed UTF-8, `min_chars`..`max_chars`
// characters, no control characters (none of U+0000-U+001F, U+007F-U+009F) and no leading or
// trailing space. INVALID_ARGUMENT "<field>: ..." otherwise.
Status CheckLineText(std::string_view field, std::string_view value, size_t min_chars,
                     size_t max_chars);

// `value` for an error message: in double quotes, at most 40 characters (then "..."), with
// control characters, quotes, backslashes and (in text that is not UTF-8) every byte above
// 0x7F as \xNN. Never echoes a hostile input at length or raw.
std::string Quote(std::string_view value);

// Escapes &, <, >, " and ' for XML text and attribute values.
std::string XmlEscape(std::string_view text);
// The same, appended to *out (no string of its own).
void AppendXmlEscaped(std::string* out, std::string_view text);

}  // namespace spode::payments::internal

#endif  // SPODE_PAYMENTS_INTERNAL_TEXT_H_
