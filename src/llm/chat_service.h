#pragma once
// The chat channel an LLM operator talks through: the response cache first, then (unless replaying)
// the network; every exchange is appended to the run's transcript. In replay mode no client is
// built and no network is touched, so a recorded run reproduces bit for bit.
#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llm/chat_client.h"
#include "llm/response_cache.h"

namespace pelnas::llm {

struct ChatServiceOptions {
  ChatClientOptions client;
  bool replay = false;          // answer from the cache alone; a miss is an error naming the hash
  std::string cache_path;       // SQLite file; "" = no cache (then replay is impossible)
  std::string transcript_path;  // JSONL file; "" = no transcript
  void validate() const;        // throws pelnas::Error naming the field
};

struct ChatResult {
  ChatReply reply;
  std::string hash;    // request hash (the cache key)
  std::string source;  // "network" or "cache"
};

class ChatService {
 public:
  explicit ChatService(ChatServiceOptions options);
  // Thread-safe. `context` (niche, generation, step, ...) goes into the transcript line only.
  // `use` (optional) processes the reply before it is stored: a network reply enters the cache and
  // the transcript only after `use` returned, so a reply the caller could not process (it threw,
  // or crashed the process) is never cached and a resumed run asks again instead of failing again.
  ChatResult complete(const std::vector<ChatMessage>& messages, const nlohmann::json& context = {},
                      const std::function<void(const ChatResult&)>& use = {});

  const ChatServiceOptions& options() const { return options_; }
  ChatClient* client() { return client_.get(); }  // nullptr in replay mode
  std::int64_t cache_hits() const { return cache_hits_; }
  std::int64_t network_calls() const { return network_calls_; }

 private:
  ChatServiceOptions options_;
  std::unique_ptr<ChatClient> client_;
  std::unique_ptr<ResponseCache> cache_;
  std::unique_ptr<TranscriptWriter> transcript_;
  std::atomic<std::int64_t> cache_hits_{0}, network_calls_{0};
};

}  // namespace pelnas::llm
