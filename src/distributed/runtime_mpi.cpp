// The MPI runtime and farm (the MPI plugin, libpelnas_mpi.so: see distributed/mpi_plugin.h). Rank 0 runs the shared coordinator loop (coordinator.cpp) and also works
// on its own threads; the other ranks receive items, compute them on their threads and send results
// back. Messages: SETUP (rank 0's job setup bytes), HELLO (a rank's host, slots, threads, input
// fingerprint or setup error), ITEM and RESULT/ERROR (8-byte item id + bytes), STOP ("more" when
// another job follows), BYE. Waiting is by MPI_Iprobe with short sleeps, so
// idle ranks do not spin a core that a busy one could use. Only the main thread calls MPI.
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <thread>

#include "common/error.h"
#include "distributed/coordinator.h"
#include "distributed/launch.h"
#include "distributed/mpi_plugin.h"

namespace pelnas::distributed {

namespace {

enum Tag : int { kHello = 101, kItem, kResult, kFailed, kStop, kBye, kSetup };

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw Error(std::string("MPI error in ") + what);
}

std::string id_message(std::size_t id, const std::string& body) {
  std::string m(8, '\0');
  const auto v = static_cast<std::uint64_t>(id);
  for (int i = 0; i < 8; ++i) m[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return m + body;
}

std::pair<std::size_t, std::string> split_id(const std::string& m) {
  if (m.size() < 8) throw Error("MPI: malformed message (shorter than its item id)");
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(m[static_cast<std::size_t>(i)])) << (8 * i);
  return {static_cast<std::size_t>(v), m.substr(8)};
}

void send(int to, Tag tag, const std::string& bytes) {
  check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD), "MPI_Send");
}

struct Received {
  int from = 0;
  int tag = 0;
  std::string bytes;
};

// A message from `source` (or any), waiting up to `timeout` (probing with short sleeps).
std::optional<Received> receive(int source, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int flag = 0;
    MPI_Status st;
    check(MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
    if (flag) {
      int count = 0;
      MPI_Get_count(&st, MPI_BYTE, &count);
      Received r;
      r.from = st.MPI_SOURCE;
      r.tag = st.MPI_TAG;
      r.bytes.resize(static_cast<std::size_t>(count));
      check(MPI_Recv(r.bytes.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
            "MPI_Recv");
      return r;
    }
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

Received receive_blocking(int source) {
  for (;;)
    if (auto r = receive(source, std::chrono::milliseconds(1000))) return *r;
}

class MpiLinks : public RemoteLinks {
 public:
  explicit MpiLinks(std::vector<Peer> peers) : peers_(std::move(peers)) {}
  const std::vector<Peer>& peers() const override { return peers_; }
  void send_item(int rank, std::size_t id, const std::string& payload) override { send(rank, kItem, id_message(id, payload)); }
  std::optional<Message> poll(std::chrono::milliseconds timeout) override {
    auto r = receive(MPI_ANY_SOURCE, timeout);
    if (!r) return std::nullopt;
    if (r->tag != kResult && r->tag != kFailed)
      throw Error(fmt::format("MPI: unexpected message (tag {}) from rank {} while waiting for results", r->tag, r->from));
    auto [id, text] = split_id(r->bytes);
    return Message{r->from, id, r->tag == kResult, std::move(text)};
  }

 private:
  std::vector<Peer> peers_;
};

class MpiFarm : public WorkFarm {
 public:
  MpiFarm(int rank, int size, std::string host) : rank_(rank), size_(size), host_(std::move(host)) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  FarmStats run(const FarmJob& job) override {
    if (job.slots < 1) throw Error(job.name + ": slots must be >= 1");
    std::string fingerprint, setup_error;
    if (rank_ == 0) {
      for (int r = 1; r < size_; ++r) send(r, kSetup, job.setup);
    } else {
      Received m = receive_blocking(0);
      if (m.tag != kSetup) throw Error(fmt::format("MPI: rank 0 sent message tag {} where a job setup was expected", m.tag));
      try {
        if (job.on_setup) job.on_setup(m.bytes);
      } catch (const std::exception& e) {
        setup_error = e.what();
      }
    }
    try {
      if (setup_error.empty() && job.fingerprint) fingerprint = job.fingerprint();
    } catch (const std::exception& e) {
      setup_error = e.what();
    }
    if (rank_ != 0) {
      send(0, kHello, nlohmann::json{{"host", host_}, {"slots", job.slots}, {"threads", job.threads_note},
                                     {"fingerprint", fingerprint}, {"error", setup_error}}.dump());
      FarmStats stats;
      stats.more = work_until_stopped(job);
      if (!stats.more) note_farm_ended();
      return stats;
    }
    return coordinate_ranks(job, fingerprint, setup_error);
  }

 private:
  int rank_, size_;
  std::string host_;

  FarmStats coordinate_ranks(const FarmJob& job, const std::string& fingerprint, const std::string& setup_error) {
    std::vector<RemoteLinks::Peer> peers;
    std::vector<std::string> problems;
    const auto level = job.announce ? spdlog::level::info : spdlog::level::debug;
    spdlog::log(level, "{}: MPI job of {} ranks; rank 0 on {}: {} slot(s), {}", job.name, size_, host_, job.slots,
                job.threads_note);
    if (!setup_error.empty()) problems.push_back(fmt::format("rank 0 on host {}: {}", host_, setup_error));
    for (int r = 1; r < size_; ++r) {
      const Received m = receive_blocking(r);
      nlohmann::json h = nlohmann::json::parse(m.bytes, nullptr, false);
      if (m.tag != kHello || h.is_discarded()) throw Error(fmt::format("MPI: rank {} did not start with a hello message", r));
      RemoteLinks::Peer p{r, h.value("host", "?"), h.value("slots", 1)};
      spdlog::log(level, "{}: rank {} on {}: {} slot(s), {}", job.name, r, p.host, p.slots, h.value("threads", std::string()));
      const std::string err = h.value("error", std::string()), fp = h.value("fingerprint", std::string());
      if (!err.empty())
        problems.push_back(fmt::format("rank {} on host {}: {}", r, p.host, err));
      else if (setup_error.empty() && fp != fingerprint)
        problems.push_back(fmt::format("rank {} on host {} has different inputs than rank 0 (rank 0: {}; rank {}: {}); "
                                       "every rank needs the same data and images: a shared file system or identical "
                                       "copies at the same paths",
                                       r, p.host, fingerprint, r, fp));
      peers.push_back(p);
    }
    if (!problems.empty()) {
      stop_all(false);
      std::string msg = job.name + ": refusing to start: ";
      for (std::size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
      throw Error(msg);
    }
    std::size_t total_slots = static_cast<std::size_t>(job.slots);
    for (const auto& p : peers) total_slots += static_cast<std::size_t>(p.slots);
    if (job.payloads.size() < total_slots && job.announce)
      spdlog::warn("{}: {} item(s) for {} slots on {} ranks: some ranks stay idle", job.name, job.payloads.size(),
                   total_slots, size_);
    FarmStats stats;
    try {
      MpiLinks links(std::move(peers));
      LocalPool pool(job.payloads.empty() ? 0 : job.slots, work_with_test_faults(job.work));
      stats = coordinate(job, pool, &links, host_, size_);
    } catch (...) {
      stop_all(false);  // a failed job ends the chain: the other ranks return without `more`
      throw;
    }
    stop_all(job.more_follow);
    std::string per_rank;
    for (int r = 0; r < size_; ++r) per_rank += fmt::format("{}{}", r ? ", " : "", stats.per_rank[static_cast<std::size_t>(r)]);
    spdlog::log(level, "{}: {} item(s) done; per rank: {}", job.name, stats.items, per_rank);
    return stats;
  }

  // Tells every other rank to stop and waits until each has said bye (results still in flight are
  // received and dropped, so no rank blocks sending them).
  // `more`: another job follows on these ranks (they return from run() and call it again).
  void stop_all(bool more) {
    for (int r = 1; r < size_; ++r) send(r, kStop, more ? "more" : "");
    int byes = 0;
    while (byes < size_ - 1) {
      const Received m = receive_blocking(MPI_ANY_SOURCE);
      if (m.tag == kBye) ++byes;
    }
    if (!more) note_farm_ended();
  }

  // Returns whether rank 0 said another job follows.
  bool work_until_stopped(const FarmJob& job) {
    LocalPool pool(job.slots, work_with_test_faults(job.work));
    bool stopping = false, more = false;
    for (;;) {
      for (auto& d : pool.take(std::chrono::milliseconds(0)))
        send(0, d.ok ? kResult : kFailed, id_message(d.id, d.text));
      if (stopping && pool.in_flight() == 0) break;
      if (stopping) {
        for (auto& d : pool.take(std::chrono::milliseconds(50)))
          send(0, d.ok ? kResult : kFailed, id_message(d.id, d.text));
        continue;
      }
      auto m = receive(0, std::chrono::milliseconds(2));
      if (!m) continue;
      if (m->tag == kItem) {
        auto [id, payload] = split_id(m->bytes);
        pool.submit(id, std::move(payload));
      } else if (m->tag == kStop) {
        stopping = true;
        more = m->bytes == "more";
      }
    }
    send(0, kBye, "");
    return more;
  }
};

class MpiRuntime : public Runtime {
 public:
  MpiRuntime() {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    MPI_Comm_rank(MPI_COMM_WORLD, &launch_.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &launch_.size);
    char name[MPI_MAX_PROCESSOR_NAME] = {};
    int len = 0;
    MPI_Get_processor_name(name, &len);
    launch_.host = std::string(name, static_cast<std::size_t>(len));
    launch_.mpi = true;
  }
  Launch launch() const override { return launch_; }
  std::unique_ptr<WorkFarm> make_farm() override {
    if (launch_.size == 1) return make_local_farm();
    return std::make_unique<MpiFarm>(launch_.rank, launch_.size, launch_.host);
  }
  void finalize() override {
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
  }
  [[noreturn]] void abort(int exit_code) override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
  }

 private:
  Launch launch_;
};

}  // namespace

}  // namespace pelnas::distributed

// The plugin's entry point (distributed/mpi_plugin.h): main() calls it through dlopen when an MPI
// launcher started the process.
extern "C" __attribute__((visibility("default"))) int pelnas_mpi_plugin(int abi) {
  using namespace pelnas::distributed;
  if (abi == kMpiPluginAbi) install_runtime(std::make_unique<MpiRuntime>());
  return kMpiPluginAbi;
}
