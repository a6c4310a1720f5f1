#include "llm/response_cache.h"

#include <openssl/evp.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/utf8.h"

namespace pelnas::llm {

std::string request_hash(const nlohmann::json& canonical_request) {
  // nlohmann::json objects keep keys sorted, so dump() is canonical for equal requests.
  const std::string text = canonical_request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw Error("request_hash: OpenSSL SHA-256 failed");
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

namespace {

void create_parent_dirs(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) throw Error("cannot create directory " + parent.string() + ": " + ec.message());
}

struct Statement {
  sqlite3_stmt* stmt = nullptr;
  Statement(sqlite3* db, const char* sql, const std::string& path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      throw Error("LLM response cache " + path + ": " + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt); }
};

}  // namespace

ResponseCache::ResponseCache(const std::string& path) : path_(path) {
  create_parent_dirs(path);
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("cannot open LLM response cache " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  char* err = nullptr;
  const char* schema =
      "CREATE TABLE IF NOT EXISTS responses ("
      " hash TEXT PRIMARY KEY, request TEXT NOT NULL, content TEXT NOT NULL,"
      " prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL);";
  if (sqlite3_exec(db_, schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("LLM response cache " + path + " is not a usable SQLite database: " + msg);
  }
}

ResponseCache::~ResponseCache() { sqlite3_close(db_); }

std::optional<ChatReply> ResponseCache::get(const std::string& hash) const {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT content, prompt_tokens, completion_tokens FROM responses WHERE hash = ?1", path_);
  sqlite3_bind_text(s.stmt, 1, hash.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(s.stmt);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) throw Error("LLM response cache " + path_ + ": " + sqlite3_errmsg(db_));
  ChatReply r;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 0));
  // The file may have been edited: content is repaired to valid UTF-8, negative counts read as 0.
  r.content = to_valid_utf8(std::string_view(text ? text : "", text ? static_cast<std::size_t>(sqlite3_column_bytes(s.stmt, 0)) : 0));
  r.usage.prompt_tokens = std::max<std::int64_t>(0, sqlite3_column_int64(s.stmt, 1));
  r.usage.completion_tokens = std::max<std::int64_t>(0, sqlite3_column_int64(s.stmt, 2));
  return r;
}

void ResponseCache::put(const std::string& hash, const nlohmann::json& canonical_request, const ChatReply& reply) {
  std::lock_guard lock(mutex_);
  // First answer wins: a replayed run must see exactly what the recorded run saw.
  Statement s(db_,
              "INSERT OR IGNORE INTO responses (hash, request, content, prompt_tokens, completion_tokens)"
              " VALUES (?1, ?2, ?3, ?4, ?5)",
              path_);
  const std::string request = canonical_request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  sqlite3_bind_text(s.stmt, 1, hash.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.stmt, 2, request.c_str(), static_cast<int>(request.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(s.stmt, 3, reply.content.c_str(), static_cast<int>(reply.content.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(s.stmt, 4, reply.usage.prompt_tokens);
  sqlite3_bind_int64(s.stmt, 5, reply.usage.completion_tokens);
  if (sqlite3_step(s.stmt) != SQLITE_DONE) throw Error("LLM response cache " + path_ + ": " + sqlite3_errmsg(db_));
}

std::int64_t ResponseCache::size() const {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT COUNT(*) FROM responses", path_);
  if (sqlite3_step(s.stmt) != SQLITE_ROW) throw Error("LLM response cache " + path_ + ": " + sqlite3_errmsg(db_));
  return sqlite3_column_int64(s.stmt, 0);
}

TranscriptWriter::TranscriptWriter(std::string path) : path_(std::move(path)) {
  create_parent_dirs(path_);
  std::ofstream f(path_, std::ios::app);
  if (!f) throw Error("cannot open LLM transcript " + path_ + " for appending");
}

void TranscriptWriter::append(const nlohmann::json& record) {
  const std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  std::ofstream f(path_, std::ios::app | std::ios::binary);
  f << line;
  f.flush();
  if (!f) throw Error("cannot append to LLM transcript " + path_);
}

}  // namespace pelnas::llm
