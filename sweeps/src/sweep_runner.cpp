#include "cartsim/sweeps/sweep_runner.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>

namespace cartsim {
namespace {

/// "[=========>          ] 4312/10000 samples  1234/s  ETA 5 s" on stderr, redrawn in place.
class ProgressBar {
 public:
  ProgressBar(bool enabled, std::size_t total)
      : enabled_(enabled && ::isatty(STDERR_FILENO) == 1),
        total_(total),
        start_(std::chrono::steady_clock::now()) {}
  ~ProgressBar() {
    if (drawn_) {
      std::fprintf(stderr, "\n");
    }
  }
  void update(std::size_t done) {
    if (!enabled_) {
      return;
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (!drawn_ && elapsed < 0.5) {
      return;  // runs shorter than a moment stay silent, to the end
    }
    constexpr int width = 30;
    const double fraction =
        total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
    const int filled = static_cast<int>(fraction * width);
    const double rate = static_cast<double>(done) / std::max(elapsed, 1e-9);
    const double eta = rate > 0.0 ? static_cast<double>(total_ - done) / rate : 0.0;
    std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu samples  %.0f/s  ETA %.0f s ", filled,
                 "==============================", width - filled, "", done, total_, rate, eta);
    std::fflush(stderr);
    drawn_ = true;
  }

 private:
  bool enabled_;
  std::size_t total_;
  std::chrono::steady_clock::time_point start_;
  bool drawn_ = false;
};

/// Memory the two result buffers may take, about.
constexpr std::size_t max_buffered_bytes = std::size_t{256} << 20;

/// Bytes of one run's result, about: its time series (both halves of a chain) and bookkeeping.
std::size_t result_bytes(const RunPlan& plan) {
  std::size_t values = plan.output_times.size() * plan.columns.size();
  if (plan.chain) {
    values +=
        plan.chain->manufacturing.output_times.size() * plan.chain->manufacturing.columns.size();
  }
  return sizeof(double) * values + 1024;
}

}  // namespace

SweepStats run_sweep(const Scenario& scenario, const RunPlan& plan, const InputSource& inputs,
                     const SweepOptions& options, ResultSink& sink) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t end = options.end_sample == 0 ? inputs.samples() : options.end_sample;
  const std::size_t first = options.first_sample;
  const std::size_t replicates = scenario.sweep.replicates;
  const std::size_t runs = (end - first) * replicates;
  // No more threads than runs: a single run reports one thread.
  const int budget = options.threads > 0 ? options.threads : omp_get_max_threads();
  const int threads = static_cast<int>(
      std::min<std::size_t>(runs == 0 ? 1 : runs, static_cast<std::size_t>(budget)));
  // A run's own parallel regions (prodigy_abm's agent engine) get the threads of the budget that
  // run no samples: --threads 1 is one thread in all (not one sample thread whose agent engine
  // then takes every core, which crawls on a loaded machine), while a single run may use them all.
  const int inner = std::max(1, budget / threads);

  // One simulator per thread, reused for every run it takes. Which thread runs a sample never
  // changes the sample's numbers: simulators keep no state from one run to the next.
  std::vector<std::unique_ptr<SampleRunner>> simulators(static_cast<std::size_t>(threads));
  for (auto& s : simulators) {
    s = make_sample_runner(plan, scenario.seed);
  }

  // Chunks bound memory (results wait for the writer) and keep both threads busy. Two buffers:
  // while the threads compute chunk c into one, one of them hands chunk c - 1 to the sink from the
  // other (in order, so the files do not depend on the thread count) and then joins the
  // computation; the writing is off the critical path instead of a serial phase between chunks.
  // 256 runs per thread (fewer chunks: each ends in a barrier, which cost a 2-thread kimmel2021
  // population a tenth of its speed-up at 128 per thread), fewer when the two buffers' time series
  // would pass max_buffered_bytes.
  const std::size_t chunk = std::clamp<std::size_t>(max_buffered_bytes / (2 * result_bytes(plan)),
                                                    2 * static_cast<std::size_t>(threads),
                                                    256 * static_cast<std::size_t>(threads));
  const std::size_t buffer_size = std::min(chunk, runs);
  std::array<std::vector<SampleResult>, 2> results{std::vector<SampleResult>(buffer_size),
                                                   std::vector<SampleResult>(buffer_size)};
  std::array<std::vector<std::vector<double>>, 2> input_values{
      std::vector<std::vector<double>>(buffer_size), std::vector<std::vector<double>>(buffer_size)};
  SweepStats stats;
  stats.threads = threads;
  ProgressBar progress(options.progress, end - first);

  const std::size_t chunks = (runs + chunk - 1) / chunk;
  auto chunk_count = [&](std::size_t c) { return std::min(chunk, runs - c * chunk); };
  // Hands chunk c (computed) to the sink, in run order.
  auto consume_chunk = [&](std::size_t c) {
    const std::size_t count = chunk_count(c);
    auto& done = results[c % 2];
    auto& values = input_values[c % 2];
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t run = c * chunk + i;
      RunRecord record{first + run / replicates, run % replicates, &values[i], &done[i]};
      stats.failed += done[i].ok ? 0 : 1;
      sink.consume(record);
    }
    stats.runs += count;
    progress.update(stats.runs / replicates);
  };

  for (std::size_t c = 0; c <= chunks; ++c) {
    const std::size_t count = c < chunks ? chunk_count(c) : 0;
    const std::size_t base = c * chunk;
    auto& computing = results[c % 2];
    auto& computing_values = input_values[c % 2];
    std::exception_ptr failure;
    std::exception_ptr sink_failure;
#pragma omp parallel num_threads(threads)
    {
      omp_set_num_threads(inner);  // for regions nested in this thread's runs
      SampleRunner& simulator = *simulators[static_cast<std::size_t>(omp_get_thread_num())];
      std::vector<Assignment> assignments;
#pragma omp single nowait
      if (c > 0) {
        try {
          consume_chunk(c - 1);
        } catch (...) {
          sink_failure = std::current_exception();
        }
      }
#pragma omp for schedule(dynamic, 1)
      for (std::size_t i = 0; i < count; ++i) {
        const std::size_t run = base + i;
        const std::size_t sample = first + run / replicates;
        const std::size_t replicate = run % replicates;
        try {
          inputs.generate(sample, assignments, computing_values[i]);
          simulator.run_into(sample, replicate, assignments, computing[i]);
        } catch (...) {
#pragma omp critical(cartsim_sweep_failure)
          if (!failure) {
            failure = std::current_exception();
          }
        }
      }
    }
    if (sink_failure) {
      std::rethrow_exception(sink_failure);  // e.g. a file that could not be written
    }
    if (failure) {
      std::rethrow_exception(failure);  // an internal error, not a failed sample
    }
  }
  stats.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace cartsim
