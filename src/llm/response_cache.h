#pragma once
// What makes LLM runs reproducible: a SQLite cache of chat replies keyed by the SHA-256 of the
// canonical request (model, messages, temperature, max_tokens; never the API key), and the run's
// transcript, one JSON line per request and reply.
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "llm/chat_client.h"

struct sqlite3;

namespace pelnas::llm {

// Lower-case hex SHA-256 of the compact dump of canonical_request(...).
std::string request_hash(const nlohmann::json& canonical_request);

class ResponseCache {
 public:
  // Opens (creating if needed) the cache database at path. Throws pelnas::Error naming the path.
  explicit ResponseCache(const std::string& path);
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // Thread-safe. The stored reply's attempts is 1.
  std::optional<ChatReply> get(const std::string& hash) const;
  void put(const std::string& hash, const nlohmann::json& canonical_request, const ChatReply& reply);
  std::int64_t size() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
};

// Appends one JSON object per line to a file, flushed per line; thread-safe.
class TranscriptWriter {
 public:
  explicit TranscriptWriter(std::string path);  // creates parent directories; throws naming the path
  void append(const nlohmann::json& record);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::mutex mutex_;
};

}  // namespace pelnas::llm
