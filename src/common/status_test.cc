#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace spode {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(Status::Ok(), Status());
  EXPECT_EQ(OkStatus(), Status());
}

TEST(StatusTest, CodeNames) {
  const std::vector<std::pair<StatusCode, std::string_view>> kNames = {
      {StatusCode::kOk, "OK"},
      {StatusCode::kInvalidArgument, "INVALID_ARGUMENT"},
      {StatusCode::kNotFound, "NOT_FOUND"},
      {StatusCode::kAlreadyExists, "ALREADY_EXISTS"},
      {StatusCode::kFailedPrecondition, "FAILED_PRECONDITION"},
      {StatusCode::kPermissionDenied, "PERMISSION_DENIED"},
      {StatusCode::kUnauthenticated, "UNAUTHENTICATED"},
      {StatusCode::kResourceExhausted, "RESOURCE_EXHAUSTED"},
      {StatusCode::kAborted, "ABORTED"},
      {StatusCode::kOutOfRange, "OUT_OF_RANGE"},
      {StatusCode::kUnimplemented, "UNIMPLEMENTED"},
      {StatusCode::kUnavailable, "UNAVAILABLE"},
      {StatusCode::kDeadlineExceeded, "DEADLINE_EXCEEDED"},
      {StatusCode::kDataLoss, "DATA_LOSS"},
      {StatusCode::kInternal, "INTERNAL"},
  };
  for (const auto& [code, name] : kNames) {
    EXPECT_EQ(StatusCodeName(code), name) << static_cast<int>(code);
  }
  EXPECT_EQ(StatusCodeName(static_cast<StatusCode>(999)), "UNKNOWN");
}

TEST(StatusTest, HelpersSetCodeAndMessage) {
  struct Case {
    Status status;
    StatusCode code;
  };
  const std::vector<Case> kCases = {
      {InvalidArgumentError("m"), StatusCode::kInvalidArgument},
      {NotFoundError("m"), StatusCode::kNotFound},
      {AlreadyExistsError("m"), StatusCode::kAlreadyExists},
      {FailedPreconditionError("m"), StatusCode::kFailedPrecondition},
      {PermissionDeniedError("m"), StatusCode::kPermissionDenied},
      {UnauthenticatedError("m"), StatusCode::kUnauthenticated},
      {ResourceExhaustedError("m"), StatusCode::kResourceExhausted},
      {AbortedError("m"), StatusCode::kAborted},
      {OutOfRangeError("m"), StatusCode::kOutOfRange},
      {UnimplementedError("m"), StatusCode::kUnimplemented},
      {UnavailableError("m"), StatusCode::kUnavailable},
      {DeadlineExceededError("m"), StatusCode::kDeadlineExceeded},
      {DataLossError("m"), StatusCode::kDataLoss},
      {InternalError("m"), StatusCode::kInternal},
  };
  for (const Case& c : kCases) {
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.message(), "m");
  }
}

TEST(StatusTest, ToString) {
  EXPECT_EQ(InvalidArgumentError("bad check digit").ToString(),
            "INVALID_ARGUMENT: bad check digit");
  EXPECT_EQ(NotFoundError("").ToString(), "NOT_FOUND: ");
  // An OK status prints as OK whatever message it carries.
  EXPECT_EQ(Status(StatusCode::kOk, "ignored").ToString(), "OK");
}

TEST(StatusTest, StreamsAsToString) {
  std::ostringstream os;
  os << DataLossError("hash mismatch");
  EXPECT_EQ(os.str(), "DATA_LOSS: hash mismatch");
}

TEST(StatusTest, Equality) {
  EXPECT_EQ(NotFoundError("x"), NotFoundError("x"));
  EXPECT_NE(NotFoundError("x"), NotFoundError("y"));
  EXPECT_NE(NotFoundError("x"), InvalidArgumentError("x"));
  EXPECT_NE(Status(), NotFoundError(""));
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status s = NotFoundError("household 12").WithContext("loading cycle 3");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "loading cycle 3: household 12");
  EXPECT_EQ(s.WithContext("import").message(), "import: loading cycle 3: household 12");
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  Status s = OkStatus().WithContext("anything");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

// --- RETURN_IF_ERROR -------------------------------------------------------------------------

int g_after_return_if_error = 0;

Status PassThrough(Status in) {
  RETURN_IF_ERROR(in);
  ++g_after_return_if_error;
  return AbortedError("reached the end");
}

TEST(ReturnIfErrorTest, PropagatesTheExactStatus) {
  g_after_return_if_error = 0;
  Status in = PermissionDeniedError("not a district officer");
  EXPECT_EQ(PassThrough(in), in);
  EXPECT_EQ(g_after_return_if_error, 0);
}

TEST(ReturnIfErrorTest, ContinuesOnOk) {
  g_after_return_if_error = 0;
  EXPECT_EQ(PassThrough(OkStatus()), AbortedError("reached the end"));
  EXPECT_EQ(g_after_return_if_error, 1);
}

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgumentError(std::to_string(n) + " is odd");
  return n / 2;
}

Status CheckEven(int n) {
  RETURN_IF_ERROR(Half(n));  // accepts a Result too
  return OkStatus();
}

TEST(ReturnIfErrorTest, AcceptsResult) {
  EXPECT_EQ(CheckEven(7), InvalidArgumentError("7 is odd"));
  EXPECT_EQ(CheckEven(8), OkStatus());
}

int g_evaluations = 0;
Status CountedFailure() {
  ++g_evaluations;
  return UnavailableError("database down");
}

Result<std::string> UsesReturnIfErrorInResultFunction() {
  RETURN_IF_ERROR(CountedFailure());
  return std::string("unreachable");
}

TEST(ReturnIfErrorTest, EvaluatesOnceAndWorksInResultFunctions) {
  g_evaluations = 0;
  Result<std::string> r = UsesReturnIfErrorInResultFunction();
  EXPECT_EQ(g_evaluations, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), UnavailableError("database down"));
}

// --- Result ----------------------------------------------------------------------------------

TEST(ResultTest, HoldsValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(r.value(), 42);
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.status(), OkStatus());
}

TEST(ResultTest, HoldsStatus) {
  Result<int> r = NotFoundError("no such beneficiary");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status(), NotFoundError("no such beneficiary"));
}

TEST(ResultTest, ConvertingConstructor) {
  Result<std::string> r = "literal";  // const char[8] -> std::string
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "literal");
  EXPECT_EQ(r->size(), 7u);
}

TEST(ResultTest, MutableAccess) {
  Result<std::vector<int>> r = std::vector<int>{1, 2};
  r->push_back(3);
  (*r)[0] = 9;
  EXPECT_EQ(*r, (std::vector<int>{9, 2, 3}));
}

TEST(ResultTest, ValueOr) {
  Result<int> good = 7;
  Result<int> bad = InternalError("x");
  EXPECT_EQ(good.value_or(-1), 7);
  EXPECT_EQ(bad.value_or(-1), -1);
  Result<std::string> bad_string = NotFoundError("x");
  EXPECT_EQ(bad_string.value_or("fallback"), "fallback");
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 5);
  std::unique_ptr<int> taken = std::move(r).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 5);

  Result<std::unique_ptr<int>> failed = ResourceExhaustedError("no memory budget");
  EXPECT_EQ(failed.status().code(), StatusCode::kResourceExhausted);
}

struct Base {
  virtual ~Base() = default;
  virtual int Id() const { return 1; }
};
struct Derived : Base {
  int Id() const override { return 2; }
};

TEST(ResultTest, ConvertsUniquePtrToBase) {
  Result<std::unique_ptr<Base>> r = std::make_unique<Derived>();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Id(), 2);
}

#ifndef NDEBUG
TEST(ResultDeathTest, BuildingFromOkStatusAbortsInDebug) {
  EXPECT_DEATH(
      {
        Result<int> r = OkStatus();
        (void)r;
      },
      "");
}
#endif

TEST(ResultDeathTest, ValueOfFailedResultAborts) {
  Result<int> r = InternalError("x");
  EXPECT_DEATH({ (void)r.value(); }, "");
}

// --- ASSIGN_OR_RETURN -------------------------------------------------------------------------

Result<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(AssignOrReturnTest, AssignsOnSuccess) {
  Result<int> r = Quarter(20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 5);
}

TEST(AssignOrReturnTest, PropagatesTheExactStatus) {
  EXPECT_EQ(Quarter(7).status(), InvalidArgumentError("7 is odd"));
  EXPECT_EQ(Quarter(10).status(), InvalidArgumentError("5 is odd"));  // second step fails
}

Result<std::unique_ptr<int>> MakeBox(int v) {
  if (v < 0) return OutOfRangeError("negative");
  return std::make_unique<int>(v);
}

Status UnboxInto(int v, int* out) {
  ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(v));
  *out = *box;
  return OkStatus();
}

TEST(AssignOrReturnTest, MoveOnlyTypesAndStatusFunctions) {
  int out = 0;
  EXPECT_EQ(UnboxInto(3, &out), OkStatus());
  EXPECT_EQ(out, 3);
  out = 0;
  EXPECT_EQ(UnboxInto(-1, &out), OutOfRangeError("negative"));
  EXPECT_EQ(out, 0);
}

Status AssignToExisting(int n, int* out) {
  int value = -1;
  ASSIGN_OR_RETURN(value, Half(n));
  *out = value;
  return OkStatus();
}

TEST(AssignOrReturnTest, AssignsToAnExistingVariable) {
  int out = 0;
  EXPECT_EQ(AssignToExisting(12, &out), OkStatus());
  EXPECT_EQ(out, 6);
}

}  // namespace
}  // namespace spode
