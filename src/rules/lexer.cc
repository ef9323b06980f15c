#include "rules/lexer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace spode::rules {
namespace {

// CEL reserves these words; a rule may not use them as names.
constexpr std::string_view kReserved[] = {
    "as",  "break", "const",   "continue",  "else",   "for", "function", "if",    "import",
    "let", "loop",  "package", "namespace", "return", "var", "void",     "while",
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one (overlong
// forms, surrogates and code points above U+10FFFF are rejected).
size_t Utf8Length(std::string_view s, size_t i) {
  auto b = [&](size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100;
  };
  auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
  unsigned c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}

  Result<std::vector<Token>> Run() {
    if (src_.size() > kMaxSourceBytes) {
      return RuleLimitError(SourcePos{}, "the rule is " + std::to_string(src_.size()) +
                                             " bytes; the limit is " +
                                             std::to_string(kMaxSourceBytes));
    }
    std::vector<Token> tokens;
    while (true) {
      SkipSpaceAndComments();
      Token t;
      t.pos = Pos();
      if (AtEnd()) {
        t.kind = TokenKind::kEnd;
        t.text = src_.substr(src_.size());
        tokens.push_back(std::move(t));
        return tokens;
      }
      Status s = Next(&t);
      if (!s.ok()) return s;
      t.text =
          src_.substr(static_cast<size_t>(t.pos.offset), i_ - static_cast<size_t>(t.pos.offset));
      tokens.push_back(std::move(t));
    }
  }

 private:
  bool AtEnd() const { return i_ >= src_.size(); }
  char Peek(size_t k = 0) const { return i_ + k < src_.size() ? src_[i_ + k] : '\0'; }
  SourcePos Pos() const { return SourcePos{line_, column_, static_cast<int>(i_)}; }
  void Advance(size_t n = 1) {
    for (size_t k = 0; k < n && i_ < src_.size(); ++k) {
      char c = src_[i_++];
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
        ++column_;
      }
    }
  }

  void SkipSpaceAndComments() {
    while (!AtEnd()) {
      char c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        Advance();
      } else if (c == '/' && Peek(1) == '/') {
        while (!AtEnd() && Peek() != '\n') Advance();
      } else {
        return;
      }
    }
  }

  Status Next(Token* t) {
    char c = Peek();
    if (IsIdentStart(c)) return Identifier(t);
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return Number(t);
    if (c == '"' || c == '\'') return String(t, /*raw=*/false);
    auto two = [&](char second, TokenKind kind) {
      if (Peek(1) != second) return false;
      t->kind = kind;
      Advance(2);
      return true;
    };
    switch (c) {
      case '=':
        if (two('=', TokenKind::kEq)) return OkStatus();
        return RuleError(t->pos, "unexpected '='; expected '==' (comparison)");
      case '!':
        if (two('=', TokenKind::kNe)) return OkStatus();
        return Single(t, TokenKind::kNot);
      case '<':
        if (two('=', TokenKind::kLe)) return OkStatus();
        return Single(t, TokenKind::kLt);
      case '>':
        if (two('=', TokenKind::kGe)) return OkStatus();
        return Single(t, TokenKind::kGt);
      case '&':
        if (two('&', TokenKind::kAnd)) return OkStatus();
        return RuleError(t->pos, "unexpected '&'; expected '&&' (and)");
      case '|':
        if (two('|', TokenKind::kOr)) return OkStatus();
        return RuleError(t->pos, "unexpected '|'; expected '||' (or)");
      case '+':
        return Single(t, TokenKind::kPlus);
      case '-':
        return Single(t, TokenKind::kMinus);
      case '*':
        return Single(t, TokenKind::kStar);
      case '/':
        return Single(t, TokenKind::kSlash);
      case '%':
        return Single(t, TokenKind::kPercent);
      case '?':
        return Single(t, TokenKind::kQuestion);
      case ':':
        return Single(t, TokenKind::kColon);
      case '.':
        return Single(t, TokenKind::kDot);
      case ',':
        return Single(t, TokenKind::kComma);
      case '(':
        return Single(t, TokenKind::kLParen);
      case ')':
        return Single(t, TokenKind::kRParen);
      case '[':
        return Single(t, TokenKind::kLBracket);
      case ']':
        return Single(t, TokenKind::kRBracket);
      case '{':
        return Single(t, TokenKind::kLBrace);
      case '}':
        return Single(t, TokenKind::kRBrace);
      default:
        break;
    }
    size_t n = Utf8Length(src_, i_);
    if (n == 0) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "invalid UTF-8 (byte 0x%02x)",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      return RuleError(t->pos, buf);
    }
    return RuleError(t->pos, "unexpected character " + Quoted(src_.substr(i_, n)));
  }

  Status Single(Token* t, TokenKind kind) {
    t->kind = kind;
    Advance();
    return OkStatus();
  }

  Status Identifier(Token* t) {
    size_t start = i_;
    while (IsIdentChar(Peek())) Advance();
    std::string_view word = src_.substr(start, i_ - start);
    if (Peek() == '"' || Peek() == '\'') {
      if (word == "r" || word == "R") return String(t, /*raw=*/true);
      if (word == "b" || word == "B" || word == "rb" || word == "br" || word == "RB" ||
          word == "BR" || word == "Rb" || word == "bR" || word == "rB" || word == "Br") {
        return RuleError(t->pos, "bytes literals are not supported; use a string");
      }
    }
    if (word == "true") {
      t->kind = TokenKind::kTrue;
    } else if (word == "false") {
      t->kind = TokenKind::kFalse;
    } else if (word == "null") {
      t->kind = TokenKind::kNull;
    } else if (word == "in") {
      t->kind = TokenKind::kIn;
    } else {
      for (std::string_view r : kReserved) {
        if (word == r) return RuleError(t->pos, Quoted(word) + " is a reserved word");
      }
      t->kind = TokenKind::kIdent;
    }
    return OkStatus();
  }

  Status Number(Token* t) {
    size_t start = i_;
    bool is_double = false;
    bool hex = Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X');
    if (hex) {
      Advance(2);
      while (IsHex(Peek())) Advance();
    } else {
      while (IsDigit(Peek())) Advance();
      if (Peek() == '.' && IsDigit(Peek(1))) {
        is_double = true;
        Advance();
        while (IsDigit(Peek())) Advance();
      }
      if ((Peek() == 'e' || Peek() == 'E') &&
          (IsDigit(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && IsDigit(Peek(2))))) {
        is_double = true;
        Advance(2);
        while (IsDigit(Peek())) Advance();
      }
    }
    if ((Peek() == 'u' || Peek() == 'U') && !is_double) {
      return RuleError(t->pos, "unsigned integers are not supported; write " +
                                   Quoted(src_.substr(start, i_ - start)));
    }
    if (IsIdentChar(Peek()) || (hex && i_ - start == 2)) {
      while (IsIdentChar(Peek())) Advance();
      return RuleError(t->pos, "invalid number " + Quoted(src_.substr(start, i_ - start)));
    }
    std::string_view text = src_.substr(start, i_ - start);
    if (is_double) {
      t->kind = TokenKind::kDouble;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), t->double_value);
      if (ec != std::errc() || end != text.data() + text.size() ||
          !std::isfinite(t->double_value)) {
        return RuleError(t->pos, "double literal " + Quoted(text) + " is out of range");
      }
      return OkStatus();
    }
    t->kind = TokenKind::kInt;
    constexpr uint64_t kLimit = uint64_t{1} << 63;  // the magnitude of INT64_MIN
    uint64_t v = 0;
    const unsigned base = hex ? 16 : 10;
    for (char c : hex ? text.substr(2) : text) {
      uint64_t digit = static_cast<uint64_t>(HexValue(c));
      if (v > (kLimit - digit) / base) {
        return RuleError(t->pos, "integer literal " + Quoted(text) +
                                     " is out of range (-9223372036854775808 to "
                                     "9223372036854775807)");
      }
      v = v * base + digit;
    }
    t->int_value = v;
    return OkStatus();
  }

  Status String(Token* t, bool raw) {
    SourcePos start = t->pos;
    const char q = Peek();
    const bool triple = Peek(1) == q && Peek(2) == q;
    Advance(triple ? 3 : 1);
    std::string out;
    while (true) {
      if (AtEnd())
        return RuleError(start, "unterminated string; expected a closing " + std::string(1, q));
      char c = Peek();
      if (triple) {
        if (c == q && Peek(1) == q && Peek(2) == q) {
          Advance(3);
          break;
        }
      } else {
        if (c == q) {
          Advance();
          break;
        }
        if (c == '\n' || c == '\r') {
          return RuleError(start,
                           "unterminated string; a quoted string ends on its line "
                           "(use triple quotes for several lines)");
        }
      }
      if (c == '\\' && !raw) {
        Status s = Escape(&out);
        if (!s.ok()) return s;
        continue;
      }
      size_t n = Utf8Length(src_, i_);
      if (n == 0) return RuleError(Pos(), "invalid UTF-8 in a string");
      out.append(src_.substr(i_, n));
      Advance(n);
    }
    t->kind = TokenKind::kString;
    t->string_value = std::move(out);
    return OkStatus();
  }

  Status Escape(std::string* out) {
    SourcePos at = Pos();
    Advance();  // the backslash
    if (AtEnd()) return RuleError(at, "unterminated string; expected a closing quote");
    char e = Peek();
    auto simple = [&](char c) {
      *out += c;
      Advance();
      return OkStatus();
    };
    switch (e) {
      case 'a':
        return simple('\a');
      case 'b':
        return simple('\b');
      case 'f':
        return simple('\f');
      case 'n':
        return simple('\n');
      case 'r':
        return simple('\r');
      case 't':
        return simple('\t');
      case 'v':
        return simple('\v');
      case '\\':
        return simple('\\');
      case '\'':
        return simple('\'');
      case '"':
        return simple('"');
      case '`':
        return simple('`');
      case '?':
        return simple('?');
      default:
        break;
    }
    int digits = 0;
    int base = 16;
    if (e == 'x' || e == 'X') {
      digits = 2;
    } else if (e == 'u') {
      digits = 4;
    } else if (e == 'U') {
      digits = 8;
    } else if (e >= '0' && e <= '3') {
      digits = 3;
      base = 8;
    } else {
      size_t n = Utf8Length(src_, i_);
      return RuleError(at, "invalid escape " +
                               Quoted(std::string("\\").append(src_.substr(i_, n == 0 ? 1 : n))) +
                               "; expected one of \\n \\t \\\\ \\\" \\' \\xHH \\uHHHH");
    }
    if (base == 16) Advance();  // the x/u/U
    uint32_t cp = 0;
    for (int k = 0; k < digits; ++k) {
      char c = Peek();
      bool ok = base == 16 ? IsHex(c) : (c >= '0' && c <= '7');
      if (!ok)
        return RuleError(at, "invalid escape; expected " + std::to_string(digits) +
                                 (base == 16 ? " hex digits" : " octal digits"));
      cp = cp * static_cast<uint32_t>(base) + static_cast<uint32_t>(HexValue(c));
      Advance();
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return RuleError(at, "invalid escape; not a Unicode code point");
    }
    AppendUtf8(cp, out);
    return OkStatus();
  }

  std::string_view src_;
  size_t i_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

std::string Describe(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of input";
  std::string_view text = token.text;
  if (text.size() > 40) {
    size_t cut = 37;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return Quoted(std::string(text.substr(0, cut)) + "...");
  }
  return Quoted(text);
}

Result<std::vector<Token>> Lex(std::string_view source) { return Lexer(source).Run(); }

}  // namespace spode::rules
