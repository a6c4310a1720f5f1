#include "test_support.h"
#include "pelnas_build_paths.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/error.h"
#include "data/data_dir.h"

namespace pelnas::test {

namespace fs = std::filesystem;

std::string data_dir() {
  if (const char* env = std::getenv("PELNAS_DATA"); env && *env) return env;
  return (fs::path(PELNAS_SOURCE_DIR) / ".." / "shared" / "data").lexically_normal().string();
}

std::shared_ptr<const BenchmarkData> data() { return BenchmarkData::load(data_dir()); }

namespace {
struct TempDirs {
  std::vector<fs::path> dirs;
  ~TempDirs() {
    std::error_code ec;
    for (auto& d : dirs) fs::remove_all(d, ec);
  }
};
TempDirs& temp_dirs() {
  static TempDirs t;
  return t;
}
}  // namespace

std::string temp_dir(const std::string& tag) {
  std::string templ = (fs::temp_directory_path() / ("pelnas-test-" + tag + "-XXXXXX")).string();
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  temp_dirs().dirs.emplace_back(templ);
  return templ;
}

pid_t spawn_program(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& out_path,
                    const std::string& err_path) {
  if (argv.empty()) throw std::runtime_error("spawn_program: no program");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    auto open_out = [](const std::string& path) {
      return ::open(path.empty() ? "/dev/null" : path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    };
    const int o = open_out(out_path);
    // One file for both streams shares one offset, so neither overwrites the other.
    const int e = err_path == out_path && !out_path.empty() ? o : open_out(err_path);
    const int in = ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || in < 0) ::_exit(126);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::dup2(in, 0);
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  return pid;
}

CliResult run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  // stdout and stderr go to temp files so large outputs cannot deadlock a pipe.
  const std::string dir = temp_dir("cli");
  const std::string out_path = dir + "/out", err_path = dir + "/err";
  const pid_t pid = spawn_program(argv, env, out_path, err_path);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

std::vector<std::string> cli_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{PELNAS_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CliResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  return run_program(cli_argv(args), env);
}

std::string evaluator_fixture_command(const std::string& script) {
  return "python3 '" + std::string(PELNAS_TEST_DIR) + "/fixtures/evaluator/" + script + "'";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace pelnas::test
