// prodigy_abm speed: agent-updates per second per thread, the 2-thread speed-up, bytes per agent,
// and the wall time of a full default run (scenarios/examples/prodigy_abm_default.yaml protocol,
// 13 days) at 1e5 and 1e6 target agents. Prints figures; asserts nothing, except that it reports
// whether the 1- and 2-thread runs ended in bitwise the same state (they must).
//
//   abm_bench [source-dir] [--repeats R] [--agents A,B,...] [--threads T,U,...]
//
// The machine is shared: each configuration runs R times (default 3) and the best wall time is
// reported (the least disturbed run), with the median beside it.
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cartsim/core/agent_model.hpp"
#include "cartsim/models/prodigy_abm.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

namespace cartsim::models {
std::size_t prodigy_abm_bytes_per_agent();
std::size_t prodigy_abm_reserved_bytes(double target_agents);
}  // namespace cartsim::models

using namespace cartsim;

namespace {
/// Keeps the final state (to compare runs bit for bit).
struct Final final : Observer {
  std::vector<double> y;
  void on_start(double, std::span<const double>, std::span<const double>) override {}
  void on_segment(const Segment&) override {}
  void on_event(double, const std::string&, std::span<const double>,
                std::span<const double>) override {}
  void on_finish(double, std::span<const double> state, std::span<const double>) override {
    y.assign(state.begin(), state.end());
  }
};

std::vector<double> list(const char* s) {
  std::vector<double> v;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    v.push_back(std::strtod(item.c_str(), nullptr));
  }
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  std::string source = CARTSIM_SOURCE_DIR;
  int repeats = 3;
  std::vector<double> sizes = {1e5, 1e6};
  std::vector<double> thread_counts = {1, 2};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeats") == 0 && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--agents") == 0 && i + 1 < argc) {
      sizes = list(argv[++i]);
    } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      thread_counts = list(argv[++i]);
    } else {
      source = argv[i];
    }
  }
  std::ifstream in(source + "/scenarios/examples/prodigy_abm_default.yaml");
  std::stringstream text;
  text << in.rdbuf();
  fmt::print(
      "prodigy_abm bench: default protocol, 13 days, step 0.5 h; {} bytes per agent slot; "
      "best (median) of {} runs\n",
      models::prodigy_abm_bytes_per_agent(), repeats);
  fmt::print("{:>10} {:>8} {:>14} {:>14} {:>16} {:>12} {:>14}\n", "agents", "threads",
             "wall s best", "(median)", "updates/s/thread", "final agents", "reserved B/agent");
  for (double agents : sizes) {
    std::string s = text.str();
    const std::string key = "abm_agents: 4000";
    s.replace(s.find(key), key.size(), fmt::format("abm_agents: {}", agents));
    const RunPlan plan = make_plan(parse_scenario(s, "bench.yaml"));
    const AgentModel& model = *plan.model->as_agent();
    double one = 0.0;
    std::vector<double> first_state;
    bool identical = true;
    for (double tc : thread_counts) {
      const int threads = static_cast<int>(tc);
      omp_set_num_threads(threads);
      std::vector<double> walls;
      AgentRunResult r;
      for (int k = 0; k < repeats; ++k) {
        const AgentRunInput input = agent_run_input(plan.problem, 1, 0, 0);
        Final fin;
        const auto start = std::chrono::steady_clock::now();
        r = model.simulate(input, fin);
        walls.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        if (first_state.empty()) {
          first_state = fin.y;
        } else if (fin.y != first_state) {
          identical = false;
        }
      }
      std::sort(walls.begin(), walls.end());
      const double wall = walls.front();
      const double median = walls[walls.size() / 2];
      if (tc == thread_counts.front()) {
        one = wall;
      }
      fmt::print("{:>10g} {:>8} {:>14.3f} {:>14.3f} {:>16.4g} {:>12} {:>14.0f}{}\n", agents,
                 threads, wall, median, r.agent_updates / wall / threads, r.agents_final,
                 static_cast<double>(models::prodigy_abm_reserved_bytes(agents)) / agents,
                 tc != thread_counts.front()
                     ? fmt::format("   speed-up {:.2f} vs {} thread(s)", one / wall,
                                   static_cast<int>(thread_counts.front()))
                     : "");
    }
    fmt::print("{:>10g} final state bitwise identical across all runs and thread counts: {}\n",
               agents, identical ? "yes" : "NO");
  }
}
