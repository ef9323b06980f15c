#include "http/json.h"

#include <limits>

namespace spode::http {
namespace {

// The length of the UTF-8 sequence starting at text[i] (a byte >= 0x80), or 0 when it is not a
// well-formed sequence (Unicode Table 3-7: no overlong forms, no surrogates, <= U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) -> int {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : -1;
  };
  auto in = [](int b, int lo, int hi) { return b >= lo && b <= hi; };
  int b0 = byte(0);
  if (in(b0, 0xC2, 0xDF)) return in(byte(1), 0x80, 0xBF) ? 2 : 0;
  if (in(b0, 0xE0, 0xEF)) {
    int lo = b0 == 0xE0 ? 0xA0 : 0x80;
    int hi = b0 == 0xED ? 0x9F : 0xBF;
    return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
  }
  if (in(b0, 0xF0, 0xF4)) {
    int lo = b0 == 0xF0 ? 0x90 : 0x80;
    int hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

// One pass before the parser: rejects invalid UTF-8 anywhere and nesting deeper than
// `max_depth`, so the parser never builds a deep tree.
Status ScanJson(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t length = Utf8SequenceLength(text, i);
      if (length == 0) return InvalidArgumentError("invalid UTF-8 at byte " + std::to_string(i));
      i += length;
      escaped = false;
      continue;
    }
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return InvalidArgumentError("JSON nested deeper than " + std::to_string(max_depth) +
                                    " levels at byte " + std::to_string(i));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
    ++i;
  }
  return OkStatus();
}

Status TypeError(std::string_view field, std::string_view expected, const nlohmann::json& value) {
  return InvalidArgumentError("field '" + std::string(field) + "' must be " +
                              std::string(expected) + ", not " + value.type_name());
}

}  // namespace

Response Json(const nlohmann::json& value, int status) {
  Response response;
  response.status = status;
  response.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Result<nlohmann::json> ParseJson(std::string_view text, int max_depth) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return InvalidArgumentError("the request body is empty; expected JSON");
  }
  RETURN_IF_ERROR(ScanJson(text, max_depth));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts from 1; what() reads "[json.exception.parse_error.101] parse error at line
    // 1, column 6: syntax error while parsing value - unexpected '}'; ...": keep the reason.
    std::string_view what = e.what();
    size_t colon = what.find(": ", what.find("column"));
    std::string_view reason = colon == std::string_view::npos ? what : what.substr(colon + 2);
    size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    return InvalidArgumentError("malformed JSON at byte " + std::to_string(offset) + ": " +
                                std::string(reason));
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("malformed JSON: ") + e.what());
  }
}

Result<nlohmann::json> ParseJsonObject(std::string_view text, int max_depth) {
  ASSIGN_OR_RETURN(nlohmann::json value, ParseJson(text, max_depth));
  if (!value.is_object()) {
    return InvalidArgumentError(std::string("expected a JSON object, not ") + value.type_name());
  }
  return value;
}

Status CheckKnownFields(const nlohmann::json& object,
                        std::initializer_list<std::string_view> allowed) {
  if (!object.is_object()) {
    return InvalidArgumentError(std::string("expected a JSON object, not ") + object.type_name());
  }
  for (const auto& [name, value] : object.items()) {
    bool known = false;
    for (std::string_view a : allowed) {
      if (a == name) {
        known = true;
        break;
      }
    }
    if (!known) return InvalidArgumentError("unknown field '" + name + "'");
  }
  return OkStatus();
}

namespace internal {

Result<const nlohmann::json*> FindField(const nlohmann::json& object, std::string_view field) {
  if (!object.is_object()) {
    return InvalidArgumentError("cannot read field '" + std::string(field) +
                                "': expected a JSON object, not " + object.type_name());
  }
  auto it = object.find(field);
  if (it == object.end()) return static_cast<const nlohmann::json*>(nullptr);
  return &*it;
}

Status ConvertField(const nlohmann::json& value, std::string_view field, bool* out) {
  if (!value.is_boolean()) return TypeError(field, "a boolean", value);
  *out = value.get<bool>();
  return OkStatus();
}

Status ConvertField(const nlohmann::json& value, std::string_view field, int64_t* out) {
  if (value.is_number_unsigned()) {
    auto u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgumentError("field '" + std::string(field) + "' is out of range");
    }
    *out = static_cast<int64_t>(u);
    return OkStatus();
  }
  if (!value.is_number_integer()) return TypeError(field, "an integer", value);
  *out = value.get<int64_t>();
  return OkStatus();
}

Status ConvertField(const nlohmann::json& value, std::string_view field, int* out) {
  int64_t wide = 0;
  RETURN_IF_ERROR(ConvertField(value, field, &wide));
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    return InvalidArgumentError("field '" + std::string(field) + "' is out of range");
  }
  *out = static_cast<int>(wide);
  return OkStatus();
}

Status ConvertField(const nlohmann::json& value, std::string_view field, double* out) {
  if (!value.is_number()) return TypeError(field, "a number", value);
  *out = value.get<double>();
  return OkStatus();
}

Status ConvertField(const nlohmann::json& value, std::string_view field, std::string* out) {
  if (!value.is_string()) return TypeError(field, "a string", value);
  *out = value.get<std::string>();
  return OkStatus();
}

Status ConvertField(const nlohmann::json& value, std::string_view, nlohmann::json* out) {
  *out = value;
  return OkStatus();
}

}  // namespace internal
}  // namespace spode::http
