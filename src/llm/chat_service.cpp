#include "llm/chat_service.h"

#include "common/error.h"

namespace pelnas::llm {

void ChatServiceOptions::validate() const {
  client.validate();
  if (replay && cache_path.empty()) {
    throw Error("LLM option replay: needs a response cache (cache_path) recorded by an earlier run");
  }
}

ChatService::ChatService(ChatServiceOptions options) : options_(std::move(options)) {
  options_.validate();
  if (!options_.cache_path.empty()) cache_ = std::make_unique<ResponseCache>(options_.cache_path);
  if (!options_.transcript_path.empty()) transcript_ = std::make_unique<TranscriptWriter>(options_.transcript_path);
  if (!options_.replay) client_ = std::make_unique<ChatClient>(options_.client);
}

ChatResult ChatService::complete(const std::vector<ChatMessage>& messages, const nlohmann::json& context,
                                 const std::function<void(const ChatResult&)>& use) {
  const nlohmann::json request = canonical_request(options_.client, messages);
  ChatResult result;
  result.hash = request_hash(request);
  auto record = [&](const std::string* error) {
    if (!transcript_) return;
    nlohmann::json line = {{"context", context.is_null() ? nlohmann::json::object() : context},
                           {"hash", result.hash},
                           {"request", request}};
    if (error) {
      line["error"] = *error;
    } else {
      line["source"] = result.source;
      line["attempts"] = result.reply.attempts;
      line["reply"] = {{"content", result.reply.content},
                       {"usage",
                        {{"prompt_tokens", result.reply.usage.prompt_tokens},
                         {"completion_tokens", result.reply.usage.completion_tokens}}}};
    }
    transcript_->append(line);
  };

  if (cache_) {
    if (auto hit = cache_->get(result.hash)) {
      ++cache_hits_;
      result.reply = std::move(*hit);
      result.source = "cache";
      if (use) use(result);
      record(nullptr);
      return result;
    }
  }
  if (options_.replay) {
    const std::string msg = "LLM replay: no cached reply for request " + result.hash + " in " + options_.cache_path +
                            " (the run asked something the recorded run did not)";
    record(&msg);
    throw Error(msg);
  }
  try {
    ++network_calls_;
    result.reply = client_->complete(messages);
  } catch (const Error& e) {
    const std::string msg = e.what();  // already redacted by the client
    record(&msg);
    throw;
  }
  result.source = "network";
  if (use) {
    try {
      use(result);
    } catch (const std::exception& e) {
      const std::string msg = std::string("the reply could not be used (not cached): ") + e.what();
      record(&msg);
      throw;
    }
  }
  if (cache_) cache_->put(result.hash, request, result.reply);
  record(nullptr);
  return result;
}

}  // namespace pelnas::llm
