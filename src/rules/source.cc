#include "rules/source.h"

#include <cstdio>

namespace spode::rules {

std::string SourcePos::ToString() const {
  return std::to_string(line) + ":" + std::to_string(column);
}

Status RuleError(SourcePos pos, std::string_view message) {
  return InvalidArgumentError(pos.ToString() + ": " + std::string(message));
}

Status RuleLimitError(SourcePos pos, std::string_view message) {
  return ResourceExhaustedError(pos.ToString() + ": " + std::string(message));
}

std::string Quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

}  // namespace spode::rules
