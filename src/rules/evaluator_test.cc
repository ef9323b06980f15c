#include "rules/evaluator.h"

#include <gtest/gtest.h>

namespace spode::rules {
namespace {
TEST(Smoke, Builds) { EXPECT_TRUE(true); }
}  // namespace
}  // namespace spode::rules
