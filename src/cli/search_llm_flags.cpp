// `pelnas search`'s --llm-* flags, turned into the llm operator's options.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/search_cli.h"
#include "common/error.h"

namespace pelnas::cli {

// LLM operator options (keys of LlmOperatorOptions) from the --llm-* flags; the API key is read from
// the environment by the client and never passes through here.
void add_llm_flags(const SearchCliOptions& o, nlohmann::json& oo) {
  if (oo.is_null()) oo = nlohmann::json::object();
  if (!oo.is_object()) throw Error("--operator-options: expected a JSON object");
  if (!o.llm_base_url.empty()) oo["base_url"] = o.llm_base_url;
  if (!o.llm_model.empty()) oo["model"] = o.llm_model;
  if (o.llm_replay) oo["replay"] = true;
  if (o.llm_concurrency > 0) oo["concurrency"] = o.llm_concurrency;
  if (o.llm_timeout > 0) oo["timeout_seconds"] = o.llm_timeout;
  if (o.llm_max_reply_bytes > 0) oo["max_reply_bytes"] = o.llm_max_reply_bytes;
  if (o.llm_allow_plain_http_key) oo["allow_plain_http_key"] = true;
  if (!o.prompts_dir.empty()) oo["prompts_dir"] = std::filesystem::absolute(o.prompts_dir).string();
  if (!o.llm_cache.empty()) oo["cache_path"] = std::filesystem::absolute(o.llm_cache).string();
  if (o.llm_replay && !oo.contains("cache_path")) throw Error("--llm-replay: give the recorded run's response cache with --llm-cache FILE");
  if (o.llm_replay && !std::filesystem::exists(oo["cache_path"].get<std::string>()))
    throw Error("--llm-cache " + oo["cache_path"].get<std::string>() + ": no such file (a replay needs a recorded cache)");
}

// The --llm-* flags plus, as on NB201, the response cache and transcript in the run directory.
void add_llm_options(const SearchCliOptions& o, nlohmann::json& oo, const std::string& out) {
  add_llm_flags(o, oo);
  if (!oo.contains("transcript_path")) oo["transcript_path"] = std::filesystem::absolute(std::filesystem::path(out) / "llm_transcript.jsonl").string();
  if (!oo.contains("cache_path")) oo["cache_path"] = std::filesystem::absolute(std::filesystem::path(out) / "llm_cache.sqlite").string();
}

}  // namespace pelnas::cli
