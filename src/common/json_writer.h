// JsonWriter: JSON text written straight into a string, for documents built on hot paths (a
// household read), where building an nlohmann::json tree first costs an allocation per key and
// value and then a second walk to serialise it.
//
//   std::string out;
//   JsonWriter w(out);
//   w.BeginObject();
//   w.Key("family_id").String(family_id);
//   w.Key("version").Int(3);
//   w.Key("attributes").Raw(attrs_json);     // text that is already one JSON value
//   w.Key("bank_account").Null();
//   w.EndObject();                          // {"family_id":"...","version":3,...}
//
// Strings are escaped as nlohmann::json's dump escapes them (", \, and control characters;
// other characters as they are), and invalid UTF-8 is replaced by U+FFFD, never passed on.
// Commas are the writer's business; nesting is the caller's (BeginObject/EndObject in pairs,
// a Key before each value of an object). Raw trusts its text: pass it only what a JSON library
// wrote.
//
// Thread-safety: a writer belongs to one thread at a time.
#ifndef SPODE_COMMON_JSON_WRITER_H_
#define SPODE_COMMON_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace spode {

// Appends `text` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }

  JsonWriter& Key(std::string_view key) {
    Separate();
    AppendJsonString(out_, key);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view value) {
    Separate();
    AppendJsonString(out_, value);
    return Done();
  }
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value) { return Literal(value ? "true" : "false"); }
  JsonWriter& Null() { return Literal("null"); }
  // A value already in JSON text, copied as it is.
  JsonWriter& Raw(std::string_view json) { return Literal(json); }

 private:
  void Separate() {
    if (comma_ && !after_key_) out_.push_back(',');
    after_key_ = false;
  }
  JsonWriter& Done() {
    comma_ = true;
    return *this;
  }
  JsonWriter& Literal(std::string_view text) {
    Separate();
    out_.append(text);
    return Done();
  }
  JsonWriter& Open(char c) {
    Separate();
    out_.push_back(c);
    comma_ = false;
    return *this;
  }
  JsonWriter& Close(char c) {
    out_.push_back(c);
    return Done();
  }

  std::string& out_;
  bool comma_ = false;      // a value was written at this level: the next one needs a comma
  bool after_key_ = false;  // a key was written: its value follows without a comma
};

}  // namespace spode

#endif  // SPODE_COMMON_JSON_WRITER_H_
