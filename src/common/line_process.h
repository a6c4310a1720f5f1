#pragma once
// A child program spoken to in lines over its stdin/stdout (external evaluators). It is started
// with /bin/sh -c COMMAND (the command line is the user's own, as typed into a shell; nothing
// pelnas computes is ever put on it), in its own process group so that a timeout or pelnas's exit
// ends the program and everything it started. Its stderr goes to a file.
#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>

namespace pelnas {

class LineProcess {
 public:
  // Starts `command` via /bin/sh -c in `working_dir` ("" = current), stderr appended to
  // `stderr_path` ("" = inherited). Throws pelnas::Error when it cannot be started.
  LineProcess(const std::string& command, const std::string& working_dir, const std::string& stderr_path);
  ~LineProcess();  // closes stdin, waits briefly, then ends the process group
  LineProcess(const LineProcess&) = delete;
  LineProcess& operator=(const LineProcess&) = delete;

  // Queues text for the child's stdin; it is written while read_line() waits, so neither side
  // blocks on a full pipe.
  void send(const std::string& text);
  enum class ReadStatus { Line, Timeout, Eof, TooLong };
  // The next output line without its '\n', waiting until `deadline`. Eof: the child closed its
  // stdout (usually: it exited); TooLong: a line longer than max_line_bytes.
  ReadStatus read_line(std::string& line, std::chrono::steady_clock::time_point deadline,
                       std::size_t max_line_bytes = std::size_t{1} << 20);
  // Waits up to `grace` for the child to exit, then kills its process group; returns how it ended
  // ("exited with status 3", "killed by signal 9 (Killed)", ...).
  std::string finish(std::chrono::milliseconds grace);
  pid_t pid() const { return pid_; }

 private:
  void flush_some(bool block_until_written);
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  std::string pending_out_;  // not yet written to the child's stdin
  std::string buffer_;       // read from its stdout, not yet returned
  bool eof_ = false;
  std::optional<std::string> ended_;
};

}  // namespace pelnas
