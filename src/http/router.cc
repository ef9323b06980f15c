#include "http/router.h"

#include <algorithm>
#include <exception>

#include "http/problem.h"

namespace spode::http {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;
  std::string param_name;  // of `param`
  // Set when a pattern ends here.
  int pattern_index = kNoRoute;
  std::vector<std::string> param_names;  // of that pattern, in path order
  std::vector<std::pair<std::string, Handler>> handlers;
  std::string allow;  // the Allow header for a 405

  const Handler* Find(std::string_view method) const {
    for (const auto& [m, handler] : handlers) {
      if (m == method) return &handler;
    }
    return nullptr;
  }
};

namespace {

// Splits "/a/b" into {"a", "b"}; "/" gives {""}. `path` starts with '/'.
void SplitPath(std::string_view path, std::vector<std::string_view>* segments) {
  segments->clear();
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    segments->push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Visits every node matching segments[i..] in priority order (literal before parameter), with
// the parameter values captured so far in `values`. Stops when `visit` returns true.
template <typename Node, typename Visitor>
bool VisitMatches(const Node& node, const std::vector<std::string_view>& segments, size_t i,
                  std::vector<std::string_view>* values, const Visitor& visit) {
  if (i == segments.size()) return node.pattern_index != Router::kNoRoute && visit(node, *values);
  std::string_view segment = segments[i];
  if (auto it = node.literals.find(segment); it != node.literals.end()) {
    if (VisitMatches(*it->second, segments, i + 1, values, visit)) return true;
  }
  if (node.param != nullptr && !segment.empty()) {
    values->push_back(segment);
    if (VisitMatches(*node.param, segments, i + 1, values, visit)) return true;
    values->pop_back();
  }
  return false;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  auto invalid = [&](std::string_view why) {
    return InvalidArgumentError("route " + std::string(method) + " " + std::string(pattern) + ": " +
                                std::string(why));
  };
  if (method.empty()) return invalid("empty method");
  if (!handler) return invalid("empty handler");
  if (pattern.empty() || pattern.front() != '/') return invalid("a pattern starts with '/'");
  std::vector<std::string_view> segments;
  SplitPath(pattern, &segments);
  std::vector<std::string> names;
  for (std::string_view segment : segments) {
    bool opens = segment.find('{') != std::string_view::npos;
    bool closes = segment.find('}') != std::string_view::npos;
    if (!opens && !closes) continue;
    if (!IsParam(segment) || segment.size() == 2 ||
        segment.substr(1, segment.size() - 2).find_first_of("{}") != std::string_view::npos) {
      return invalid("a parameter is a whole segment \"{name}\"");
    }
    std::string name(segment.substr(1, segment.size() - 2));
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return invalid("parameter {" + name + "} used twice");
    }
    names.push_back(std::move(name));
  }
  // Check the parameter names against the tree before changing it.
  const Node* check = root_.get();
  for (std::string_view segment : segments) {
    if (check == nullptr) break;
    if (IsParam(segment)) {
      std::string_view name = segment.substr(1, segment.size() - 2);
      if (check->param != nullptr && check->param_name != name) {
        return invalid("parameter {" + std::string(name) + "} where another route has {" +
                       check->param_name + "}");
      }
      check = check->param.get();
    } else {
      auto it = check->literals.find(segment);
      check = it == check->literals.end() ? nullptr : it->second.get();
    }
  }
  if (check != nullptr && check->Find(method) != nullptr) {
    return AlreadyExistsError("route " + std::string(method) + " " + std::string(pattern) +
                              " is already registered");
  }

  Node* node = root_.get();
  for (std::string_view segment : segments) {
    if (IsParam(segment)) {
      if (node->param == nullptr) {
        node->param = std::make_unique<Node>();
        node->param_name = std::string(segment.substr(1, segment.size() - 2));
      }
      node = node->param.get();
    } else {
      auto it = node->literals.find(segment);
      if (it == node->literals.end()) {
        it = node->literals.emplace(std::string(segment), std::make_unique<Node>()).first;
      }
      node = it->second.get();
    }
  }
  if (node->pattern_index == kNoRoute) {
    node->pattern_index = static_cast<int>(patterns_.size());
    node->param_names = std::move(names);
    patterns_.emplace_back(pattern);
  }
  node->handlers.emplace_back(std::string(method), std::move(handler));
  routes_.push_back(Route{std::string(method), std::string(pattern)});

  std::vector<std::string> methods;
  for (const auto& [m, h] : node->handlers) methods.push_back(m);
  if (node->Find("GET") != nullptr && node->Find("HEAD") == nullptr) methods.push_back("HEAD");
  std::sort(methods.begin(), methods.end());
  node->allow.clear();
  for (const std::string& m : methods) {
    if (!node->allow.empty()) node->allow += ", ";
    node->allow += m;
  }
  return OkStatus();
}

void Router::SetFallback(Handler handler) { fallback_ = std::move(handler); }

Response Router::Dispatch(Request& request, int* route_index) const {
  int index = kNoRoute;
  Response response;
  try {
    const Node* first_match = nullptr;
    const Node* method_match = nullptr;
    const Handler* handler = nullptr;
    std::vector<std::string_view> values;
    if (!request.path.empty() && request.path.front() == '/') {
      thread_local std::vector<std::string_view> segments;
      SplitPath(request.path, &segments);
      VisitMatches(*root_, segments, 0, &values,
                   [&](const Node& node, const std::vector<std::string_view>&) {
                     if (first_match == nullptr) first_match = &node;
                     handler = node.Find(request.method);
                     if (handler == nullptr && request.method == "HEAD") handler = node.Find("GET");
                     if (handler == nullptr) return false;
                     method_match = &node;
                     return true;
                   });
      if (method_match == nullptr) values.clear();
    }
    if (method_match != nullptr) {
      index = method_match->pattern_index;
      request.route = patterns_[index];
      request.path_params.clear();
      for (size_t i = 0; i < values.size(); ++i) {
        Result<std::string> value = PercentDecode(values[i], /*plus_is_space=*/false);
        if (!value.ok()) {
          response = Problem(
              value.status().WithContext("path parameter {" + method_match->param_names[i] + "}"),
              request.request_id);
          if (route_index != nullptr) *route_index = index;
          return response;
        }
        request.path_params[method_match->param_names[i]] = std::move(*value);
      }
      response = (*handler)(request);
    } else if (first_match != nullptr) {
      index = first_match->pattern_index;
      request.route = patterns_[index];
      response = Problem(
          UnimplementedError("method " + request.method + " is not allowed on " + request.route),
          request.request_id, 405);
      response.headers.emplace_back("Allow", first_match->allow);
    } else if (fallback_) {
      index = kFallback;
      request.route.clear();
      response = fallback_(request);
    } else {
      request.route.clear();
      response = Problem(NotFoundError("no resource at " + request.path), request.request_id);
    }
  } catch (...) {
    response = HandlerThrew(request, std::current_exception());
  }
  if (route_index != nullptr) *route_index = index;
  return response;
}

Response HandlerThrew(const Request& request, std::exception_ptr thrown) {
  std::string what = "handler for " + request.method + " " + request.path;
  try {
    std::rethrow_exception(thrown);
  } catch (const std::exception& e) {
    what += " threw: ";
    what += e.what();
  } catch (...) {
    what += " threw a non-standard exception";
  }
  return Problem(InternalError(what), request.request_id);
}

}  // namespace spode::http
