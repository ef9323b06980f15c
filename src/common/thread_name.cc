#include "common/thread_name.h"

#include <pthread.h>

namespace spode {

void NameThisThread(std::string_view name) {
  std::string cut(name.substr(0, kMaxThreadName));
  pthread_setname_np(pthread_self(), cut.c_str());  // fails only for a name over 15 bytes
}

std::string ThisThreadName() {
  char buf[kMaxThreadName + 1] = {};
  if (pthread_getname_np(pthread_self(), buf, sizeof buf) != 0) return "";
  return buf;
}

}  // namespace spode
