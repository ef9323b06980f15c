// Result<T>: a value of type T, or the Status saying why there is none.
//
//   Result<Money> m = Money::Parse("1,23,456.50");
//   if (!m.ok()) return m.status();
//   Use(*m);
//
//   ASSIGN_OR_RETURN(Money amount, Money::Parse(text));
//
// A Result is never constructed from an OK status (that is a bug: it aborts in debug builds and
// becomes an INTERNAL error in release builds). Accessing the value of a failed Result aborts:
// check ok() first, or use ASSIGN_OR_RETURN.
#ifndef SPODE_COMMON_RESULT_H_
#define SPODE_COMMON_RESULT_H_

#include <cassert>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/status.h"

namespace spode {

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& value) : data_(value) {}                // NOLINT: implicit by design
  Result(T&& value) : data_(std::move(value)) {}          // NOLINT
  Result(Status status) : data_(std::move(status)) {      // NOLINT
    assert(!std::get<Status>(data_).ok());
    if (std::get<Status>(data_).ok()) data_ = InternalError("Result built from an OK status");
  }
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, Result<T>> &&
                                        !std::is_same_v<std::decay_t<U>, T>>>
  Result(U&& value) : data_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(data_); }

  // OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(data_); }

  const T& value() const& { CheckOk(); return std::get<T>(data_); }
  T& value() & { CheckOk(); return std::get<T>(data_); }
  T&& value() && { CheckOk(); return std::get<T>(std::move(data_)); }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` when there is none.
  T value_or(T fallback) const& { return ok() ? std::get<T>(data_) : std::move(fallback); }

 private:
  void CheckOk() const {
    if (!ok()) std::abort();  // a caller skipped ok(): a bug, never input-driven
  }
  std::variant<T, Status> data_;
};

namespace internal {
template <typename T>
Status ToStatus(const Result<T>& r) { return r.status(); }
}  // namespace internal

}  // namespace spode

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

// ASSIGN_OR_RETURN(auto x, Compute()); returns the status from the enclosing function on failure.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(SPODE_CONCAT_(spode_result_, __LINE__), lhs, expr)

#endif  // SPODE_COMMON_RESULT_H_
