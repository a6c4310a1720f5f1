#include "common/line_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "common/error.h"

namespace pelnas {

namespace {

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int s = WTERMSIG(status);
    return "killed by signal " + std::to_string(s) + " (" + ::strsignal(s) + ")";
  }
  return "ended (wait status " + std::to_string(status) + ")";
}

}  // namespace

LineProcess::LineProcess(const std::string& command, const std::string& working_dir, const std::string& stderr_path) {
  // A write to a child that has exited must be an error we report, not a SIGPIPE that kills pelnas.
  ::signal(SIGPIPE, SIG_IGN);
  int to_child[2], from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) throw Error(std::string("evaluator: cannot create a pipe: ") + std::strerror(errno));
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]), ::close(to_child[1]);
    throw Error(std::string("evaluator: cannot create a pipe: ") + std::strerror(errno));
  }
  int err_fd = -1;
  if (!stderr_path.empty()) {
    err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (err_fd < 0) {
      for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) ::close(fd);
      throw Error("evaluator: cannot open its log " + stderr_path + ": " + std::strerror(errno));
    }
  }
  const char* dir = working_dir.empty() ? nullptr : working_dir.c_str();
  pid_ = ::fork();
  if (pid_ < 0) {
    for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1], err_fd})
      if (fd >= 0) ::close(fd);
    throw Error(std::string("evaluator: fork failed: ") + std::strerror(errno));
  }
  if (pid_ == 0) {  // child: only async-signal-safe calls until exec
    ::setpgid(0, 0);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(to_child[0], 0);
    ::dup2(from_child[1], 1);
    if (err_fd >= 0) ::dup2(err_fd, 2);
    if (dir && ::chdir(dir) != 0) {
      static const char msg[] = "pelnas: cannot change to the evaluator's working directory\n";
      (void)!::write(2, msg, sizeof msg - 1);
      ::_exit(127);
    }
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);  // also here: no race with the child's own call
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (err_fd >= 0) ::close(err_fd);
  in_fd_ = to_child[1];
  out_fd_ = from_child[0];
  ::fcntl(in_fd_, F_SETFL, ::fcntl(in_fd_, F_GETFL) | O_NONBLOCK);
  ::fcntl(out_fd_, F_SETFL, ::fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
}

LineProcess::~LineProcess() {
  try {
    (void)finish(std::chrono::milliseconds(2000));
  } catch (...) {
  }
}

void LineProcess::send(const std::string& text) { pending_out_ += text; }

void LineProcess::flush_some(bool) {
  while (!pending_out_.empty() && in_fd_ >= 0) {
    const ssize_t n = ::write(in_fd_, pending_out_.data(), pending_out_.size());
    if (n > 0) {
      pending_out_.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // EPIPE: the child closed its stdin (or exited); what it says (or its exit) is reported by read_line.
    pending_out_.clear();
    return;
  }
}

LineProcess::ReadStatus LineProcess::read_line(std::string& line, std::chrono::steady_clock::time_point deadline,
                                               std::size_t max_line_bytes) {
  for (;;) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (line.size() > max_line_bytes) return ReadStatus::TooLong;
      return ReadStatus::Line;
    }
    if (buffer_.size() > max_line_bytes) {
      line = buffer_.substr(0, 200);
      return ReadStatus::TooLong;
    }
    if (eof_) {
      if (!buffer_.empty()) {  // a last line without '\n'
        line.swap(buffer_);
        buffer_.clear();
        return ReadStatus::Line;
      }
      return ReadStatus::Eof;
    }
    flush_some(false);
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return ReadStatus::Timeout;
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {pending_out_.empty() ? -1 : in_fd_, POLLOUT, 0}};
    const auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    const int r = ::poll(fds, 2, static_cast<int>(std::min<long long>(wait_ms, 1000)));
    if (r < 0 && errno != EINTR) throw Error(std::string("evaluator: poll failed: ") + std::strerror(errno));
    if (r <= 0) continue;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n > 0) buffer_.append(buf, static_cast<std::size_t>(n));
      else if (n == 0) eof_ = true;
      else if (errno != EAGAIN && errno != EINTR) eof_ = true;
    }
  }
}

std::string LineProcess::finish(std::chrono::milliseconds grace) {
  if (ended_) return *ended_;
  if (in_fd_ >= 0) ::close(in_fd_), in_fd_ = -1;  // EOF on its stdin: the protocol's "no more batches"
  int status = 0;
  const auto until = std::chrono::steady_clock::now() + grace;
  pid_t r = 0;
  while ((r = ::waitpid(pid_, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::string how;
  if (r == pid_) {
    how = describe_status(status);
    ::kill(-pid_, SIGKILL);  // anything it left running in its group
  } else {
    ::kill(-pid_, SIGKILL);
    while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    how = r == pid_ ? "did not exit within " + std::to_string(grace.count()) + " ms and was killed" : "could not be waited for";
  }
  if (out_fd_ >= 0) ::close(out_fd_), out_fd_ = -1;
  ended_ = how;
  return how;
}

}  // namespace pelnas
