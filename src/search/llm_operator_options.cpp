// LlmOperatorOptions: validation and JSON (unknown keys and wrong types are errors, named).
#include <cstdint>
#include <string>
#include <type_traits>

#include "common/error.h"
#include "common/json_fields.h"
#include "search/llm_operator.h"

namespace pelnas {

void LlmOperatorOptions::validate() const {
  chat.validate();
  auto bad = [](const std::string& field, const std::string& what) { throw Error("llm operator option " + field + ": " + what); };
  if (max_corrections < 0 || max_corrections > 20) bad("max_corrections", "expected an integer in [0, 20]");
  if (!(crossover_probability >= 0 && crossover_probability <= 1)) bad("crossover_probability", "expected a number in [0, 1]");
  if (concurrency < 1 || concurrency > 256) bad("concurrency", "expected an integer in [1, 256]");
  if (max_seen_listed < 0) bad("max_seen_listed", "expected a non-negative integer");
}

LlmOperatorOptions LlmOperatorOptions::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("llm operator options: expected a JSON object");
  LlmOperatorOptions o;
  o.chat.client = llm::ChatClientOptions::from_environment();
  for (const auto& item : j.items()) {
    // Named copies, not structured bindings: lambdas may not capture those before clang 16.
    const std::string key = item.key();
    const nlohmann::json& v = item.value();
    auto want = [&](bool ok, const char* what) {
      if (!ok) throw Error("llm operator option " + key + ": expected " + what + ", got " + v.dump());
    };
    auto str = [&] { want(v.is_string(), "a string"); return v.get<std::string>(); };
    auto num = [&] { want(v.is_number(), "a number"); return v.get<double>(); };
    // An integer of the field's type: one the type cannot hold is refused naming the key (a cast
    // would wrap 4294967301 to 5, which passes validate(); get_integral's own error names no key).
    auto integral = [&]<class T>(std::type_identity<T>, const char* fits) -> T {
      want(v.is_number_integer(), "an integer");
      try {
        return json_fields::get_integral<T>(v);
      } catch (const json_fields::IntegerOutOfRange&) {
        want(false, fits);
        throw;  // not reached: want(false, ...) throws
      }
    };
    auto int_field = [&] { return integral(std::type_identity<int>{}, "an integer that fits in an int"); };
    auto& c = o.chat.client;
    if (key == "base_url") c.base_url = str();
    else if (key == "model") c.model = str();
    else if (key == "temperature") c.temperature = num();
    else if (key == "max_tokens") c.max_tokens = int_field();
    else if (key == "timeout_seconds") c.timeout_seconds = num();
    else if (key == "max_attempts") c.max_attempts = int_field();
    else if (key == "backoff_base_seconds") c.backoff_base_seconds = num();
    else if (key == "backoff_max_seconds") c.backoff_max_seconds = num();
    else if (key == "max_retry_after_seconds") c.max_retry_after_seconds = num();
    else if (key == "ca_cert_path") c.ca_cert_path = str();
    else if (key == "max_reply_bytes") c.max_reply_bytes = integral(std::type_identity<std::int64_t>{}, "a 64-bit integer");
    else if (key == "allow_plain_http_key") { want(v.is_boolean(), "true or false"); c.allow_plain_http_key = v.get<bool>(); }
    else if (key == "seed") c.seed = integral(std::type_identity<std::uint64_t>{}, "a non-negative 64-bit integer");
    else if (key == "replay") { want(v.is_boolean(), "true or false"); o.chat.replay = v.get<bool>(); }
    else if (key == "cache_path") o.chat.cache_path = str();
    else if (key == "transcript_path") o.chat.transcript_path = str();
    else if (key == "prompts_dir") o.prompts_dir = str();
    else if (key == "max_corrections") o.max_corrections = int_field();
    else if (key == "crossover_probability") o.crossover_probability = num();
    else if (key == "concurrency") o.concurrency = int_field();
    else if (key == "max_seen_listed") o.max_seen_listed = int_field();
    else throw Error("llm operator options: unknown key '" + key + "' (see docs/LLM.md)");
  }
  return o;
}

nlohmann::json LlmOperatorOptions::to_json() const {
  nlohmann::json j = chat.client.to_json();
  j["replay"] = chat.replay;
  j["cache_path"] = chat.cache_path;
  j["transcript_path"] = chat.transcript_path;
  j["prompts_dir"] = prompts_dir;
  j["max_corrections"] = max_corrections;
  j["crossover_probability"] = crossover_probability;
  j["concurrency"] = concurrency;
  j["max_seen_listed"] = max_seen_listed;
  return j;
}

}  // namespace pelnas
