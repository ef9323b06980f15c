#include "rules/value.h"

#include <cassert>
#include <charconv>
#include <cstdio>
#include <ostream>

namespace spode::rules {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kMissing:
      return "missing";
    case ErrorKind::kDivisionByZero:
      return "division_by_zero";
    case ErrorKind::kOverflow:
      return "overflow";
    case ErrorKind::kInvalidArgument:
      return "invalid_argument";
    case ErrorKind::kBadInput:
      return "bad_input";
  }
  return "?";
}

std::string EvalError::Message() const {
  switch (kind) {
    case ErrorKind::kMissing:
      return detail + " is missing";
    case ErrorKind::kDivisionByZero:
      return "division by zero" + (detail.empty() ? "" : " in " + detail);
    case ErrorKind::kOverflow:
      return "overflow" + (detail.empty() ? "" : " in " + detail);
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kBadInput:
      return detail;
  }
  return detail;
}

Value Value::List(std::vector<Value> elements) {
  return Value(Data(std::make_shared<const std::vector<Value>>(std::move(elements))));
}

Value Value::Error(EvalError error) {
  return Value(Data(std::make_shared<const EvalError>(std::move(error))));
}

Value Value::Error(ErrorKind kind, std::string detail, SourcePos pos) {
  EvalError e;
  e.kind = kind;
  e.detail = std::move(detail);
  e.pos = pos;
  return Error(std::move(e));
}

namespace {
template <typename T>
const T& Get(const auto& data) {
  static const T kZero{};
  const T* p = std::get_if<T>(&data);
  assert(p != nullptr);
  return p != nullptr ? *p : kZero;
}
}  // namespace

bool Value::bool_value() const { return Get<bool>(data_); }
int64_t Value::int_value() const { return Get<int64_t>(data_); }
double Value::double_value() const { return Get<double>(data_); }
const std::string& Value::string_value() const { return Get<std::string>(data_); }
Date Value::date_value() const { return Get<Date>(data_); }

const std::vector<Value>& Value::list() const {
  static const std::vector<Value> kEmpty;
  const auto& p = Get<std::shared_ptr<const std::vector<Value>>>(data_);
  return p ? *p : kEmpty;
}

const EvalError& Value::error() const {
  static const EvalError kNone;
  const auto& p = Get<std::shared_ptr<const EvalError>>(data_);
  return p ? *p : kNone;
}

namespace {

std::string DoubleText(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, ec == std::errc() ? end : buf);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string StringLiteral(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string Value::DebugString() const {
  switch (kind()) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return bool_value() ? "true" : "false";
    case Kind::kInt:
      return std::to_string(int_value());
    case Kind::kDouble:
      return DoubleText(double_value());
    case Kind::kString:
      return StringLiteral(string_value());
    case Kind::kDate: {
      Date d = date_value();
      // Date::ToString is defined for 1800..9999; print other day counts raw.
      if (!DateInRange(d)) {
        return "date(" + std::to_string(d.days()) + " days)";
      }
      return "date(\"" + d.ToString() + "\")";
    }
    case Kind::kList: {
      std::string out = "[";
      for (const Value& v : list()) {
        if (out.size() > 1) out += ", ";
        out += v.DebugString();
      }
      return out + "]";
    }
    case Kind::kError: {
      const EvalError& e = error();
      return "error(" + std::string(ErrorKindName(e.kind)) + ": " + e.detail + ")";
    }
  }
  return "?";
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kNull:
      return true;
    case Value::Kind::kBool:
      return a.bool_value() == b.bool_value();
    case Value::Kind::kInt:
      return a.int_value() == b.int_value();
    case Value::Kind::kDouble:
      return a.double_value() == b.double_value();
    case Value::Kind::kString:
      return a.string_value() == b.string_value();
    case Value::Kind::kDate:
      return a.date_value() == b.date_value();
    case Value::Kind::kList:
      return a.list() == b.list();
    case Value::Kind::kError:
      return a.error().kind == b.error().kind && a.error().detail == b.error().detail;
  }
  return false;
}

std::ostream& operator<<(std::ostream& os, const Value& v) { return os << v.DebugString(); }

}  // namespace spode::rules
