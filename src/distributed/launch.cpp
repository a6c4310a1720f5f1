#include "distributed/launch.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>

#include "common/error.h"
#include "distributed/mpi_plugin.h"

namespace pelnas::distributed {

namespace {

std::unique_ptr<Runtime>& runtime_slot() {
  static std::unique_ptr<Runtime> r;
  return r;
}

std::set<std::string>& distributed_commands() {
  static std::set<std::string> s;
  return s;
}

int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return 0;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return end && *end == '\0' && n > 0 && n < 1000000 ? static_cast<int>(n) : 0;
}

}  // namespace

void install_runtime(std::unique_ptr<Runtime> runtime) { runtime_slot() = std::move(runtime); }
Runtime* runtime() { return runtime_slot().get(); }

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

Launch launch() {
  if (auto* r = runtime()) return r->launch();
  Launch l;
  l.host = host_name();
  return l;
}

int launcher_world_size() {
  // Open MPI's mpirun, PMIx/PMI (MPICH, Slurm's srun --mpi=pmix), and Slurm itself.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE", "SLURM_NTASKS"})
    if (const int n = env_int(name)) return n;
  return 1;
}

void declare_distributed_command(const std::string& path) { distributed_commands().insert(path); }
bool is_distributed_command(const std::string& path) { return distributed_commands().count(path) > 0; }

void check_command_allowed(const std::string& path) {
  const Launch l = launch();
  if (!l.mpi) {
    // SLURM_NTASKS alone (an sbatch allocation running pelnas once) is not several copies of us.
    int n = 1;
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"})
      if (const int k = env_int(name)) n = k;
    if (n > 1)
      throw SingleProcessError("this pelnas cannot talk MPI (" + mpi_unavailable_reason() + ") but was started as one of " +
                  std::to_string(n) + " processes by an MPI launcher; every process would do the whole job. "
                  "Run it once (without mpirun), or build the MPI back end (PELNAS_WITH_MPI=ON with libopenmpi-dev installed)");
    return;
  }
  if (l.size > 1 && !is_distributed_command(path)) {
    std::string list;
    for (const auto& c : distributed_commands()) list += (list.empty() ? "" : ", ") + c;
    throw SingleProcessError("`pelnas " + path + "` does not distribute its work, and under mpirun with " + std::to_string(l.size) +
                " ranks every rank would do all of it; run it without mpirun (or with -n 1). Commands that run on "
                "several ranks: " + list);
  }
}

namespace {
bool g_farm_ended = false;
}
void note_farm_ended() { g_farm_ended = true; }
bool farm_ended() { return g_farm_ended; }

void require_single_process(const std::string& what) {
  const Launch l = launch();
  if (l.size > 1)
    throw SingleProcessError(what + " runs in one process only, and under mpirun with " + std::to_string(l.size) +
                             " ranks every rank would do all of it; run it without mpirun (or with -n 1)");
}

void exit_after_error(int exit_code, bool job_consistent) {
  std::fflush(stdout);
  std::fflush(stderr);
  if (auto* r = runtime()) {
    if (!job_consistent && r->launch().size > 1) r->abort(exit_code);
    r->finalize();
  }
  std::exit(exit_code);
}

int resolve_threads(bool option_given, int option_value, int default_value, std::string* note) {
  auto say = [&](int n, const char* from) {
    if (note) *note = std::to_string(n) + (n == 1 ? " thread (" : " threads (") + from + ")";
    return n;
  };
  if (option_given) return say(option_value, "--threads");
  if (const char* v = std::getenv("OMP_NUM_THREADS"); v && *v) {
    const int n = env_int("OMP_NUM_THREADS");
    if (n < 1 || n > 256)
      throw Error(std::string("OMP_NUM_THREADS='") + v + "' is not a thread count in 1..256 (unset it or pass --threads)");
    return say(n, "OMP_NUM_THREADS");
  }
  return say(default_value, "default");
}

}  // namespace pelnas::distributed
