#include "payments/internal/text.h"

#include <array>

namespace spode::payments::internal {

std::optional<size_t> FirstInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    char32_t cp;
    char32_t min;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (n - i < len) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::nullopt;
}

char32_t DecodeUtf8(std::string_view text, size_t* pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  unsigned char c = s[*pos];
  if (c < 0x80) {
    ++*pos;
    return c;
  }
  size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  char32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len && *pos + k < text.size(); ++k) cp = (cp << 6) | (s[*pos + k] & 0x3F);
  *pos += len;
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

bool IsXmlChar(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

std::string_view TrimAscii(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

Status CheckLineText(std::string_view field, std::string_view value, size_t min_chars,
                     size_t max_chars) {
  // Most values are printable ASCII, a character a byte: one pass decides them.
  bool printable_ascii = true;
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    printable_ascii &= c >= 0x20 && c < 0x7F;
  }
  if (printable_ascii && value.size() >= min_chars && value.size() <= max_chars &&
      (value.empty() || (value.front() != ' ' && value.back() != ' '))) {
    return OkStatus();
  }
  std::string name(field);
  if (FirstInvalidUtf8(value)) return InvalidArgumentError(name + ": not valid UTF-8");
  size_t pos = 0;
  while (pos < value.size()) {
    char32_t c = DecodeUtf8(value, &pos);
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || !IsXmlChar(c)) {
      return InvalidArgumentError(name + ": contains a control character: " + Quote(value));
    }
  }
  size_t chars = CountCodePoints(value);
  if (chars < min_chars) {
    return InvalidArgumentError(name + (chars == 0 ? ": missing" : ": too short: " + Quote(value)));
  }
  if (chars > max_chars) {
    return InvalidArgumentError(name + ": " + std::to_string(chars) + " characters, at most " +
                                std::to_string(max_chars) + " allowed: " + Quote(value));
  }
  if (value.front() == ' ' || value.back() == ' ') {
    return InvalidArgumentError(name + ": leading or trailing space: " + Quote(value));
  }
  return OkStatus();
}

std::string Quote(std::string_view value) {
  constexpr size_t kMaxChars = 40;
  static constexpr char kHex[] = "0123456789ABCDEF";
  auto escape_byte = [](unsigned char c, std::string* out) {
    *out += "\\x";
    out->push_back(kHex[c >> 4]);
    out->push_back(kHex[c & 0xF]);
  };
  const bool valid = !FirstInvalidUtf8(value).has_value();
  std::string out = "\"";
  size_t pos = 0;
  size_t chars = 0;
  while (pos < value.size() && chars < kMaxChars) {
    auto c = static_cast<unsigned char>(value[pos]);
    if (c >= 0x80 && valid) {
      size_t begin = pos;
      char32_t cp = DecodeUtf8(value, &pos);
      if (cp <= 0x9F) {
        for (size_t k = begin; k < pos; ++k)
          escape_byte(static_cast<unsigned char>(value[k]), &out);
      } else {
        out.append(value.substr(begin, pos - begin));
      }
    } else {
      ++pos;
      if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
        out.push_back(static_cast<char>(c));
      } else {
        escape_byte(c, &out);
      }
    }
    ++chars;
  }
  if (pos < value.size()) out += "...";
  out += "\"";
  return out;
}

void AppendXmlEscaped(std::string* out, std::string_view text) {
  // The bytes that need an entity, found by a table: a file escapes a few hundred megabytes,
  // and a branch on each byte's value cost three times the look-up.
  static constexpr std::array<bool, 256> kSpecial = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view("&<>\"'")) t[c] = true;
    return t;
  }();
  size_t from = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!kSpecial[static_cast<unsigned char>(text[i])]) continue;
    std::string_view entity;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      default: entity = "&apos;"; break;
    }
    out->append(text, from, i - from);
    out->append(entity);
    from = i + 1;
  }
  out->append(text, from, text.size() - from);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendXmlEscaped(&out, text);
  return out;
}

}  // namespace spode::payments::internal
