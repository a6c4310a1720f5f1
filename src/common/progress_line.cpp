#include "common/progress_line.h"

#include <unistd.h>

#include <cstdio>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace pelnas {

ProgressLine& ProgressLine::instance() {
  static ProgressLine p;
  return p;
}

ProgressLine::ProgressLine() : enabled_(::isatty(STDERR_FILENO) != 0) {}

void ProgressLine::draw_locked() {
  std::fputs("\r\033[K", stderr);
  std::fputs(text_.c_str(), stderr);
  std::fflush(stderr);
}

void ProgressLine::show(const std::string& text) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  text_ = text;
  active_ = true;
  draw_locked();
}

void ProgressLine::finish() {
  std::lock_guard lock(mutex_);
  if (!active_) return;
  std::fputs("\n", stderr);
  std::fflush(stderr);
  active_ = false;
  text_.clear();
}

namespace {

class ProgressAwareSink : public spdlog::sinks::sink {
 public:
  ProgressAwareSink() : inner_(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()) {}
  void log(const spdlog::details::log_msg& msg) override {
    ProgressLine::instance().around([&] {
      inner_->log(msg);
      inner_->flush();
    });
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override { inner_->set_formatter(std::move(f)); }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
};

}  // namespace

std::shared_ptr<spdlog::sinks::sink> make_progress_aware_sink() { return std::make_shared<ProgressAwareSink>(); }

}  // namespace pelnas
