#include "common/thread_name.h"

#include <gtest/gtest.h>

#include <thread>

namespace spode {
namespace {

TEST(ThreadNameTest, AThreadCarriesItsNameAndALongOneIsCutAtFifteenBytes) {
  std::string short_name, long_name;
  std::thread([&] {
    NameThisThread("spode-outbox");
    short_name = ThisThreadName();
    NameThisThread("spode-a-name-longer-than-fifteen");
    long_name = ThisThreadName();
  }).join();
  EXPECT_EQ(short_name, "spode-outbox");
  EXPECT_EQ(long_name, "spode-a-name-lo");
}

TEST(ThreadNameTest, NamingOneThreadLeavesTheOthersAlone) {
  const std::string mine = ThisThreadName();
  std::thread([] { NameThisThread("spode-other"); }).join();
  EXPECT_EQ(ThisThreadName(), mine);
  EXPECT_NE(mine, "spode-other");
}

}  // namespace
}  // namespace spode
