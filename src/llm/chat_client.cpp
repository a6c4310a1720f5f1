// ChatClient: one chat completion over HTTP(S) with a whole-attempt deadline, retried.
// The only translation unit that includes httplib.h (it is heavy).
#include "llm/chat_client.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <regex>
#include <thread>

#include "common/error.h"
#include "llm/chat_reply_parse.h"

namespace pelnas::llm {

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
