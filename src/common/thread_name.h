// Names for the threads spode starts, so that `top -H`, `ps -T`, perf and gdb say which is which
// ("spode-http-0", "spode-accesslog") instead of "spode" for all of them.
//
//   std::thread([] { NameThisThread("spode-outbox"); ... });
//
// Linux keeps at most 15 bytes of a thread's name: a longer name is cut there. Thread-safety:
// each call names only the calling thread.
#ifndef SPODE_COMMON_THREAD_NAME_H_
#define SPODE_COMMON_THREAD_NAME_H_

#include <string>
#include <string_view>

namespace spode {

inline constexpr size_t kMaxThreadName = 15;

void NameThisThread(std::string_view name);

// The calling thread's name as the kernel holds it ("" when it cannot be read).
std::string ThisThreadName();

}  // namespace spode

#endif  // SPODE_COMMON_THREAD_NAME_H_
