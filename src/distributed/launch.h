#pragma once
// How this process was started: alone, or as one rank of an MPI job. The MPI back end
// (distributed/*_mpi.cpp, linked only with an MPI build) installs a Runtime at start-up; without it
// every process is rank 0 of 1. Commands that distribute their work declare it, so `mpirun -n 2`
// with any other command is refused instead of running the same work twice.
#include <memory>
#include <string>

#include "common/error.h"

namespace pelnas::distributed {

class WorkFarm;

struct Launch {
  int rank = 0;
  int size = 1;
  std::string host;
  bool mpi = false;  // MPI initialised (even with size 1)
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual Launch launch() const = 0;
  virtual std::unique_ptr<WorkFarm> make_farm() = 0;
  virtual void finalize() = 0;
  [[noreturn]] virtual void abort(int exit_code) = 0;
};

void install_runtime(std::unique_ptr<Runtime> runtime);
Runtime* runtime();  // null without MPI
Launch launch();
std::string host_name();

// The number of processes of the MPI job this process was started in according to the launcher's
// environment (Open MPI, PMI/PMIx, Slurm), or 1. Lets a build without MPI refuse `mpirun -n 2`.
int launcher_world_size();

// A refusal that every rank reaches alike (it depends only on the command line and the job size),
// so every rank may end on its own without aborting the job.
class SingleProcessError : public Error {
 public:
  using Error::Error;
};

// Throws SingleProcessError when this process is one of several ranks: `what` runs in one process only.
void require_single_process(const std::string& what);

// "predictor table", "bench": commands (paths of subcommand names) whose work is distributed.
void declare_distributed_command(const std::string& path);
bool is_distributed_command(const std::string& path);
// Throws SingleProcessError when this process is one of several ranks and `path` does not distribute,
// or when this build cannot talk MPI but was started as one of several processes.
void check_command_allowed(const std::string& path);

// Set once a farm on this rank has ended in step with the other ranks (they were told to stop), so
// an error after it may end this process alone.
void note_farm_ended();
bool farm_ended();

// Ends the process after an error that escaped a command: exit code on its own, or, with other
// ranks that may be waiting on this one, the whole job through MPI's abort.
[[noreturn]] void exit_after_error(int exit_code, bool job_consistent);

// Threads for a rank: the option when given, else $OMP_NUM_THREADS when set, else the default.
// `note` says which ("2 (--threads)", "1 (OMP_NUM_THREADS)", "2 (default)").
int resolve_threads(bool option_given, int option_value, int default_value, std::string* note);

}  // namespace pelnas::distributed
