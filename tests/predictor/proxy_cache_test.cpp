#include "predictor/proxy_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "common/error.h"
#include "fake_proxy_computer.h"
#include "test_support.h"

namespace pelnas {

namespace {

ProxyKey key(std::string version = "v1") {
  ProxyKey k;
  k.dataset = Dataset::Cifar10;
  k.batch_size = 64;
  k.seed = 3;
  k.code_version = std::move(version);
  return k;
}

ProxyValues values_for(int code) {
  ProxyValues v;
  for (std::size_t p = 0; p < kProxyNames.size(); ++p)
    v.emplace(std::string(kProxyNames[p]), p == 4 ? std::nullopt : std::optional<double>(code * 100.0 + static_cast<double>(p) + 0.25));
  return v;
}

}  // namespace

TEST(ProxyCache, RoundTripKeepsMissingAsNullAndSeparatesKeys) {
  const std::string path = test::temp_dir("cache") + "/c.sqlite";
  const Arch a = Arch::from_lex_code(1234);
  {
    ProxyCache c(path);
    c.store(a, values_for(1234), key());
    EXPECT_EQ(c.row_count(), 13);
  }
  ProxyCache c(path);  // reopened: persisted
  const ProxyValues v = c.lookup(a, key());
  ASSERT_EQ(v.size(), 13u);
  EXPECT_EQ(v, values_for(1234));
  EXPECT_FALSE(v.at("grasp").has_value());  // kProxyNames[4], stored as NULL
  EXPECT_TRUE(c.complete(a, key()));
  // Any other key component gives nothing.
  EXPECT_TRUE(c.lookup(a, key("v2")).empty());
  ProxyKey other = key();
  other.batch_size = 32;
  EXPECT_TRUE(c.lookup(a, other).empty());
  other = key();
  other.dataset = Dataset::Cifar100;
  EXPECT_TRUE(c.lookup(a, other).empty());
  EXPECT_TRUE(c.lookup(Arch::from_lex_code(1235), key()).empty());
}

TEST(ProxyCache, LookupManyEqualsOneLookupPerArch) {
  const std::string path = test::temp_dir("cache") + "/many.sqlite";
  ProxyCache c(path);
  std::vector<ProxyCache::Entry> entries;
  for (int code : {10, 20, 30}) entries.push_back({Arch::from_lex_code(code), values_for(code)});
  c.store(entries, key());
  // Stored, absent and repeated archs, in an order unlike the stored one.
  const std::vector<Arch> query{Arch::from_lex_code(30), Arch::from_lex_code(11), Arch::from_lex_code(10),
                                Arch::from_lex_code(30)};
  const auto many = c.lookup_many(query, key());
  ASSERT_EQ(many.size(), query.size());
  for (std::size_t i = 0; i < query.size(); ++i) EXPECT_EQ(many[i], c.lookup(query[i], key())) << i;
  EXPECT_EQ(many[0], values_for(30));
  EXPECT_TRUE(many[1].empty());
  // The read transaction is closed: a write goes through afterwards.
  c.store(Arch::from_lex_code(11), values_for(11), key());
  EXPECT_EQ(c.lookup_many(query, key())[1], values_for(11));
}

TEST(ProxyCache, NonFiniteValuesAreStoredAsMissing) {
  ProxyCache c(":memory:");
  ProxyValues v = values_for(5);
  v["synflow"] = std::numeric_limits<double>::infinity();
  c.store(Arch::from_lex_code(5), v, key());
  EXPECT_FALSE(c.lookup(Arch::from_lex_code(5), key()).at("synflow").has_value());
}

TEST(ProxyCache, TwoWriterProcessesDoNotCorruptIt) {
  const std::string path = test::temp_dir("cache2") + "/c.sqlite";
  { ProxyCache init(path); }
  constexpr int kPerWriter = 300;
  pid_t pids[2];
  for (int w = 0; w < 2; ++w) {
    pids[w] = ::fork();
    ASSERT_GE(pids[w], 0);
    if (pids[w] == 0) {
      int rc = 0;
      try {
        ProxyCache c(path, 30000);
        // Writers overlap on half their archs (same values), in batches of 5 archs.
        for (int start = 0; start < kPerWriter; start += 5) {
          std::vector<ProxyCache::Entry> batch;
          for (int i = start; i < start + 5; ++i) {
            const int code = w * kPerWriter / 2 + i;
            batch.push_back({Arch::from_lex_code(code), values_for(code)});
          }
          c.store(batch, key());
        }
      } catch (...) {
        rc = 1;
      }
      ::_exit(rc);
    }
  }
  for (pid_t p : pids) {
    int status = 0;
    ::waitpid(p, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  ProxyCache c(path);
  const int distinct = kPerWriter / 2 + kPerWriter;
  EXPECT_EQ(c.row_count(), distinct * 13);
  for (int code = 0; code < distinct; ++code) ASSERT_EQ(c.lookup(Arch::from_lex_code(code), key()), values_for(code)) << code;
  // SQLite's own consistency check.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "ok");
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST(ProxyCache, CorruptFileGivesClearErrorAndIsLeftUntouched) {
  const std::string path = test::temp_dir("cache3") + "/garbage.sqlite";
  std::string garbage;
  for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<char>((i * 131 + 7) % 251));
  test::write_file(path, garbage);
  try {
    ProxyCache c(path);
    FAIL() << "expected pelnas::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("not a valid SQLite database"), std::string::npos) << msg;
  }
  EXPECT_EQ(test::read_file(path), garbage);
}

TEST(ProxyCache, LockedFileGivesClearErrorAndLosesNothing) {
  const std::string path = test::temp_dir("cache4") + "/c.sqlite";
  ProxyCache c(path, 100);
  c.store(Arch::from_lex_code(1), values_for(1), key());
  // Another connection holds the write lock.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  try {
    c.store(Arch::from_lex_code(2), values_for(2), key());
    FAIL() << "expected pelnas::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("locked"), std::string::npos) << msg;
  }
  // Readers still work while it is locked (WAL), and the stored arch is intact.
  EXPECT_EQ(c.lookup(Arch::from_lex_code(1), key()), values_for(1));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  c.store(Arch::from_lex_code(2), values_for(2), key());
  EXPECT_EQ(c.lookup(Arch::from_lex_code(1), key()), values_for(1));
  EXPECT_EQ(c.lookup(Arch::from_lex_code(2), key()), values_for(2));
  EXPECT_EQ(c.row_count(), 26);
}

TEST(ProxyCache, ExclusivelyLockedFileFailsAtOpenNamingTheFile) {
  const std::string path = test::temp_dir("cache5") + "/c.sqlite";
  { ProxyCache c(path); c.store(Arch::from_lex_code(9), values_for(9), key()); }
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; SELECT COUNT(*) FROM proxy_rows;",
                         nullptr, nullptr, nullptr), SQLITE_OK);
  try {
    ProxyCache c(path, 100);
    c.lookup(Arch::from_lex_code(9), key());
    FAIL() << "expected pelnas::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("locked"), std::string::npos) << e.what();
  }
  sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ProxyCache c(path);
  EXPECT_EQ(c.lookup(Arch::from_lex_code(9), key()), values_for(9));
}

TEST(CachedProxyComputer, ComputesOnlyWhatIsMissing) {
  auto cache = std::make_shared<ProxyCache>(test::temp_dir("cache6") + "/c.sqlite");
  std::atomic<int> calls{0};
  auto factory = [&] { return std::make_unique<test::FakeProxyComputer>(Dataset::Cifar10, "fake-1", &calls); };
  ProxyKey k = key("fake-1");
  auto data = test::data();
  std::vector<Arch> archs = {data->arch(0), data->arch(1), data->arch(2)};
  {
    CachedProxyComputer c(cache, k, factory);
    const auto v = c.compute_many(archs);
    EXPECT_EQ(calls.load(), 3);
    EXPECT_EQ(c.computed(), 3);
    EXPECT_EQ(v[1], test::FakeProxyComputer::fake_values(archs[1], Dataset::Cifar10));
  }
  archs.push_back(data->arch(3));
  CachedProxyComputer c(cache, k, factory);
  const auto v = c.compute_many(archs);
  EXPECT_EQ(calls.load(), 4);  // only the new arch
  EXPECT_EQ(c.computed(), 1);
  EXPECT_EQ(c.hits(), 3);
  for (std::size_t i = 0; i < archs.size(); ++i)
    EXPECT_EQ(v[i], test::FakeProxyComputer::fake_values(archs[i], Dataset::Cifar10));
  // A back end of another code version is refused rather than mixed into the cache.
  CachedProxyComputer wrong(cache, key("fake-2"),
                            [] { return std::make_unique<test::FakeProxyComputer>(Dataset::Cifar10, "fake-1"); });
  EXPECT_THROW(wrong.compute(data->arch(0)), Error);
}

TEST(ProxyCache, ReadsAndKeepsFirstLayoutFiles) {
  // A file of the first layout (one row per arch and proxy), as earlier pelnas builds wrote it.
  const std::string path = test::temp_dir("cache_old") + "/old.sqlite";
  auto data = test::data();
  const Arch a = data->arch(11), b = data->arch(12), c = data->arch(13);
  auto write_old = [&](const Arch& arch, const ProxyValues& v) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE IF NOT EXISTS proxies (arch TEXT NOT NULL, dataset TEXT NOT NULL, proxy TEXT NOT "
                           "NULL, batch_size INTEGER NOT NULL, seed INTEGER NOT NULL, input TEXT NOT NULL, code_version "
                           "TEXT NOT NULL, value REAL, PRIMARY KEY (arch, dataset, proxy, batch_size, seed, input, "
                           "code_version)) WITHOUT ROWID",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    for (const auto& [name, value] : v) {
      const std::string sql = "INSERT INTO proxies VALUES ('" + arch.str() + "', 'cifar10', '" + name + "', 64, 3, '', 'v1', " +
                              (value ? std::to_string(*value) : std::string("NULL")) + ")";
      ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    }
    sqlite3_close(db);
  };
  auto old_rows = [&] {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM proxies", -1, &s, nullptr);
    sqlite3_step(s);
    const auto n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
  };
  const ProxyValues va = values_for(1);  // 13 values, grasp stored as missing (NULL)
  const ProxyValues vb = {{"nwot", 2.5}, {"synflow", std::nullopt}};  // a partial row
  write_old(a, va);
  write_old(b, vb);
  {
    ProxyCache cache(path);
    EXPECT_EQ(cache.lookup(a, key()), va);
    EXPECT_EQ(cache.lookup(b, key()), vb);
    EXPECT_TRUE(cache.complete(a, key()));
    EXPECT_FALSE(cache.complete(b, key()));
    EXPECT_EQ(cache.lookup_many({b, a, c, a}, key()), (std::vector<ProxyValues>{vb, va, {}, va}));
    EXPECT_EQ(cache.row_count(), 15);
    // New values merge into a row: the stored ones stay, the new proxy is added.
    cache.store(b, {{"zen", 7.0}}, key());
    EXPECT_EQ(cache.lookup(b, key()), (ProxyValues{{"nwot", 2.5}, {"synflow", std::nullopt}, {"zen", 7.0}}));
  }
  EXPECT_EQ(old_rows(), 15);  // the first-layout table is never modified
  // An older build keeps writing the first layout: the next open picks the new rows up.
  write_old(c, {{"params", 0.5}});
  ProxyCache cache(path);
  EXPECT_EQ(cache.lookup(c, key()), (ProxyValues{{"params", 0.5}}));
  EXPECT_EQ(cache.lookup(b, key()).at("zen"), 7.0);
}

TEST(ProxyCache, NonNumericValuesAreRefusedNamingFileRowAndColumn) {
  // A hand-edited or foreign cache: SQLite keeps text or a blob in a REAL column and would read it
  // as 0.0. Every lookup path refuses it, naming the file, the arch (row) and the column.
  const std::string path = test::temp_dir("cache_text") + "/c.sqlite";
  const Arch a = Arch::from_lex_code(77), b = Arch::from_lex_code(78);
  {
    ProxyCache c(path);
    c.store({{a, values_for(77)}, {b, values_for(78)}}, key());
  }
  const auto edit = [&](const std::string& set, const Arch& arch) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const std::string sql = "UPDATE proxy_rows SET " + set + " WHERE arch = '" + arch.str() + "'";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(db);
  };
  const auto expect_refused = [&](const std::string& column, const std::string& held) {
    ProxyCache c(path);
    for (int way = 0; way < 3; ++way) {
      try {
        if (way == 0) c.lookup(a, key());
        if (way == 1) c.lookup_many({b, a}, key());
        if (way == 2) c.complete(a, key());
        ADD_FAILURE() << "accepted " << column << " holding " << held << " (way " << way << ")";
      } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
        EXPECT_NE(msg.find(a.str()), std::string::npos) << msg;
        EXPECT_NE(msg.find("column " + column), std::string::npos) << msg;
        EXPECT_NE(msg.find(held), std::string::npos) << msg;
      }
    }
    // The other row still reads, and the statement was released (a write goes through).
    EXPECT_EQ(c.lookup(b, key()), values_for(78));
    c.store(Arch::from_lex_code(79), values_for(79), key());
  };
  edit("synflow = 'abc'", a);
  expect_refused("synflow", "text 'abc'");
  edit("synflow = 1.5, nwot = x'00ff'", a);
  expect_refused("nwot", "a blob");
  edit("nwot = 2, computed = 'all'", a);
  expect_refused("computed", "text 'all'");
  // Integers and numeric text that SQLite converted on store are numbers: accepted.
  edit("computed = 8191, synflow = '2.5', nwot = 3", a);
  ProxyCache c(path);
  const ProxyValues v = c.lookup(a, key());
  EXPECT_EQ(v.at("synflow"), 2.5);
  EXPECT_EQ(v.at("nwot"), 3.0);
}

}  // namespace pelnas
