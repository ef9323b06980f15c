// JSON for HTTP handlers: responses, request bodies parsed with clear 400 errors, and typed
// field getters whose errors name the field.
//
//   Response CreateGrievance(Request& request) {
//     Result<nlohmann::json> body = ParseJsonObject(request.body);
//     if (!body.ok()) return Problem(body.status(), request.request_id);
//     if (Status s = CheckKnownFields(*body, {"category", "text", "member_id"}); !s.ok()) {
//       return Problem(s, request.request_id);
//     }
//     Result<std::string> text = GetRequired<std::string>(*body, "text");
//     Result<std::optional<int64_t>> member = GetOptional<int64_t>(*body, "member_id");
//     ...
//     return Json({{"ticket", ticket}}, 201);
//   }
//
// Every error is INVALID_ARGUMENT (HTTP 400 through Problem) with a message a client developer
// can act on: "malformed JSON at byte 17: ...", "JSON nested deeper than 32 levels at byte 40",
// "invalid UTF-8 at byte 3", "field 'age' must be an integer, not string",
// "field 'text' is required", "unknown field 'colour'".
//
// Supported field types T: bool, int (range-checked), int64_t, double, std::string and
// nlohmann::json (any value). A JSON null counts as absent for GetOptional and as a type error
// for GetRequired.
//
// Thread-safety: free functions without shared state.
#ifndef SPODE_HTTP_JSON_H_
#define SPODE_HTTP_JSON_H_

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "http/message.h"

namespace spode::http {

inline constexpr int kMaxJsonDepth = 32;

// A JSON response. Invalid UTF-8 in strings is replaced (U+FFFD), never thrown.
Response Json(const nlohmann::json& value, int status = 200);

// Parses `text` as one JSON value. INVALID_ARGUMENT when it is empty, not valid UTF-8, nested
// deeper than `max_depth` arrays/objects, or malformed (the message gives the byte offset,
// counted from 0).
Result<nlohmann::json> ParseJson(std::string_view text, int max_depth = kMaxJsonDepth);

// As ParseJson, and INVALID_ARGUMENT unless the value is an object.
Result<nlohmann::json> ParseJsonObject(std::string_view text, int max_depth = kMaxJsonDepth);

// OK when every member of `object` is named in `allowed`; else INVALID_ARGUMENT naming the
// first unknown field. INVALID_ARGUMENT when `object` is not an object.
Status CheckKnownFields(const nlohmann::json& object,
                        std::initializer_list<std::string_view> allowed);

namespace internal {
// Converts `value` (the member `field`) to the type of `out`, or INVALID_ARGUMENT naming the
// field and the expected type.
Status ConvertField(const nlohmann::json& value, std::string_view field, bool* out);
Status ConvertField(const nlohmann::json& value, std::string_view field, int* out);
Status ConvertField(const nlohmann::json& value, std::string_view field, int64_t* out);
Status ConvertField(const nlohmann::json& value, std::string_view field, double* out);
Status ConvertField(const nlohmann::json& value, std::string_view field, std::string* out);
Status ConvertField(const nlohmann::json& value, std::string_view field, nlohmann::json* out);
// The member `field` of `object`, or null when absent. INVALID_ARGUMENT when `object` is not
// an object.
Result<const nlohmann::json*> FindField(const nlohmann::json& object, std::string_view field);
}  // namespace internal

// The member `field` as a T. INVALID_ARGUMENT when absent, null or of another type.
template <typename T>
Result<T> GetRequired(const nlohmann::json& object, std::string_view field) {
  ASSIGN_OR_RETURN(const nlohmann::json* value, internal::FindField(object, field));
  if (value == nullptr) {
    return InvalidArgumentError("field '" + std::string(field) + "' is required");
  }
  T out{};
  RETURN_IF_ERROR(internal::ConvertField(*value, field, &out));
  return out;
}

// The member `field` as a T, or nullopt when absent or null. INVALID_ARGUMENT for another type.
template <typename T>
Result<std::optional<T>> GetOptional(const nlohmann::json& object, std::string_view field) {
  ASSIGN_OR_RETURN(const nlohmann::json* value, internal::FindField(object, field));
  if (value == nullptr || value->is_null()) return std::optional<T>();
  T out{};
  RETURN_IF_ERROR(internal::ConvertField(*value, field, &out));
  return std::optional<T>(std::move(out));
}

}  // namespace spode::http

#endif  // SPODE_HTTP_JSON_H_
