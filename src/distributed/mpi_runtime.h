#pragma once
// The MPI back end (Open MPI), linked only in an MPI build (distributed/*_mpi.cpp, PELNAS_HAVE_MPI).

namespace pelnas::distributed {

// Call first thing in main(): when an MPI launcher started this process, initialises MPI and
// installs the MPI Runtime (rank, size, farms, abort). Otherwise does nothing.
void register_mpi_backend(int* argc, char*** argv);

}  // namespace pelnas::distributed
