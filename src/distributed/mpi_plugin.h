#pragma once
// The MPI back end (Open MPI) is a plugin, libpelnas_mpi.so (distributed/*_mpi.cpp), opened with
// dlopen only when an MPI launcher started this process, so a command run on its own never loads
// MPI's libraries (Open MPI, PMIx, hwloc, libevent: 7 more shared objects at every start).
// Search order: $PELNAS_MPI_PLUGIN, then as for the torch plugin (common/plugin_path.h).
#include <string>
#include <vector>

namespace pelnas::distributed {

inline constexpr int kMpiPluginAbi = 1;
// extern "C" int pelnas_mpi_plugin(int abi): initialises MPI and installs the MPI Runtime; returns
// the plugin's ABI version (nothing is done when it differs from `abi`).
inline constexpr const char* kMpiPluginEntry = "pelnas_mpi_plugin";

// Whether the environment says an MPI launcher (Open MPI's mpirun, PMIx/PMI: MPICH, srun --mpi=...)
// started this process.
bool started_by_mpi_launcher();

// Call first thing in main(): under an MPI launcher, opens the plugin and initialises MPI (before
// LibTorch or anything else is loaded). Alone: does nothing. A plugin that cannot be opened is not
// an error here: mpi_unavailable_reason() says why, and a job of several processes is refused
// with it (launch.h, check_command_allowed).
void start_mpi_if_launched();
std::string mpi_unavailable_reason();  // "" when MPI started or was not asked for
std::vector<std::string> mpi_plugin_candidates();

}  // namespace pelnas::distributed
