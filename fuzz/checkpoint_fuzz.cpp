// Run-state files as JSON: checkpoint.json (PelnasCheckpoint, its archive and knowledge bases) and
// config.json (RunConfig), and knowledge/history.jsonl (lines). Any input loads or fails with
// pelnas::Error naming the field (and the line).
#include <cstdint>
#include <string>

#include "common/error.h"
#include "run/knowledge_log.h"
#include "run/run_state.h"
#include "run/search_run.h"
#include "search/archive.h"
#include "search/knowledge_base.h"
#include "search/pelnas_search.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)pelnas::parse_knowledge_log(std::string(reinterpret_cast<const char*>(data), size), "history.jsonl");
  } catch (const pelnas::Error&) {
  }
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  try {
    const auto c = pelnas::PelnasCheckpoint::from_json(j);
    (void)c.to_json().dump();
    (void)c.archive.to_json().dump();
  } catch (const pelnas::Error&) {
  }
  try {
    (void)pelnas::RunState::from_json(j).to_json().dump();  // checkpoint.json's "state"
  } catch (const pelnas::Error&) {
  }
  try {
    (void)pelnas::KnowledgeBase::from_json(j);
  } catch (const pelnas::Error&) {
  }
  try {
    (void)pelnas::RunConfig::from_json(j).to_json().dump();
  } catch (const pelnas::Error&) {
  }
  return 0;
}
