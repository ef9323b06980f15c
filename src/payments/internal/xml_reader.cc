#include "payments/internal/xml_reader.h"

#include <algorithm>
#include <cstdio>

#include "payments/internal/text.h"

namespace spode::payments::internal {
namespace {

constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kXmlnsNamespace = "http://www.w3.org/2000/xmlns/";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsNameStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

bool IsNameChar(unsigned char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string CodePointName(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

}  // namespace

XmlReader::XmlReader(std::string_view document, XmlLimits limits)
    : doc_(document), limits_(limits) {}

Status XmlReader::Error(size_t offset, std::string message) const {
  XmlPosition p = PositionOf(offset);
  return InvalidArgumentError("line " + std::to_string(p.line) + ", column " +
                              std::to_string(p.column) + ": " + message);
}

Status XmlReader::Exhausted(size_t offset, std::string message) const {
  XmlPosition p = PositionOf(offset);
  return ResourceExhaustedError("line " + std::to_string(p.line) + ", column " +
                                std::to_string(p.column) + ": " + message);
}

XmlPosition XmlReader::PositionOf(size_t offset) const {
  offset = std::min(offset, doc_.size());
  if (offset < cursor_offset_) {
    cursor_offset_ = 0;
    cursor_ = XmlPosition{};
  }
  for (size_t i = cursor_offset_; i < offset; ++i) {
    auto c = static_cast<unsigned char>(doc_[i]);
    if (c == '\n' || (c == '\r' && (i + 1 >= doc_.size() || doc_[i + 1] != '\n'))) {
      ++cursor_.line;
      cursor_.column = 1;
    } else if (c != '\r' && (c & 0xC0) != 0x80) {
      ++cursor_.column;
    }
  }
  cursor_offset_ = offset;
  return cursor_;
}

Result<XmlReader::Token> XmlReader::Next() {
  if (!error_.ok()) return error_;
  Result<Token> token = Step();
  if (!token.ok()) error_ = token.status();
  return token;
}

bool XmlReader::SkipSpace() {
  size_t begin = pos_;
  while (pos_ < doc_.size() && IsSpace(doc_[pos_])) ++pos_;
  return pos_ != begin;
}

Result<XmlReader::Token> XmlReader::Step() {
  if (!started_) {
    RETURN_IF_ERROR(Prolog());
    started_ = true;
  }
  if (pending_end_) {
    pending_end_ = false;
    return PopElement();
  }
  if (root_done_) {
    RETURN_IF_ERROR(SkipMisc());
    if (pos_ < doc_.size()) return Error(pos_, "content after the root element");
    return Token::kEnd;
  }
  if (stack_.empty()) return StartTag();  // the prolog stopped at the root's '<'
  for (;;) {
    if (pos_ >= doc_.size()) {
      return Error(pos_, "the document ends inside <" + stack_.back().qname + ">");
    }
    char c = doc_[pos_];
    if (c == '<') {
      if (StartsWith("</")) return EndTag();
      if (StartsWith("<!--")) {
        RETURN_IF_ERROR(SkipComment());
        continue;
      }
      if (StartsWith("<![CDATA[")) {
        size_t begin = pos_ + 9;
        size_t end = doc_.find("]]>", begin);
        if (end == std::string_view::npos) return Error(pos_, "unterminated CDATA section");
        RETURN_IF_ERROR(AppendText(doc_.substr(begin, end - begin), pos_));
        pos_ = end + 3;
        continue;
      }
      if (StartsWith("<?")) {
        RETURN_IF_ERROR(SkipProcessingInstruction());
        continue;
      }
      if (StartsWith("<!")) {
        return Error(pos_, "markup declarations (<!DOCTYPE, <!ENTITY ...) are not accepted");
      }
      return StartTag();
    }
    if (c == '&') {
      size_t at = pos_;
      std::string referenced;
      RETURN_IF_ERROR(ReadReference(&referenced));
      RETURN_IF_ERROR(AppendText(referenced, at));
      continue;
    }
    size_t end = doc_.find_first_of("<&", pos_);
    if (end == std::string_view::npos) end = doc_.size();
    std::string_view run = doc_.substr(pos_, end - pos_);
    if (size_t bad = run.find("]]>"); bad != std::string_view::npos) {
      return Error(pos_ + bad, "']]>' is not allowed in text");
    }
    // Line ends: \r\n and a lone \r become \n (XML 1.0, 2.11).
    std::string normalised;
    normalised.reserve(run.size());
    for (size_t i = 0; i < run.size(); ++i) {
      if (run[i] == '\r') {
        normalised.push_back('\n');
        if (i + 1 < run.size() && run[i + 1] == '\n') ++i;
      } else {
        normalised.push_back(run[i]);
      }
    }
    RETURN_IF_ERROR(AppendText(normalised, pos_));
    pos_ = end;
  }
}

Status XmlReader::AppendText(std::string_view text, size_t offset) {
  Element& e = stack_.back();
  if (e.has_children) {
    if (!TrimAscii(text).empty()) {
      return Error(offset, "text mixed with elements in <" + e.qname + "> is not accepted");
    }
    return OkStatus();
  }
  e.text.append(text);
  return OkStatus();
}

Status XmlReader::Prolog() {
  if (doc_.size() > limits_.max_bytes) {
    return ResourceExhaustedError("the document has " + std::to_string(doc_.size()) +
                                  " bytes, more than the limit of " +
                                  std::to_string(limits_.max_bytes));
  }
  if (doc_.starts_with("\xFE\xFF") || doc_.starts_with("\xFF\xFE")) {
    return Error(0, "UTF-16 is not accepted: the document must be UTF-8");
  }
  if (doc_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  if (std::optional<size_t> bad = FirstInvalidUtf8(doc_)) {
    return Error(*bad, "not well-formed UTF-8");
  }
  for (size_t p = pos_; p < doc_.size();) {
    auto byte = static_cast<unsigned char>(doc_[p]);
    if (byte >= 0x20 && byte < 0x80) {
      ++p;
      continue;
    }
    size_t at = p;
    char32_t c = DecodeUtf8(doc_, &p);
    if (!IsXmlChar(c)) return Error(at, "character " + CodePointName(c) + " is not allowed in XML");
  }
  if (StartsWith("<?xml") && pos_ + 5 < doc_.size() && IsSpace(doc_[pos_ + 5])) {
    RETURN_IF_ERROR(XmlDeclaration());
  }
  RETURN_IF_ERROR(SkipMisc());
  if (StartsWith("<!DOCTYPE")) {
    return Error(pos_, "a DOCTYPE is not accepted (no DTDs, no entity declarations)");
  }
  if (pos_ >= doc_.size()) return Error(pos_, "no root element");
  if (doc_[pos_] != '<' || StartsWith("<!") || StartsWith("</")) {
    return Error(pos_, "expected the root element");
  }
  return OkStatus();
}

Status XmlReader::XmlDeclaration() {
  const size_t at = pos_;
  size_t end = doc_.find("?>", pos_);
  if (end == std::string_view::npos) return Error(at, "unterminated XML declaration");
  std::string_view body = doc_.substr(pos_ + 5, end - pos_ - 5);
  static constexpr std::string_view kNames[] = {"version", "encoding", "standalone"};
  size_t i = 0;
  int next = 0;  // index into kNames of the first pseudo-attribute still allowed
  auto space = [&] {
    size_t b = i;
    while (i < body.size() && IsSpace(body[i])) ++i;
    return i != b;
  };
  for (;;) {
    bool had_space = space();
    if (i >= body.size()) break;
    if (!had_space) return Error(at, "malformed XML declaration");
    size_t name_begin = i;
    while (i < body.size() && body[i] >= 'a' && body[i] <= 'z') ++i;
    std::string_view name = body.substr(name_begin, i - name_begin);
    int index = -1;
    for (int k = next; k < 3; ++k) {
      if (kNames[k] == name) index = k;
    }
    if (index < 0 || (next == 0 && index != 0)) {
      return Error(at, "malformed XML declaration: unexpected " + Quote(name));
    }
    next = index + 1;
    space();
    if (i >= body.size() || body[i] != '=') return Error(at, "malformed XML declaration");
    ++i;
    space();
    if (i >= body.size() || (body[i] != '"' && body[i] != '\'')) {
      return Error(at, "malformed XML declaration");
    }
    char quote = body[i++];
    size_t close = body.find(quote, i);
    if (close == std::string_view::npos) return Error(at, "malformed XML declaration");
    std::string_view value = body.substr(i, close - i);
    i = close + 1;
    if (index == 0 && value != "1.0") {
      return Error(at, "XML version " + Quote(value) + " is not accepted: only 1.0");
    }
    if (index == 1 && Lower(value) != "utf-8") {
      return Error(at, "encoding " + Quote(value) + " is not accepted: only UTF-8");
    }
    if (index == 2 && value != "yes" && value != "no") {
      return Error(at, "malformed XML declaration: standalone must be yes or no");
    }
  }
  if (next == 0) return Error(at, "the XML declaration has no version");
  pos_ = end + 2;
  return OkStatus();
}

Status XmlReader::SkipMisc() {
  for (;;) {
    SkipSpace();
    if (StartsWith("<!--")) {
      RETURN_IF_ERROR(SkipComment());
    } else if (StartsWith("<?")) {
      RETURN_IF_ERROR(SkipProcessingInstruction());
    } else {
      return OkStatus();
    }
  }
}

Status XmlReader::SkipComment() {
  const size_t at = pos_;
  size_t dashes = doc_.find("--", pos_ + 4);
  if (dashes == std::string_view::npos) return Error(at, "unterminated comment");
  if (dashes + 2 >= doc_.size() || doc_[dashes + 2] != '>') {
    return Error(dashes, "'--' is not allowed inside a comment");
  }
  pos_ = dashes + 3;
  return OkStatus();
}

Status XmlReader::SkipProcessingInstruction() {
  const size_t at = pos_;
  pos_ += 2;
  std::string target;
  RETURN_IF_ERROR(ReadName(&target));
  if (Lower(target) == "xml") {
    return Error(at, "an XML declaration is allowed only at the very start of the document");
  }
  size_t end = doc_.find("?>", pos_);
  if (end == std::string_view::npos) return Error(at, "unterminated processing instruction");
  if (end != pos_ && !IsSpace(doc_[pos_])) {
    return Error(pos_, "expected whitespace after the processing instruction's target");
  }
  pos_ = end + 2;
  return OkStatus();
}

Status XmlReader::ReadName(std::string* name) {
  const size_t begin = pos_;
  if (pos_ >= doc_.size()) return Error(pos_, "the document ends where a name was expected");
  if (!IsNameStart(static_cast<unsigned char>(doc_[pos_]))) {
    return Error(pos_, "expected a name, found " + Quote(doc_.substr(pos_, 1)));
  }
  while (pos_ < doc_.size() && IsNameChar(static_cast<unsigned char>(doc_[pos_]))) {
    ++pos_;
    if (pos_ - begin > limits_.max_name_bytes) {
      return Exhausted(begin,
                       "a name longer than " + std::to_string(limits_.max_name_bytes) + " bytes");
    }
  }
  name->assign(doc_.substr(begin, pos_ - begin));
  return OkStatus();
}

Status XmlReader::ReadReference(std::string* out) {
  const size_t at = pos_;
  size_t semi = doc_.find(';', pos_);
  if (semi == std::string_view::npos || semi - pos_ > 12) {
    return Error(at, "'&' must start a reference ending in ';' (write &amp; for '&')");
  }
  std::string_view ref = doc_.substr(pos_ + 1, semi - pos_ - 1);
  pos_ = semi + 1;
  if (ref == "lt") {
    out->push_back('<');
  } else if (ref == "gt") {
    out->push_back('>');
  } else if (ref == "amp") {
    out->push_back('&');
  } else if (ref == "quot") {
    out->push_back('"');
  } else if (ref == "apos") {
    out->push_back('\'');
  } else if (ref.starts_with('#')) {
    const bool hex = ref.size() > 1 && ref[1] == 'x';
    std::string_view digits = ref.substr(hex ? 2 : 1);
    if (digits.empty()) return Error(at, "empty character reference");
    char32_t value = 0;
    for (char d : digits) {
      int v;
      if (d >= '0' && d <= '9') {
        v = d - '0';
      } else if (hex && d >= 'a' && d <= 'f') {
        v = d - 'a' + 10;
      } else if (hex && d >= 'A' && d <= 'F') {
        v = d - 'A' + 10;
      } else {
        return Error(at, "malformed character reference " + Quote("&" + std::string(ref) + ";"));
      }
      value = value * (hex ? 16 : 10) + static_cast<char32_t>(v);
      if (value > 0x10FFFF) return Error(at, "character reference beyond U+10FFFF");
    }
    if (!IsXmlChar(value)) {
      return Error(at,
                   "character reference to " + CodePointName(value) + ", which XML does not allow");
    }
    AppendUtf8(value, out);
  } else {
    return Error(at, "entity reference " + Quote("&" + std::string(ref) + ";") +
                         " is not accepted: only &lt; &gt; &amp; &quot; &apos; and character "
                         "references (there are no DTDs, so no other entities)");
  }
  return OkStatus();
}

Status XmlReader::Resolve(std::string_view qname, bool is_attribute, size_t offset, std::string* ns,
                          std::string* local) const {
  size_t colon = qname.find(':');
  if (colon == std::string_view::npos) {
    local->assign(qname);
    ns->clear();
    if (!is_attribute) {
      for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
        if (it->first.empty()) {
          *ns = it->second;
          break;
        }
      }
    }
    return OkStatus();
  }
  if (colon == 0 || colon + 1 == qname.size() ||
      qname.find(':', colon + 1) != std::string_view::npos) {
    return Error(offset, "malformed qualified name " + Quote(qname));
  }
  std::string_view prefix = qname.substr(0, colon);
  local->assign(qname.substr(colon + 1));
  if (prefix == "xml") {
    ns->assign(kXmlNamespace);
    return OkStatus();
  }
  for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
    if (it->first == prefix) {
      *ns = it->second;
      return OkStatus();
    }
  }
  return Error(offset, "namespace prefix " + Quote(prefix) + " is not declared");
}

Result<XmlReader::Token> XmlReader::StartTag() {
  const size_t start = pos_;
  ++pos_;  // '<'
  std::string qname;
  RETURN_IF_ERROR(ReadName(&qname));
  struct RawAttribute {
    std::string qname, value;
    size_t offset;
  };
  std::vector<RawAttribute> raw;
  bool empty = false;
  for (;;) {
    bool space = SkipSpace();
    if (pos_ >= doc_.size()) {
      return Error(start, "the document ends inside the start tag of <" + qname + ">");
    }
    if (doc_[pos_] == '>') {
      ++pos_;
      break;
    }
    if (StartsWith("/>")) {
      pos_ += 2;
      empty = true;
      break;
    }
    if (!space) return Error(pos_, "expected whitespace, '>' or '/>' in <" + qname + ">");
    if (raw.size() >= static_cast<size_t>(limits_.max_attributes)) {
      return Exhausted(pos_, "more than " + std::to_string(limits_.max_attributes) +
                                 " attributes in <" + qname + ">");
    }
    const size_t offset = pos_;
    std::string name;
    RETURN_IF_ERROR(ReadName(&name));
    SkipSpace();
    if (pos_ >= doc_.size() || doc_[pos_] != '=') {
      return Error(pos_, "expected '=' after attribute " + name);
    }
    ++pos_;
    SkipSpace();
    if (pos_ >= doc_.size() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) {
      return Error(pos_, "expected a quoted value for attribute " + name);
    }
    const char quote = doc_[pos_++];
    std::string value;
    for (;;) {
      if (pos_ >= doc_.size()) return Error(offset, "unterminated value of attribute " + name);
      char c = doc_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c == '<') return Error(pos_, "'<' in the value of attribute " + name);
      if (c == '&') {
        RETURN_IF_ERROR(ReadReference(&value));
        continue;
      }
      if (c == '\r' && pos_ + 1 < doc_.size() && doc_[pos_ + 1] == '\n') ++pos_;
      value.push_back(c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
      ++pos_;
    }
    for (const RawAttribute& r : raw) {
      if (r.qname == name) return Error(offset, "attribute " + name + " appears twice");
    }
    raw.push_back({std::move(name), std::move(value), offset});
  }

  if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
    return Exhausted(start, "elements nested deeper than " + std::to_string(limits_.max_depth));
  }
  if (!stack_.empty()) {
    Element& parent = stack_.back();
    if (!parent.has_children) {
      if (!TrimAscii(parent.text).empty()) {
        return Error(start, "element <" + qname + "> mixed with text in <" + parent.qname +
                                "> is not accepted");
      }
      parent.has_children = true;
      parent.text.clear();
    }
  }

  Element element;
  element.qname = qname;
  element.start = start;
  auto is_declaration = [](std::string_view n) { return n == "xmlns" || n.starts_with("xmlns:"); };
  for (const RawAttribute& r : raw) {
    if (!is_declaration(r.qname)) continue;
    std::string prefix = r.qname == "xmlns" ? "" : r.qname.substr(6);
    if (r.qname != "xmlns" && (prefix.empty() || prefix.find(':') != std::string::npos)) {
      return Error(r.offset, "malformed namespace declaration " + r.qname);
    }
    if (prefix == "xmlns" || r.value == kXmlnsNamespace) {
      return Error(r.offset, "the xmlns prefix and namespace cannot be declared");
    }
    if ((prefix == "xml") != (r.value == kXmlNamespace)) {
      return Error(r.offset, "the xml prefix is bound to its own namespace only");
    }
    if (!prefix.empty() && r.value.empty()) {
      return Error(r.offset, "a prefixed namespace cannot be undeclared in XML 1.0");
    }
    bindings_.emplace_back(prefix, r.value);
    ++element.bindings;
  }
  // Pushed before resolving: the stack owns the bindings just made (a failure below is sticky).
  stack_.push_back(element);
  Element& pushed = stack_.back();
  RETURN_IF_ERROR(Resolve(qname, false, start + 1, &pushed.ns, &pushed.local));
  attributes_.clear();
  for (RawAttribute& r : raw) {
    if (is_declaration(r.qname)) continue;
    Attribute a;
    RETURN_IF_ERROR(Resolve(r.qname, true, r.offset, &a.ns, &a.local));
    for (const Attribute& b : attributes_) {
      if (b.ns == a.ns && b.local == a.local) {
        return Error(r.offset,
                     "attribute " + r.qname + " appears twice (the same namespace and name)");
      }
    }
    a.value = std::move(r.value);
    attributes_.push_back(std::move(a));
  }
  current_ = pushed;
  current_depth_ = static_cast<int>(stack_.size());
  pending_end_ = empty;
  return Token::kStartElement;
}

Result<XmlReader::Token> XmlReader::EndTag() {
  const size_t start = pos_;
  pos_ += 2;
  std::string name;
  RETURN_IF_ERROR(ReadName(&name));
  SkipSpace();
  if (pos_ >= doc_.size() || doc_[pos_] != '>') {
    return Error(pos_, "expected '>' to close </" + name + ">");
  }
  ++pos_;
  const Element& open = stack_.back();
  if (name != open.qname) {
    XmlPosition p = PositionOf(open.start);
    return Error(start, "</" + name + "> does not close <" + open.qname + ">, opened at line " +
                            std::to_string(p.line) + ", column " + std::to_string(p.column));
  }
  return PopElement();
}

Result<XmlReader::Token> XmlReader::PopElement() {
  current_ = std::move(stack_.back());
  stack_.pop_back();
  current_depth_ = static_cast<int>(stack_.size()) + 1;
  bindings_.resize(bindings_.size() - current_.bindings);
  attributes_.clear();
  if (stack_.empty()) root_done_ = true;
  return Token::kEndElement;
}

}  // namespace spode::payments::internal
