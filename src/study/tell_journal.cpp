#include "study/tell_journal.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sstream>
#include <unistd.h>

#include "common/error.h"
#include "common/json_fields.h"
#include "run/run_directory.h"

namespace pelnas {

void check_told_values(const std::vector<double>& values, const std::vector<std::string>& names, const std::string& who) {
  if (values.size() != names.size()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw Error(fmt::format("{}: expected {} value{} ({}), got {}", who, names.size(), names.size() == 1 ? "" : "s", list,
                            values.size()));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) throw Error(fmt::format("{}: value '{}' is {}: expected a finite number", who, names[i], v));
    if (names[i] == "accuracy" && (v < 0 || v > 100))
      throw Error(fmt::format("{}: value 'accuracy' is {}: expected a percentage in [0, 100]", who, v));
    if (names[i] != "accuracy" && v < 0) throw Error(fmt::format("{}: value '{}' is {}: expected a cost >= 0", who, names[i], v));
  }
}

TellJournal::TellJournal(std::string path, std::size_t arity) : path_(std::move(path)) {
  namespace jf = json_fields;
  std::string good;  // the complete, valid lines
  std::ifstream in(path_, std::ios::binary);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::size_t pos = 0;
    long line_no = 0;
    std::vector<std::string> names(arity, "value");
    while (pos < text.size()) {
      ++line_no;
      const auto nl = text.find('\n', pos);
      if (nl == std::string::npos) {  // torn last line: never acknowledged
        spdlog::warn("{}:{}: dropping an incomplete last line (the process was killed while writing it)", path_, line_no);
        break;
      }
      const std::string line = text.substr(pos, nl - pos);
      pos = nl + 1;
      const auto j = nlohmann::json::parse(line, nullptr, false);
      try {
        if (j.is_discarded()) throw Error("not a JSON object");
        jf::object(j, "(line)");
        const std::string arch = jf::string(jf::member(j, "", "arch"), "arch", false);
        ToldValues t;
        if (j.contains("failed")) {
          t.failure = jf::string(j["failed"], "failed", false);
        } else {
          for (const auto& v : jf::array(jf::member(j, "", "values"), "values")) {
            if (!v.is_number()) jf::fail("values", "numbers", v);
            t.values.push_back(v.get<double>());
          }
          check_told_values(t.values, names, "values");
        }
        if (!recorded_.emplace(arch, t).second) throw Error("arch " + arch + " is told twice");
      } catch (const Error& e) {
        throw InputError(path_, line_no, e.what());
      }
      good += line + "\n";
    }
    if (good.size() != text.size()) write_file_atomic(path_, good);
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(path_ + ": cannot open for appending: " + std::strerror(errno));
}

TellJournal::~TellJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void TellJournal::append(const std::string& arch, const ToldValues& told) {
  nlohmann::json j = {{"arch", arch}};
  if (told.failed()) j["failed"] = told.failure;
  else j["values"] = told.values;
  const std::string line = j.dump() + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(path_ + ": cannot write a told value: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

void TellJournal::sync() {
  if (::fdatasync(fd_) != 0) throw Error(path_ + ": cannot sync: " + std::strerror(errno));
}

}  // namespace pelnas
