#include "predictor/proxy_cache.h"

#include <unordered_map>

#include <nlohmann/json.hpp>

#include <sqlite3.h>

#include <cmath>
#include <spdlog/spdlog.h>

#include "common/error.h"

namespace pelnas {

ProxyKey ProxyKey::from(const ProxyOptions& options, std::string code_version) {
  ProxyKey k;
  k.dataset = options.dataset;
  k.batch_size = options.batch_size;
  k.seed = options.seed;
  k.input = options.images_path;
  k.code_version = std::move(code_version);
  return k;
}

namespace {

// RAII prepared statement.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql, int& rc) { rc = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// One row per (arch, key) with a column per proxy: a lookup of 1,000 archs reads 1,000 rows, not
// 13,000. `computed` has bit i set when kProxyNames[i] was computed (its column NULL = the value
// came out non-finite, stored as missing); a proxy that was never computed has its bit clear.
std::string wide_schema() {
  std::string s =
      "CREATE TABLE IF NOT EXISTS proxy_rows (arch TEXT NOT NULL, dataset TEXT NOT NULL, batch_size INTEGER NOT NULL,"
      " seed INTEGER NOT NULL, input TEXT NOT NULL, code_version TEXT NOT NULL, computed INTEGER NOT NULL";
  for (auto name : kProxyNames) s += ", " + std::string(name) + " REAL";
  return s + ", PRIMARY KEY (arch, dataset, batch_size, seed, input, code_version)) WITHOUT ROWID";
}

// The first layout (one row per arch and proxy), still read: its rows are copied into proxy_rows
// when the file is opened and the table has changed since the last copy (older pelnas builds may
// keep writing it). The old table itself is never modified, nor created; its layout was
//   CREATE TABLE proxies (arch TEXT NOT NULL, dataset TEXT NOT NULL, proxy TEXT NOT NULL,
//     batch_size INTEGER NOT NULL, seed INTEGER NOT NULL, input TEXT NOT NULL, code_version TEXT NOT NULL,
//     value REAL, PRIMARY KEY (arch, dataset, proxy, batch_size, seed, input, code_version)) WITHOUT ROWID
constexpr const char* kMetaSchema = "CREATE TABLE IF NOT EXISTS cache_meta (key TEXT PRIMARY KEY, value INTEGER)";

std::string key_columns() { return "arch, dataset, batch_size, seed, input, code_version"; }

// INSERT ... ON CONFLICT that merges: a proxy computed in the new row replaces the stored one,
// the others keep their stored values and bits.
std::string upsert_tail() {
  std::string s = " ON CONFLICT (" + key_columns() + ") DO UPDATE SET computed = computed | excluded.computed";
  for (std::size_t i = 0; i < kProxyNames.size(); ++i) {
    const std::string n(kProxyNames[i]);
    s += ", " + n + " = CASE WHEN excluded.computed & " + std::to_string(1 << i) + " THEN excluded." + n + " ELSE " + n +
         " END";
  }
  return s;
}

std::string migrate_sql() {
  std::string s = "INSERT INTO proxy_rows (" + key_columns() + ", computed";
  for (auto name : kProxyNames) s += ", " + std::string(name);
  s += ") SELECT " + key_columns() + ", SUM(CASE proxy";
  for (std::size_t i = 0; i < kProxyNames.size(); ++i)
    s += " WHEN '" + std::string(kProxyNames[i]) + "' THEN " + std::to_string(1 << i);
  s += " ELSE 0 END)";
  for (auto name : kProxyNames) s += ", MAX(CASE WHEN proxy = '" + std::string(name) + "' THEN value END)";
  return s + " FROM proxies WHERE true GROUP BY " + key_columns() + upsert_tail();
}

int proxy_position(std::string_view name) {
  for (std::size_t i = 0; i < kProxyNames.size(); ++i)
    if (kProxyNames[i] == name) return static_cast<int>(i);
  return -1;
}

const char* sqlite_type_name(int type) {
  switch (type) {
    case SQLITE_INTEGER: return "an integer";
    case SQLITE_FLOAT: return "a number";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "a blob";
    default: return "NULL";
  }
}

// Columns [first, first + 13] of a proxy_rows read (computed, then the proxies) into values. A
// hand-edited or foreign file can hold text or blobs in these columns (SQLite keeps a value it
// cannot convert to the column's type); SQLite would read them as 0, so they are refused, naming
// the file, the row and the column.
ProxyValues read_wide(sqlite3_stmt* s, int first, const std::string& path, const std::string& arch) {
  const auto bad = [&](const std::string& column, int col, const char* expected) {
    std::string shown;
    if (sqlite3_column_type(s, col) == SQLITE_TEXT) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
      shown = text ? std::string(text).substr(0, 40) : std::string();
      shown = " '" + shown + "'";
    }
    return Error("proxy cache " + path + ": table proxy_rows, row of arch " + arch + ", column " + column + ": holds " +
                 sqlite_type_name(sqlite3_column_type(s, col)) + shown + ", expected " + expected +
                 "; fix or delete the row (it is recomputed), or pass another cache path");
  };
  if (sqlite3_column_type(s, first) != SQLITE_INTEGER) throw bad("computed", first, "an integer bit mask");
  ProxyValues out;
  const auto computed = sqlite3_column_int64(s, first);
  for (std::size_t i = 0; i < kProxyNames.size(); ++i) {
    if (!(computed & (std::int64_t{1} << i))) continue;
    const int col = first + 1 + static_cast<int>(i);
    const int type = sqlite3_column_type(s, col);
    if (type == SQLITE_NULL) {
      out.emplace(std::string(kProxyNames[i]), std::nullopt);
      continue;
    }
    if (type != SQLITE_FLOAT && type != SQLITE_INTEGER)
      throw bad(std::string(kProxyNames[i]), col, "a number or NULL (a proxy that came out non-finite)");
    out.emplace(std::string(kProxyNames[i]), std::optional<double>(sqlite3_column_double(s, col)));
  }
  return out;
}

void bind_key(sqlite3_stmt* s, const std::string& arch, const ProxyKey& key, int first) {
  sqlite3_bind_text(s, first, arch.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, first + 1, std::string(to_string(key.dataset)).c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, first + 2, key.batch_size);
  // SQLite integers are signed 64-bit; the seed's bit pattern is kept.
  sqlite3_bind_int64(s, first + 3, static_cast<sqlite3_int64>(key.seed));
  sqlite3_bind_text(s, first + 4, key.input.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, first + 5, key.code_version.c_str(), -1, SQLITE_TRANSIENT);
}


}  // namespace

ProxyCache::ProxyCache(std::string path, int busy_timeout_ms) : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms) {
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("proxy cache " + path_ + ": cannot open (" + msg + ")");
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms_);
  try {
    // The first statements read the header: a non-database file fails here, untouched.
    exec("PRAGMA journal_mode=WAL", "switching to WAL mode");
    exec("PRAGMA synchronous=NORMAL", "setting synchronous mode");
    exec("PRAGMA mmap_size=268435456", "enabling memory-mapped reads");
    exec(wide_schema().c_str(), "creating the proxy_rows table");
    migrate_long_table();
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

ProxyCache::~ProxyCache() {
  sqlite3_finalize(lookup_stmt_);
  sqlite3_finalize(lookup_many_stmt_);
  if (db_) sqlite3_close(db_);
}

void ProxyCache::fail(int rc, const std::string& doing) const {
  const int primary = rc & 0xff;
  std::string msg = "proxy cache " + path_ + ": ";
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
    msg += "the file is not a valid SQLite database (corrupt or not a cache file) while " + doing +
           "; it was left untouched: move it away or pass another cache path";
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    msg += "the database is locked by another process (waited " + std::to_string(busy_timeout_ms_) + " ms) while " +
           doing + "; nothing was written";
  else
    msg += std::string(db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)) + " while " + doing;
  throw Error(msg);
}

void ProxyCache::exec(const char* sql, const std::string& doing) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, doing);
}

sqlite3_stmt* ProxyCache::prepared(sqlite3_stmt*& stmt, const char* sql) {
  if (!stmt) {
    const int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, "preparing a lookup");
  }
  sqlite3_reset(stmt);
  return stmt;
}

std::string ProxyCache::wide_columns() {
  std::string s = "computed";
  for (auto name : kProxyNames) s += ", " + std::string(name);
  return s;
}

void ProxyCache::migrate_long_table() {
  // Nothing to do for a file without the first layout's table (new files never get one).
  {
    int rc = 0;
    Stmt s(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'proxies'", rc);
    if (rc != SQLITE_OK) fail(rc, "reading the schema");
    rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return;
    if (rc != SQLITE_ROW) fail(rc, "reading the schema");
  }
  exec(kMetaSchema, "creating the cache_meta table");
  exec("BEGIN IMMEDIATE", "starting the copy of the first-layout rows");
  try {
    const std::int64_t rows = count("SELECT COUNT(*) FROM proxies");
    const std::int64_t copied = count("SELECT COALESCE((SELECT value FROM cache_meta WHERE key = 'long_rows_copied'), -1)");
    if (rows != copied) {
      exec(migrate_sql().c_str(), "copying the first-layout rows into proxy_rows");
      const std::string mark = "INSERT OR REPLACE INTO cache_meta (key, value) VALUES ('long_rows_copied', " +
                               std::to_string(rows) + ")";
      exec(mark.c_str(), "recording the copy");
      spdlog::debug("proxy cache {}: copied {} first-layout rows into the one-row-per-arch table", path_, rows);
    }
    exec("COMMIT", "committing the copy");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::int64_t ProxyCache::count(const std::string& sql) {
  int rc = 0;
  Stmt s(db_, sql.c_str(), rc);
  if (rc != SQLITE_OK) fail(rc, "counting rows");
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) fail(rc, "counting rows");
  return sqlite3_column_int64(s.get(), 0);
}

ProxyValues ProxyCache::lookup(const Arch& arch, const ProxyKey& key) {
  static const std::string sql = "SELECT " + wide_columns() +
                                 " FROM proxy_rows WHERE arch=?1 AND dataset=?2 AND batch_size=?3 AND seed=?4 AND "
                                 "input=?5 AND code_version=?6";
  sqlite3_stmt* s = prepared(lookup_stmt_, sql.c_str());
  bind_key(s, arch.str(), key, 1);
  ProxyValues out;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    try {
      out = read_wide(s, 0, path_, arch.str());
    } catch (...) {
      sqlite3_reset(s);
      throw;
    }
    rc = sqlite3_step(s);
  }
  sqlite3_reset(s);  // release the read snapshot so WAL checkpoints are not held back
  if (rc != SQLITE_DONE) fail(rc, "looking up " + arch.str());
  return out;
}

std::vector<ProxyValues> ProxyCache::lookup_many(const std::vector<Arch>& archs, const ProxyKey& key) {
  if (archs.size() <= 1) {
    std::vector<ProxyValues> out(archs.size());
    for (std::size_t i = 0; i < archs.size(); ++i) out[i] = lookup(archs[i], key);
    return out;
  }
  std::vector<std::string> keys;
  keys.reserve(archs.size());
  for (const Arch& a : archs) keys.push_back(a.str());
  return lookup_many(keys, key);
}

std::vector<ProxyValues> ProxyCache::lookup_many(const std::vector<std::string>& archs, const ProxyKey& key) {
  std::vector<ProxyValues> out(archs.size());
  if (archs.empty()) return out;
  // One statement for all archs: the distinct arch strings go in as a JSON array and each row
  // comes back with its array position (json_each's key), so there is no per-arch bind/step/reset,
  // no string matching on our side, and one read snapshot covers the whole answer.
  std::unordered_map<std::string, std::size_t> first_slot;
  std::vector<std::vector<std::size_t>> slots;  // per distinct arch: the positions asking for it
  first_slot.reserve(archs.size());
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < archs.size(); ++i) {
    auto [it, fresh] = first_slot.try_emplace(archs[i], slots.size());
    if (fresh) {
      list.push_back(it->first);
      slots.emplace_back();
    }
    slots[it->second].push_back(i);
  }
  static const std::string sql = "SELECT j.key, " + [] {
    std::string c = "p.computed";
    for (auto name : kProxyNames) c += ", p." + std::string(name);
    return c;
  }() + " FROM json_each(?1) AS j CROSS JOIN proxy_rows AS p ON p.arch = j.value AND p.dataset=?2 AND p.batch_size=?3 "
        "AND p.seed=?4 AND p.input=?5 AND p.code_version=?6";
  sqlite3_stmt* s = prepared(lookup_many_stmt_, sql.c_str());
  bind_key(s, list.dump(), key, 1);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const auto pos = sqlite3_column_int64(s, 0);
    if (pos < 0 || static_cast<std::size_t>(pos) >= slots.size()) continue;
    const auto& where = slots[static_cast<std::size_t>(pos)];
    try {
      out[where.front()] = read_wide(s, 1, path_, list[static_cast<std::size_t>(pos)].get<std::string>());
    } catch (...) {
      sqlite3_reset(s);
      throw;
    }
    for (std::size_t k = 1; k < where.size(); ++k) out[where[k]] = out[where.front()];
  }
  sqlite3_reset(s);  // release the read snapshot so WAL checkpoints are not held back
  if (rc != SQLITE_DONE) fail(rc, "looking up " + std::to_string(archs.size()) + " archs");
  return out;
}

bool ProxyCache::complete(const Arch& arch, const ProxyKey& key) {
  const ProxyValues v = lookup(arch, key);
  for (auto name : kProxyNames)
    if (!v.contains(name)) return false;
  return true;
}

void ProxyCache::store(const std::vector<Entry>& entries, const ProxyKey& key) {
  std::vector<std::pair<std::string, ProxyValues>> keyed;
  keyed.reserve(entries.size());
  for (const Entry& e : entries) keyed.emplace_back(e.arch.str(), e.values);
  store(keyed, key);
}

void ProxyCache::store(const std::vector<std::pair<std::string, ProxyValues>>& entries, const ProxyKey& key) {
  if (entries.empty()) return;
  // IMMEDIATE takes the write lock up front, so a busy database fails here, before any work.
  exec("BEGIN IMMEDIATE", "starting a write transaction");
  try {
    int rc = 0;
    std::string sql = "INSERT INTO proxy_rows (" + key_columns() + ", " + wide_columns() + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7";
    for (std::size_t i = 0; i < kProxyNames.size(); ++i) sql += ", ?" + std::to_string(8 + i);
    sql += ")" + upsert_tail();
    Stmt s(db_, sql.c_str(), rc);
    if (rc != SQLITE_OK) fail(rc, "preparing an insert");
    for (const auto& e : entries) {
      const std::string& arch = e.first;
      sqlite3_reset(s.get());
      sqlite3_clear_bindings(s.get());  // proxies not in this entry: NULL with their bit clear
      bind_key(s.get(), arch, key, 1);
      std::int64_t computed = 0;
      for (const auto& [name, value] : e.second) {
        const int i = proxy_position(name);
        if (i < 0) throw Error("proxy cache " + path_ + ": unknown proxy '" + name + "' to store for " + arch);
        computed |= std::int64_t{1} << i;
        if (value && std::isfinite(*value)) sqlite3_bind_double(s.get(), 8 + i, *value);
      }
      sqlite3_bind_int64(s.get(), 7, computed);
      rc = sqlite3_step(s.get());
      if (rc != SQLITE_DONE) fail(rc, "storing the proxies of " + arch);
    }
    exec("COMMIT", "committing");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::int64_t ProxyCache::row_count() {
  // Stored (arch, key, proxy) values, as in the first layout: the set bits of `computed`.
  std::string sql = "SELECT COALESCE(SUM(";
  for (std::size_t i = 0; i < kProxyNames.size(); ++i)
    sql += (i ? " + " : "") + std::string("((computed >> ") + std::to_string(i) + ") & 1)";
  return count(sql + "), 0) FROM proxy_rows");
}

std::string space_cache_arch(const SearchSpace& space, const Encoding& e) {
  return space.name() == "nb201" ? space.print(e) : space.name() + ":" + space.print(e);
}

}  // namespace pelnas
