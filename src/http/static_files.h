// StaticFiles: serves the built web front end (web/dist) as the router's fallback, so the
// single-page app lives at `/` beside the API.
//
//   http::StaticFiles web(http::ResolveWebRoot(options.web_root));
//   router.SetFallback([&web](http::Request& r) { return web.Serve(r); });
//
// Serve(request) outcomes:
//   - a method other than GET or HEAD: 404 problem (NOT_FOUND), as for any unknown route;
//   - a path under /api/, /oauth2/ or /dev/ (an unknown API route): 404 problem, never the page;
//   - a path that decodes to anything unsafe (a ".." or "." segment, a backslash, a NUL, a
//     malformed %XX, a hidden file): 404 problem; nothing outside the root is ever read, also
//     through a symbolic link;
//   - an existing regular file under the root: its bytes, the content type from its extension
//     (unknown: application/octet-stream), X-Content-Type-Options: nosniff, and
//       Cache-Control "public, max-age=31536000, immutable" under /assets/ (Vite puts a content
//       hash in those names), "no-cache" for everything else (index.html must be revalidated);
//     when the client accepts gzip and FILE.gz exists beside it, FILE.gz with
//     Content-Encoding: gzip (Vary: Accept-Encoding either way for compressible types);
//   - a missing path whose last segment has no '.':
//       an app route (IsAppRoute: "/", /citizen..., /staff...): index.html, 200, no-cache, so
//       deep links and reloads work;
//       any other path: for a browser (Accept names text/html) index.html with status 404 (the
//       app shows its "no page at this address"); for any other client a 404 problem;
//   - a missing file with an extension: 404 problem;
//   - no index.html under the root (the front end was not built): 404 problem whose detail says
//     to run scripts/web.sh build.
//
// Thread-safety: Serve is const and reads the file system on each call; safe on many threads.
#ifndef SPODE_HTTP_STATIC_FILES_H_
#define SPODE_HTTP_STATIC_FILES_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "http/message.h"

namespace spode::http {

class StaticFiles {
 public:
  // `root` is the directory holding index.html and assets/; it need not exist yet.
  explicit StaticFiles(std::filesystem::path root);

  Response Serve(const Request& request) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;  // absolute, lexically normal
};

// The top-level routes of the single-page app (web/src/main.tsx): a path equal to one or
// below it ("/citizen/payments") is a page of the app.
inline constexpr std::string_view kAppRoutes[] = {"/citizen", "/staff"};

// True for "/" and the paths under kAppRoutes.
bool IsAppRoute(std::string_view path);

// The content type for a file name by its extension (".js" → "text/javascript; charset=utf-8"),
// "application/octet-stream" when unknown.
std::string_view ContentTypeFor(std::string_view file_name);

// The web root to serve: `configured` when not empty; else the first of <directory of the
// running binary>/web/dist, <that directory>/../web/dist (build/spode in the source tree) and
// ./web/dist that holds an index.html; else ./web/dist.
std::filesystem::path ResolveWebRoot(std::string_view configured);

}  // namespace spode::http

#endif  // SPODE_HTTP_STATIC_FILES_H_
