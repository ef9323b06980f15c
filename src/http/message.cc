#include "http/message.h"

#include <spdlog/spdlog.h>

namespace spode::http {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (EqualsIgnoreCase(field, name)) return value;
  }
  return {};
}

Response Text(std::string body, int status, std::string content_type) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

void PendingResponse::Resolve(Response response) {
  std::function<void()> ready;
  {
    std::lock_guard lock(mu_);
    if (response_) {
      spdlog::error("http: a pending response was resolved twice; the second answer is dropped");
      return;
    }
    response_ = std::move(response);
    ready = std::move(ready_);
  }
  if (ready) ready();
}

void PendingResponse::OnResolved(std::function<void()> ready) {
  {
    std::lock_guard lock(mu_);
    if (!response_) {
      ready_ = std::move(ready);
      return;
    }
  }
  ready();
}

Response PendingResponse::Take() {
  std::lock_guard lock(mu_);
  Response out = response_ ? std::move(*response_) : Response{};
  response_.reset();
  return out;
}

Response Later(std::shared_ptr<PendingResponse> pending) {
  Response response;
  response.pending = std::move(pending);
  return response;
}

Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return InvalidArgumentError("malformed percent-encoding at offset " + std::to_string(i));
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    ASSIGN_OR_RETURN(std::string name, PercentDecode(raw_name, /*plus_is_space=*/true));
    ASSIGN_OR_RETURN(std::string value, PercentDecode(raw_value, /*plus_is_space=*/true));
    params.emplace(std::move(name), std::move(value));  // emplace keeps the first value
  }
  return params;
}

}  // namespace spode::http
