#include "run/run_directory.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/file.h>
#include <sstream>
#include <unistd.h>

#include "common/error.h"

namespace pelnas {

namespace fs = std::filesystem;

void write_all_and_close(int fd, const std::string& text, const std::string& path, bool data_only) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw Error("cannot write " + path + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (data_only) ::fdatasync(fd);
  else ::fsync(fd);
  ::close(fd);
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot write " + tmp + ": " + std::strerror(errno));
  write_all_and_close(fd, text, tmp, false);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
}

RunDirectoryLock::RunDirectoryLock(const std::string& dir) {
  const std::string path = dir + "/" + RunDirectory::kLock;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error("cannot open the lock file " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    ::close(fd_);
    fd_ = -1;
    std::string owner = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    while (!owner.empty() && (owner.back() == '\n' || owner.back() == ' ')) owner.pop_back();
    if (err == EWOULDBLOCK)
      throw Error("run directory " + dir + " is in use by another pelnas search" + (owner.empty() ? "" : " (pid " + owner + ")") +
                  "; wait for it to finish or stop it before resuming (lock file " + path + ")");
    throw Error("cannot lock " + path + ": " + std::strerror(err));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

RunDirectoryLock::~RunDirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

RunDirectory RunDirectory::create(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec) && !(fs::is_directory(path, ec) && fs::is_empty(path, ec)))
    throw Error("run directory " + path + " already exists and is not empty (use --resume " + path +
                " to continue it, or choose another --out)");
  fs::create_directories(fs::path(path) / "knowledge", ec);
  if (ec) throw Error("cannot create run directory " + path + ": " + ec.message());
  return RunDirectory(path);
}

RunDirectory RunDirectory::open(const std::string& path) {
  if (!fs::is_directory(path)) throw Error("run directory " + path + " does not exist");
  if (!fs::exists(fs::path(path) / kConfig)) throw Error("run directory " + path + " has no " + kConfig + " (not a pelnas run)");
  std::error_code ec;
  fs::create_directories(fs::path(path) / "knowledge", ec);
  return RunDirectory(path);
}

bool RunDirectory::exists(const std::string& name) const { return fs::exists(file(name)); }

std::string RunDirectory::read(const std::string& name) const {
  std::ifstream in(file(name), std::ios::binary);
  if (!in) throw Error("cannot read " + file(name));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json RunDirectory::read_json(const std::string& name) const {
  try {
    return nlohmann::json::parse(read(name));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file(name), 0, std::string("malformed JSON: ") + e.what());
  }
}

void RunDirectory::append_event(const nlohmann::json& event) const { append(kEvents, event.dump() + "\n"); }

void RunDirectory::append(const std::string& name, const std::string& text) const {
  const int fd = ::open(file(name).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot append to " + file(name) + ": " + std::strerror(errno));
  const ssize_t n = ::write(fd, text.data(), text.size());  // one write: a line is never interleaved
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) throw Error("short write to " + file(name));
}

std::vector<nlohmann::json> RunDirectory::events() const {
  std::vector<nlohmann::json> out;
  if (!exists(kEvents)) return out;
  std::istringstream is(read(kEvents));
  std::string line;
  long n = 0;
  while (std::getline(is, line)) {
    ++n;
    if (line.empty()) continue;
    try {
      out.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      if (is.peek() == EOF) break;  // a torn last line from a kill: ignored
      throw InputError(file(kEvents), n, "malformed event line");
    }
  }
  return out;
}

void RunDirectory::truncate_events(std::size_t keep) const {
  const auto all = events();
  std::string text;
  for (std::size_t i = 0; i < all.size() && i < keep; ++i) text += all[i].dump() + "\n";
  write(kEvents, text);
}

}  // namespace pelnas
