// The only translation unit that includes httplib.h (it is heavy).
#include "llm/chat_client.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ctime>
#include <regex>
#include <thread>

#include "common/error.h"
#include "common/saturating.h"
#include "common/utf8.h"

namespace pelnas::llm {

void TokenUsage::add(const TokenUsage& other) {
  prompt_tokens = saturating_add(prompt_tokens, other.prompt_tokens);
  completion_tokens = saturating_add(completion_tokens, other.completion_tokens);
}

void ChatClientOptions::validate() const {
  auto bad = [](const std::string& field, const std::string& what) {
    throw Error("LLM client option " + field + ": " + what);
  };
  split_base_url(base_url);
  if (model.empty()) bad("model", "a model name is required (--llm-model or $" + std::string(kModelEnv) + ")");
  if (!(temperature >= 0.0 && temperature <= 2.0)) bad("temperature", "expected a number in [0, 2]");
  if (max_tokens < 1) bad("max_tokens", "expected a positive integer");
  if (!(timeout_seconds > 0.0 && timeout_seconds <= 3600.0)) bad("timeout_seconds", "expected a number in (0, 3600]");
  if (max_attempts < 1 || max_attempts > 100) bad("max_attempts", "expected an integer in [1, 100]");
  if (max_reply_bytes < 1024 || max_reply_bytes > (std::int64_t{1} << 30))
    bad("max_reply_bytes", "expected an integer in [1024, 1073741824] (bytes of one response body)");
  if (!(backoff_base_seconds >= 0.0)) bad("backoff_base_seconds", "expected a non-negative number");
  if (!(backoff_max_seconds >= backoff_base_seconds)) bad("backoff_max_seconds", "expected a number >= backoff_base_seconds");
  if (!(max_retry_after_seconds >= 0.0)) bad("max_retry_after_seconds", "expected a non-negative number");
  if (!ca_cert_path.empty() && !std::filesystem::is_regular_file(ca_cert_path))
    bad("ca_cert_path", "expected a PEM file of CA certificates, but " + ca_cert_path + " is not a file");
}

ChatClientOptions ChatClientOptions::from_environment() {
  ChatClientOptions o;
  if (const char* url = std::getenv(kBaseUrlEnv); url && *url) o.base_url = url;
  if (const char* model = std::getenv(kModelEnv); model && *model) o.model = model;
  if (const char* ca = std::getenv(kCaBundleEnv); ca && *ca) o.ca_cert_path = ca;
  return o;
}

nlohmann::json ChatClientOptions::to_json() const {
  return {{"base_url", base_url},
          {"model", model},
          {"temperature", temperature},
          {"max_tokens", max_tokens},
          {"timeout_seconds", timeout_seconds},
          {"max_attempts", max_attempts},
          {"backoff_base_seconds", backoff_base_seconds},
          {"backoff_max_seconds", backoff_max_seconds},
          {"max_retry_after_seconds", max_retry_after_seconds},
          {"seed", seed},
          {"ca_cert_path", ca_cert_path},
          {"max_reply_bytes", max_reply_bytes},
          {"allow_plain_http_key", allow_plain_http_key}};
}

std::optional<std::string> api_key_from_environment() {
  for (const char* name : {kApiKeyEnv, kOpenAiKeyEnv}) {
    if (const char* v = std::getenv(name); v && *v) return std::string(v);
  }
  return std::nullopt;
}

std::pair<std::string, std::string> split_base_url(const std::string& base_url) {
  static const std::regex re(R"(^(https?)://([^/\s:]+)(:[0-9]{1,5})?(/[^\s]*)?$)");
  std::smatch m;
  if (!std::regex_match(base_url, m, re)) {
    throw Error("LLM client option base_url: expected http://host[:port][/path] or https://..., got '" + base_url + "'");
  }
  std::string path = m[4].matched ? m[4].str() : "";
  while (!path.empty() && path.back() == '/') path.pop_back();
  return {m[1].str() + "://" + m[2].str() + (m[3].matched ? m[3].str() : ""), path};
}

bool is_loopback_host(const std::string& scheme_host_port) {
  static const std::regex re(R"(^https?://(localhost|127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})(:[0-9]+)?$)", std::regex::icase);
  return std::regex_match(scheme_host_port, re);
}

void check_key_transport(const ChatClientOptions& options, bool has_key) {
  if (!has_key || options.allow_plain_http_key) return;
  const std::string shp = split_base_url(options.base_url).first;
  if (shp.rfind("http://", 0) != 0 || is_loopback_host(shp)) return;
  throw Error("LLM client option base_url: refusing to send the API key ($" + std::string(kApiKeyEnv) + " / $" +
              kOpenAiKeyEnv + ") in clear text to " + shp +
              ", which is not a loopback host; use https://, unset the key, or pass --llm-allow-plain-http-key "
              "(operator option allow_plain_http_key) to allow it");
}

nlohmann::json canonical_request(const ChatClientOptions& options, const std::vector<ChatMessage>& messages) {
  nlohmann::json msgs = nlohmann::json::array();
  for (const auto& m : messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
  return {{"model", options.model},
          {"messages", std::move(msgs)},
          {"temperature", options.temperature},
          {"max_tokens", options.max_tokens}};
}

ChatClient::ChatClient(ChatClientOptions options)
    : options_(std::move(options)), api_key_(api_key_from_environment()), rng_(options_.seed) {
  options_.validate();
  check_key_transport(options_, api_key_.has_value());
  std::tie(scheme_host_port_, path_prefix_) = split_base_url(options_.base_url);
  sleep_ = [](double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); };
}

ChatClient::~ChatClient() = default;

std::string ChatClient::endpoint() const { return scheme_host_port_ + path_prefix_ + "/chat/completions"; }

TokenUsage ChatClient::usage() const {
  std::lock_guard lock(mutex_);
  return usage_;
}

std::int64_t ChatClient::http_attempts() const {
  std::lock_guard lock(mutex_);
  return attempts_;
}

void ChatClient::set_sleep_function(std::function<void(double)> sleep) {
  std::lock_guard lock(mutex_);
  sleep_ = std::move(sleep);
}

double ChatClient::backoff_delay(const ChatClientOptions& o, int retry, Rng& rng) {
  const double raw = o.backoff_base_seconds * std::pow(2.0, std::max(0, retry - 1));
  // "Equal jitter": half fixed, half random, so concurrent niches do not retry in lock step.
  return std::min(o.backoff_max_seconds, raw) * (0.5 + 0.5 * rng.uniform01());
}

namespace {
// The three HTTP-date forms RFC 9110 (section 5.6.7) requires a recipient to accept, as UTC seconds
// since the epoch: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37
// GMT" and asctime "Sun Nov  6 08:49:37 1994". Month names are matched here, not via the locale.
std::optional<std::int64_t> parse_http_date(const std::string& v) {
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char mon[4] = {}, tail[8] = {};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, used = 0;
  bool ok = false;
  if (v.find(',') != std::string::npos) {
    const std::string rest = v.substr(v.find(',') + 1);
    if (std::sscanf(rest.c_str(), " %2d %3s %4d %2d:%2d:%2d %3s%n", &day, mon, &year, &hh, &mm, &ss, tail, &used) == 7)
      ok = true;  // IMF-fixdate
    else if (std::sscanf(rest.c_str(), " %2d-%3[A-Za-z]-%2d %2d:%2d:%2d %3s%n", &day, mon, &year, &hh, &mm, &ss, tail,
                         &used) == 7) {
      ok = true;  // RFC 850, two-digit year
      year += year < 70 ? 2000 : 1900;
    }
    ok = ok && std::string(tail) == "GMT" && rest.find_first_not_of(' ', static_cast<std::size_t>(used)) == std::string::npos;
  } else {
    char wday[4] = {};
    ok = std::sscanf(v.c_str(), " %3s %3s %d %2d:%2d:%2d %4d%n", wday, mon, &day, &hh, &mm, &ss, &year, &used) == 7 &&
         v.find_first_not_of(' ', static_cast<std::size_t>(used)) == std::string::npos;  // asctime
  }
  if (!ok) return std::nullopt;
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (std::string(mon) == kMonths[static_cast<std::size_t>(i)]) month = i;
  if (month < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970 || year > 9999) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  return static_cast<std::int64_t>(timegm(&tm));
}
}  // namespace

std::optional<double> ChatClient::parse_retry_after(const std::string& value, std::chrono::system_clock::time_point now) {
  std::size_t i = 0;
  while (i < value.size() && value[i] == ' ') ++i;
  if (i == value.size()) return std::nullopt;
  char* end = nullptr;
  const double s = std::strtod(value.c_str() + i, &end);
  while (end && *end == ' ') ++end;
  if (end && end != value.c_str() + i && *end == '\0') {
    if (!std::isfinite(s) || s < 0) return std::nullopt;
    return s;  // delta-seconds
  }
  const auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  return std::max(0.0, static_cast<double>(*date) - now_s);  // a date in the past: retry now
}

double ChatClient::next_jitter_delay(int retry) {
  std::lock_guard lock(mutex_);
  return backoff_delay(options_, retry, rng_);
}

std::string ChatClient::redact(std::string text) const {
  if (api_key_ && !api_key_->empty()) {
    for (std::size_t p; (p = text.find(*api_key_)) != std::string::npos;) text.replace(p, api_key_->size(), "[redacted]");
  }
  // Servers echo partial keys ("Incorrect API key provided: sk-ab***yz"); drop those too.
  static const std::regex partial(R"(sk-[A-Za-z0-9_\-\*]{4,})");
  return std::regex_replace(text, partial, "sk-[redacted]");
}

namespace {

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

// The server's own error text, shortened, for error messages.
std::string error_excerpt(const std::string& body) {
  std::string text = body;
  try {
    auto j = nlohmann::json::parse(body);
    if (j.contains("error")) {
      const auto& e = j["error"];
      text = e.is_object() && e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>()
                                                                                  : e.dump();
    }
  } catch (const nlohmann::json::exception&) {
  }
  text = to_valid_utf8(text);  // the body may be anything; the excerpt goes into JSON transcripts
  if (text.size() > 200) text = std::string(utf8_prefix(text, 200)) + "...";
  return text;
}

struct ParsedReply {
  std::optional<ChatReply> reply;
  std::string problem;
};

ParsedReply parse_completion(const std::string& body) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception&) {
    return {std::nullopt, "the body is not JSON"};
  }
  if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) {
    return {std::nullopt, "no 'choices' array in the body"};
  }
  const auto& c = j["choices"][0];
  if (!c.is_object() || !c.contains("message") || !c["message"].is_object()) {
    return {std::nullopt, "choices[0] has no 'message' object"};
  }
  const auto& content = c["message"].value("content", nlohmann::json());
  ChatReply r;
  if (content.is_string()) r.content = to_valid_utf8(content.get<std::string>());
  else if (!content.is_null()) return {std::nullopt, "choices[0].message.content is not a string"};
  if (j.contains("usage") && j["usage"].is_object()) {
    const auto& u = j["usage"];
    // Counts outside [0, INT64_MAX] (negative, or unsigned beyond int64) are not usage: read as 0.
    auto count = [&u](const char* key) -> std::int64_t {
      if (!u.contains(key) || !u[key].is_number_integer()) return 0;
      if (u[key].is_number_unsigned())
        return u[key].get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX) ? 0 : u[key].get<std::int64_t>();
      return std::max<std::int64_t>(0, u[key].get<std::int64_t>());
    };
    r.usage.prompt_tokens = count("prompt_tokens");
    r.usage.completion_tokens = count("completion_tokens");
  }
  return {std::move(r), ""};
}

}  // namespace

namespace {

// One HTTP exchange under a whole-attempt deadline: a watchdog thread shuts the connection down
// when the deadline passes, whatever phase it is in (httplib's own timeouts apply per read, so a
// server dripping a byte at a time would hold an attempt for ever). The body is collected here so
// its size can be capped.
struct Exchange {
  std::optional<int> status;  // nullopt: transport failure (see error)
  httplib::Headers headers;
  std::string body;
  std::string error;  // transport failure text
};

Exchange post_with_deadline(httplib::Client& client, httplib::Request& req, double timeout_seconds, std::int64_t max_bytes) {
  Exchange out;
  bool too_big = false;
  req.response_handler = [&](const httplib::Response& r) {
    out.status = r.status;
    out.headers = r.headers;
    return true;
  };
  req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
    if (out.body.size() + n > static_cast<std::size_t>(max_bytes)) {
      too_big = true;
      return false;
    }
    out.body.append(data, n);
    return true;
  };
  std::mutex m;
  std::condition_variable cv;
  bool done = false, expired = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                               std::chrono::duration<double>(timeout_seconds));
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    if (cv.wait_until(lock, deadline, [&] { return done; })) return;
    expired = true;
    // stop() shuts the socket down; repeat until the request returns (it may still be connecting).
    while (!done) {
      lock.unlock();
      client.stop();
      lock.lock();
      cv.wait_for(lock, std::chrono::milliseconds(20), [&] { return done; });
    }
  });
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  const bool ok = client.send(req, res, err);
  {
    std::lock_guard lock(m);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
  if (too_big) {
    out.status.reset();
    out.error = "the reply is larger than max_reply_bytes = " + std::to_string(max_bytes) + " bytes (--llm-max-reply-bytes)";
  } else if (expired) {
    out.status.reset();
    out.error = "no complete reply within the attempt deadline of " + fmt_seconds(timeout_seconds) + " s (--llm-timeout)";
  } else if (!ok) {
    out.status.reset();
    out.error = "transport error: " + httplib::to_string(err);
  }
  return out;
}

}  // namespace

ChatReply ChatClient::complete(const std::vector<ChatMessage>& messages) {
  // Replace, never throw, on invalid UTF-8 (callers sanitise; this is the last line of defence).
  const std::string body = canonical_request(options_, messages).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string path = path_prefix_ + "/chat/completions";
  httplib::Headers headers{{"Content-Type", "application/json"}};
  if (api_key_) headers.emplace("Authorization", "Bearer " + *api_key_);
  const auto secs = static_cast<time_t>(options_.timeout_seconds);
  const auto usecs = static_cast<time_t>((options_.timeout_seconds - static_cast<double>(secs)) * 1e6);

  std::string last;  // the last status or transport error, for the final message
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    {
      std::lock_guard lock(mutex_);
      ++attempts_;
    }
    // A fresh connection per attempt: keeps complete() thread-safe and never reuses a broken socket.
    httplib::Client client(scheme_host_port_);
    client.set_connection_timeout(secs, usecs);
    client.set_read_timeout(secs, usecs);
    client.set_write_timeout(secs, usecs);
    client.set_keep_alive(false);
    if (!options_.ca_cert_path.empty()) client.set_ca_cert_path(options_.ca_cert_path.c_str());
    httplib::Request req;
    req.method = "POST";
    req.path = path;
    req.headers = headers;
    req.body = body;
    Exchange res = post_with_deadline(client, req, options_.timeout_seconds, options_.max_reply_bytes);
    auto header = [&res](const char* name) -> std::optional<std::string> {
      auto it = res.headers.find(name);
      return it == res.headers.end() ? std::nullopt : std::optional<std::string>(it->second);
    };

    bool retryable = true;
    std::optional<double> retry_after;
    if (!res.status) {
      last = res.error;
    } else if (*res.status == 200) {
      ParsedReply parsed = parse_completion(res.body);
      if (parsed.reply) {
        parsed.reply->attempts = attempt;
        std::lock_guard lock(mutex_);
        usage_.add(parsed.reply->usage);
        return std::move(*parsed.reply);
      }
      last = "HTTP 200 with a malformed body (" + parsed.problem + ")";
    } else {
      last = "HTTP " + std::to_string(*res.status);
      const std::string excerpt = error_excerpt(res.body);
      if (!excerpt.empty()) last += " (" + excerpt + ")";
      retryable = *res.status == 429 || *res.status >= 500;
      if (auto ra = header("Retry-After")) retry_after = parse_retry_after(*ra);
    }
    last = redact(last);
    if (!retryable || attempt == options_.max_attempts) {
      throw Error("LLM endpoint " + endpoint() + " failed after " + std::to_string(attempt) + " attempt(s): " + last);
    }
    const double delay = retry_after ? std::min(*retry_after, options_.max_retry_after_seconds) : next_jitter_delay(attempt);
    spdlog::warn("LLM endpoint {}: {}; retry {}/{} in {:.2f} s", endpoint(), last, attempt, options_.max_attempts - 1, delay);
    std::function<void(double)> sleep;
    {
      std::lock_guard lock(mutex_);
      sleep = sleep_;
    }
    sleep(delay);
  }
  throw Error("LLM endpoint " + endpoint() + ": no attempt was made");  // unreachable: max_attempts >= 1
}

}  // namespace pelnas::llm
