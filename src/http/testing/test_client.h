// A small blocking HTTP/1.1 client on POSIX sockets, for tests of the server: it sends raw bytes
// (so tests can send malformed or partial requests) and parses responses framed by
// Content-Length. Every wait is bounded by a timeout, so a broken server fails a test instead of
// hanging it.
//
// Thread-safety: one TestClient per thread.
#ifndef SPODE_HTTP_TESTING_TEST_CLIENT_H_
#define SPODE_HTTP_TESTING_TEST_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"

namespace spode::http::testing {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (EqualsIgnoreCase(n, name)) return v;
    }
    return {};
  }
};

class TestClient {
 public:
  explicit TestClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      connect_errno_ = errno;
      ::close(fd_);
      fd_ = -1;
    } else {
      int one = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
  }
  ~TestClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int connect_errno() const { return connect_errno_; }

  // False when the connection is gone.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response. nullopt when the connection closes or `timeout_ms` passes first. For a
  // response to HEAD pass `head`: its Content-Length announces a body that is not sent.
  std::optional<ClientResponse> Read(int timeout_ms = 3000, bool head = false) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    ClientResponse response;
    std::string_view head_text(buffer_.data(), header_end);
    size_t line_end = head_text.find("\r\n");
    std::string_view status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    response.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    size_t content_length = 0;
    while (line_end != std::string_view::npos) {
      head_text.remove_prefix(line_end + 2);
      line_end = head_text.find("\r\n");
      std::string_view line = head_text.substr(0, line_end);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(line.substr(0, colon));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (EqualsIgnoreCase(name, "content-length")) {
        content_length = std::strtoul(std::string(value).c_str(), nullptr, 10);
      }
      response.headers.emplace_back(std::move(name), std::string(value));
    }
    buffer_.erase(0, header_end + 4);
    if (head || response.status < 200 || response.status == 204 || response.status == 304) {
      content_length = 0;
    }
    while (buffer_.size() < content_length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    response.body = buffer_.substr(0, content_length);
    buffer_.erase(0, content_length);
    return response;
  }

  // Sends a request and reads its response.
  std::optional<ClientResponse> RoundTrip(std::string_view request, int timeout_ms = 3000) {
    if (!Send(request)) return std::nullopt;
    return Read(timeout_ms, request.substr(0, 5) == "HEAD ");
  }

  // True when the peer closes the connection (EOF or reset) within `timeout_ms`; data that
  // arrives meanwhile is kept for Read.
  bool WaitForClose(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      int status = FillOnce(deadline);
      if (status < 0) return true;    // closed
      if (status == 0) return false;  // timed out
    }
  }

  // True when the peer has closed the connection already (checks without waiting long).
  bool IsClosed() { return WaitForClose(1); }

 private:
  // 1: read data, 0: timeout, -1: closed or error.
  int FillOnce(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return 0;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready == 0) return 0;
    if (ready < 0) return -1;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return -1;
    buffer_.append(chunk, static_cast<size_t>(n));
    return 1;
  }
  bool Fill(std::chrono::steady_clock::time_point deadline) { return FillOnce(deadline) > 0; }

  int fd_ = -1;
  int connect_errno_ = 0;
  std::string buffer_;
};

// "GET /path HTTP/1.1" with a Host header and `extra` header lines (each ending in "\r\n").
inline std::string GetRequest(std::string_view path, std::string_view extra = {}) {
  std::string r = "GET ";
  r += path;
  r += " HTTP/1.1\r\nHost: test\r\n";
  r += extra;
  r += "\r\n";
  return r;
}

inline std::string PostRequest(std::string_view path, std::string_view body,
                               std::string_view extra = {}) {
  std::string r = "POST ";
  r += path;
  r += " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ";
  r += std::to_string(body.size());
  r += "\r\n";
  r += extra;
  r += "\r\n";
  r += body;
  return r;
}

}  // namespace spode::http::testing

#endif  // SPODE_HTTP_TESTING_TEST_CLIENT_H_
