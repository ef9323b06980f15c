// The reader's ordinary behaviour; hostile documents are tested through ParsePain002
// (iso20022_test.cc).
#include "payments/internal/xml_reader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace spode::payments::internal {
namespace {

using ::testing::ElementsAre;

struct Event {
  std::string what;  // "<ns|local" or ">local=text"
  int depth;
  int64_t line, column;
  friend bool operator==(const Event&, const Event&) = default;
};

std::ostream& operator<<(std::ostream& os, const Event& e) {
  return os << e.what << " @" << e.depth << " " << e.line << ":" << e.column;
}

std::vector<Event> Read(std::string_view xml) {
  XmlReader reader(xml, XmlLimits{});
  std::vector<Event> events;
  for (;;) {
    auto token = reader.Next();
    EXPECT_TRUE(token.ok()) << token.status();
    if (!token.ok() || *token == XmlReader::Token::kEnd) break;
    XmlPosition p = reader.position();
    if (*token == XmlReader::Token::kStartElement) {
      std::string what = "<" + reader.ns() + "|" + reader.local();
      for (const auto& a : reader.attributes()) what += " " + a.ns + "|" + a.local + "=" + a.value;
      events.push_back({what, reader.depth(), p.line, p.column});
    } else {
      events.push_back(
          {">" + reader.local() + "=" + reader.text(), reader.depth(), p.line, p.column});
    }
  }
  return events;
}

TEST(XmlReaderTest, ResolvesNamespacesAndReadsText) {
  EXPECT_THAT(Read("\xEF\xBB\xBF<?xml version='1.0' encoding='utf-8' standalone='yes'?>\n"
                   "<!-- a comment --><?pi data?>\n"
                   "<a xmlns='urn:a' xmlns:b='urn:b' b:x='1 &amp; 2' y=\"\t3\">\n"
                   "  <b:c>caf&#xE9; &lt;&#233;&gt; <![CDATA[<raw> & ]]>\r\nend</b:c>\n"
                   "  <d xmlns='urn:d'/>\n"
                   "</a>\n<!-- trailing -->\n"),
              ElementsAre(Event{"<urn:a|a urn:b|x=1 & 2 |y= 3", 1, 3, 1},
                          Event{"<urn:b|c", 2, 4, 3}, Event{">c=café <é> <raw> & \nend", 2, 4, 3},
                          Event{"<urn:d|d", 2, 6, 3},  // the \r\n in c's text ends line 4
                          Event{">d=", 2, 6, 3}, Event{">a=", 1, 3, 1}));
}

TEST(XmlReaderTest, CountsColumnsInCharacters) {
  auto events = Read("<a>\n<नाम>x</नाम><b/></a>");
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[3].what, "<|b");
  EXPECT_EQ(events[3].line, 2);
  EXPECT_EQ(events[3].column, 13);  // <नाम> is 5 characters, x 1, </नाम> 6: 12 before <b/>
}

TEST(XmlReaderTest, ErrorsAreSticky) {
  XmlReader reader("<a><b></a>", XmlLimits{});
  ASSERT_TRUE(reader.Next().ok());
  ASSERT_TRUE(reader.Next().ok());
  auto error = reader.Next();
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().message(),
            "line 1, column 7: </a> does not close <b>, opened at line 1, column 4");
  EXPECT_EQ(reader.Next().status(), error.status());
}

}  // namespace
}  // namespace spode::payments::internal
