#include "common/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>

#include "common/verhoeff.h"

namespace spode {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A sink that formats, redacts and writes to stderr.
class RedactingStderrSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingStderrSink(bool json) : json_(json) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string payload = RedactNationalIds(std::string_view(msg.payload.data(), msg.payload.size()));
    std::string line;
    if (json_) {
      spdlog::memory_buf_t time_buf;
      auto secs = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
      line = "{\"ts_ms\":" + std::to_string(secs.count()) + ",\"level\":\"" +
             std::string(spdlog::level::to_string_view(msg.level).data(),
                         spdlog::level::to_string_view(msg.level).size()) +
             "\",\"msg\":\"" + JsonEscape(payload) + "\"}\n";
    } else {
      spdlog::memory_buf_t formatted;
      spdlog::details::log_msg copy = msg;
      copy.payload = payload;
      formatter_->format(copy, formatted);
      line.assign(formatted.data(), formatted.size());
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  static std::string JsonEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += c;
          }
      }
    }
    return out;
  }
  bool json_;
};

}  // namespace

std::string MaskNationalId(std::string_view last_four) {
  return "XXXX-XXXX-" + std::string(last_four);
}

std::string RedactNationalIds(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i]) || (i > 0 && IsDigit(text[i - 1]))) {
      out += text[i++];
      continue;
    }
    // Try 12 digits, either contiguous or in groups of four separated by one space or hyphen.
    std::string digits;
    size_t j = i;
    while (j < text.size() && digits.size() < 13) {
      if (IsDigit(text[j])) {
        digits += text[j++];
      } else if ((text[j] == ' ' || text[j] == '-') && digits.size() % 4 == 0 &&
                 digits.size() > 0 && digits.size() < 12 && j + 1 < text.size() &&
                 IsDigit(text[j + 1])) {
        ++j;
      } else {
        break;
      }
    }
    if (digits.size() == 12 && !(j < text.size() && IsDigit(text[j])) && VerhoeffValid(digits)) {
      out += MaskNationalId(digits.substr(8));
      i = j;
    } else {
      // Copy this run of digits unchanged.
      while (i < text.size() && IsDigit(text[i])) out += text[i++];
    }
  }
  return out;
}

void InitLogging(const LogOptions& options) {
  auto sink = std::make_shared<RedactingStderrSink>(options.format == "json");
  sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  auto logger = std::make_shared<spdlog::logger>("spode", sink);
  logger->set_level(spdlog::level::from_str(options.level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace spode
