#include "grievance/internal/util.h"

#include "registry/household.h"

namespace spode::grievance::internal {

Status CheckText(std::string_view text, std::string_view field, size_t max_chars) {
  if (!registry::ValidUtf8(text)) {
    return InvalidArgumentError(std::string(field) + ": not valid UTF-8 text");
  }
  size_t chars = 0;
  bool visible = false;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++chars;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
      return InvalidArgumentError(std::string(field) + ": control characters are not allowed");
    }
    if (c == 0x7F) {
      return InvalidArgumentError(std::string(field) + ": control characters are not allowed");
    }
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') visible = true;
  }
  if (!visible) return InvalidArgumentError(std::string(field) + ": is empty");
  if (chars > max_chars) {
    return InvalidArgumentError(std::string(field) + ": at most " + std::to_string(max_chars) +
                                " characters");
  }
  return OkStatus();
}

Status CheckCode(std::string_view text, std::string_view field, size_t max_chars) {
  if (text.empty() || text.size() > max_chars) {
    return InvalidArgumentError(std::string(field) + ": 1.." + std::to_string(max_chars) +
                                " characters");
  }
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == ':' || c == '.' || c == '/';
    if (!ok) {
      return InvalidArgumentError(std::string(field) +
                                  ": only letters, digits and - _ : . / are allowed");
    }
  }
  return OkStatus();
}

std::optional<PaymentFailure> FailureFromDetail(const nlohmann::json& detail) {
  if (!detail.is_object()) return std::nullopt;
  PaymentFailure f;
  auto who = detail.find("who_acts");
  if (who == detail.end()) return std::nullopt;
  if (who->is_string()) {
    f.party = who->get<std::string>();
  } else if (who->is_array() && !who->empty() && (*who)[0].is_string()) {
    f.party = (*who)[0].get<std::string>();
  } else {
    return std::nullopt;
  }
  for (const char* key : {"bank_code", "bank", "ifsc"}) {
    auto it = detail.find(key);
    if (it != detail.end() && it->is_string()) {
      f.ifsc = it->get<std::string>();
      break;
    }
  }
  return f;
}

}  // namespace spode::grievance::internal
