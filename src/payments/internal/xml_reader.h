// XmlReader: a small, strict pull reader for XML 1.0 with namespaces, written for bank status
// files (pain.002) from outside, which may be hostile. It accepts only what such files need:
//
//   - UTF-8 only (an optional byte-order mark; an XML declaration may say "UTF-8" or nothing);
//     the whole input is checked to be well-formed UTF-8 made of XML characters first.
//   - No DOCTYPE at all, so no DTD, no entity declarations and no entity expansion: the only
//     references are &lt; &gt; &amp; &quot; &apos; and character references (&#233; &#xE9;).
//   - No mixed content: an element holds either text or elements (whitespace between elements
//     is ignored).
//   - Comments, processing instructions and CDATA sections are read (CDATA as text).
//   - Limits: input size, element depth, attributes per element, name length.
//
//   XmlReader reader(document, XmlLimits{});
//   for (;;) {
//     ASSIGN_OR_RETURN(XmlReader::Token t, reader.Next());
//     if (t == XmlReader::Token::kEnd) break;
//     if (t == XmlReader::Token::kEndElement && reader.local() == "TxSts") Use(reader.text());
//   }
//
// Errors: INVALID_ARGUMENT "line L, column C: what" for input that is not well-formed or that
// uses something refused above; RESOURCE_EXHAUSTED for a limit. After an error every call
// returns it again. Never aborts on any input.
//
// Thread-safety: one reader per thread. The document is borrowed and must outlive the reader.
#ifndef SPODE_PAYMENTS_INTERNAL_XML_READER_H_
#define SPODE_PAYMENTS_INTERNAL_XML_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace spode::payments::internal {

struct XmlLimits {
  size_t max_bytes = 64u << 20;
  int max_depth = 32;
  int max_attributes = 32;
  size_t max_name_bytes = 256;
};

struct XmlPosition {
  int64_t line = 1;    // 1-based
  int64_t column = 1;  // 1-based, in characters
};

class XmlReader {
 public:
  enum class Token { kStartElement, kEndElement, kEnd };

  struct Attribute {
    std::string ns;  // "" when unprefixed
    std::string local;
    std::string value;  // references replaced, whitespace characters normalised to spaces
  };

  XmlReader(std::string_view document, XmlLimits limits);

  Result<Token> Next();

  // The element of the last kStartElement or kEndElement token.
  const std::string& ns() const { return current_.ns; }
  const std::string& local() const { return current_.local; }
  const std::string& qname() const { return current_.qname; }
  // kStartElement: its attributes other than namespace declarations, in document order.
  const std::vector<Attribute>& attributes() const { return attributes_; }
  // kEndElement: its text (text and CDATA, references replaced, line ends normalised to \n);
  // "" for an element that held elements.
  const std::string& text() const { return current_.text; }
  bool has_children() const { return current_.has_children; }
  // The element's depth: 1 for the root.
  int depth() const { return current_depth_; }
  // Where the element's start tag begins ('<').
  XmlPosition position() const { return PositionOf(current_.start); }
  XmlPosition PositionOf(size_t offset) const;

 private:
  struct Element {
    std::string qname, ns, local, text;
    bool has_children = false;
    size_t start = 0;
    size_t bindings = 0;  // namespace bindings this element declared
  };

  Result<Token> Step();
  Status Prolog();
  Status XmlDeclaration();
  Status SkipMisc();
  Status SkipComment();
  Status SkipProcessingInstruction();
  Result<Token> StartTag();
  Result<Token> EndTag();
  Result<Token> PopElement();
  Status ReadName(std::string* name);
  Status ReadReference(std::string* out);
  Status AppendText(std::string_view raw, size_t offset);
  Status Resolve(std::string_view qname, bool is_attribute, size_t offset, std::string* ns,
                 std::string* local) const;

  bool StartsWith(std::string_view s) const { return doc_.substr(pos_).starts_with(s); }
  bool SkipSpace();
  Status Error(size_t offset, std::string message) const;
  Status Exhausted(size_t offset, std::string message) const;

  std::string_view doc_;
  XmlLimits limits_;
  size_t pos_ = 0;
  bool started_ = false;
  bool root_done_ = false;
  bool pending_end_ = false;
  Status error_;

  std::vector<Element> stack_;
  std::vector<std::pair<std::string, std::string>> bindings_;  // prefix → namespace
  Element current_;
  int current_depth_ = 0;
  std::vector<Attribute> attributes_;

  // PositionOf scans forward from the last position it computed.
  mutable size_t cursor_offset_ = 0;
  mutable XmlPosition cursor_;
};

}  // namespace spode::payments::internal

#endif  // SPODE_PAYMENTS_INTERNAL_XML_READER_H_
