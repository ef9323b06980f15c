#include "http/static_files.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/problem.h"

namespace spode::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Response NotFound(const Request& request, std::string detail) {
  return Problem(NotFoundError(std::move(detail)), request.request_id);
}

// The decoded path's segments, or false when any is unsafe.
bool SafeSegments(std::string_view decoded, std::vector<std::string>& out) {
  if (decoded.empty() || decoded.front() != '/') return false;
  size_t i = 1;
  while (i <= decoded.size()) {
    size_t slash = decoded.find('/', i);
    if (slash == std::string_view::npos) slash = decoded.size();
    std::string_view segment = decoded.substr(i, slash - i);
    if (!segment.empty()) {
      if (segment.front() == '.') return false;  // ".", "..", hidden files
      for (char c : segment) {
        if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return false;
      }
      out.emplace_back(segment);
    }
    i = slash + 1;
  }
  return true;
}

bool ReadFile(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = std::move(buffer).str();
  return !in.bad();
}

bool IsCompressible(std::string_view content_type) {
  return StartsWith(content_type, "text/") || StartsWith(content_type, "application/json") ||
         StartsWith(content_type, "image/svg+xml") ||
         StartsWith(content_type, "application/manifest+json");
}

bool AcceptsGzip(const Request& request) {
  std::string_view accept = request.Header("accept-encoding");
  return accept.find("gzip") != std::string_view::npos;
}

// True when `path` (which exists) resolves inside `root` after following symbolic links.
bool Inside(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  fs::path real_root = fs::canonical(root, ec);
  if (ec) return false;
  fs::path real = fs::canonical(path, ec);
  if (ec) return false;
  auto [r, p] = std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end());
  return r == real_root.end();
}

}  // namespace

bool IsAppRoute(std::string_view path) {
  if (path == "/") return true;
  for (std::string_view prefix : kAppRoutes) {
    if (path == prefix ||
        (StartsWith(path, prefix) && path.size() > prefix.size() && path[prefix.size()] == '/')) {
      return true;
    }
  }
  return false;
}

StaticFiles::StaticFiles(fs::path root) : root_(fs::absolute(std::move(root)).lexically_normal()) {}

std::string_view ContentTypeFor(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".gz", "application/gzip"},
  }};
  size_t dot = file_name.rfind('.');
  size_t slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string ext(file_name.substr(dot));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

Response StaticFiles::Serve(const Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    return NotFound(request, "no route for " + request.method + " " + request.path);
  }
  if (StartsWith(request.path, "/api/") || StartsWith(request.path, "/oauth2/") ||
      StartsWith(request.path, "/dev/") || request.path == "/api") {
    return NotFound(request, "no route for " + request.path);
  }
  auto decoded = PercentDecode(request.path, /*plus_is_space=*/false);
  std::vector<std::string> segments;
  if (!decoded.ok() || !SafeSegments(*decoded, segments)) {
    return NotFound(request, "no file at this path");
  }
  fs::path file = root_;
  for (const std::string& s : segments) file /= s;
  bool has_extension = !segments.empty() && segments.back().find('.') != std::string::npos;
  bool hashed = !segments.empty() && segments.front() == "assets";

  std::error_code ec;
  int status = 200;
  if (segments.empty() || !fs::is_regular_file(file, ec)) {
    if (has_extension) return NotFound(request, "no file at this path");
    if (!IsAppRoute(request.path)) {
      // Not a page of the app: a browser gets the app (which says so) with a 404 status, any
      // other client the problem document.
      if (request.Header("accept").find("text/html") == std::string_view::npos) {
        return NotFound(request, "no route for " + request.path);
      }
      status = 404;
    }
    file = root_ / "index.html";
    hashed = false;
    if (!fs::is_regular_file(file, ec)) {
      return NotFound(request,
                      "the web front end is not built (run scripts/web.sh build, or "
                      "give spode serve --web-root DIR)");
    }
  }
  if (!Inside(root_, file)) return NotFound(request, "no file at this path");

  Response response;
  response.status = status;
  response.content_type = std::string(ContentTypeFor(file.filename().string()));
  bool compressible = IsCompressible(response.content_type);
  fs::path gz = file;
  gz += ".gz";
  if (compressible && AcceptsGzip(request) && fs::is_regular_file(gz, ec) && Inside(root_, gz) &&
      ReadFile(gz, response.body)) {
    response.headers.emplace_back("Content-Encoding", "gzip");
  } else if (!ReadFile(file, response.body)) {
    return Problem(InternalError("cannot read " + file.string()), request.request_id);
  }
  if (compressible) response.headers.emplace_back("Vary", "Accept-Encoding");
  response.headers.emplace_back("Cache-Control", std::string(hashed ? kImmutable : kNoCache));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (StartsWith(response.content_type, "text/html")) {
    response.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'; form-action 'self'");
    response.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  return response;
}

fs::path ResolveWebRoot(std::string_view configured) {
  if (!configured.empty()) return fs::path(configured);
  std::vector<fs::path> candidates;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path dir = exe.parent_path();
    candidates.push_back(dir / "web" / "dist");
    candidates.push_back((dir / ".." / "web" / "dist").lexically_normal());
  }
  candidates.push_back(fs::path("web") / "dist");
  for (const fs::path& c : candidates) {
    if (fs::is_regular_file(c / "index.html", ec)) return c;
  }
  return fs::path("web") / "dist";
}

}  // namespace spode::http
