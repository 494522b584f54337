// prodigy_abm speed: agent-updates per second per thread, the 2-thread speed-up, bytes per agent,
// and the wall time of a full default run (scenarios/examples/prodigy_abm_default.yaml protocol,
// 13 days) at 1e5 and 1e6 target agents. Prints figures; asserts nothing.
#include <fmt/format.h>
#include <omp.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "cartsim/core/agent_model.hpp"
#include "cartsim/models/prodigy_abm.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

namespace cartsim::models {
std::size_t prodigy_abm_bytes_per_agent();
}

using namespace cartsim;

namespace {
struct Quiet final : Observer {
  void on_start(double, std::span<const double>, std::span<const double>) override {}
  void on_segment(const Segment&) override {}
  void on_event(double, const std::string&, std::span<const double>,
                std::span<const double>) override {}
  void on_finish(double, std::span<const double>, std::span<const double>) override {}
};
}  // namespace

int main(int argc, char** argv) {
  const std::string source = argc > 1 ? argv[1] : CARTSIM_SOURCE_DIR;
  std::ifstream in(source + "/scenarios/examples/prodigy_abm_default.yaml");
  std::stringstream text;
  text << in.rdbuf();
  fmt::print("prodigy_abm bench: default protocol, 13 days, step 0.5 h; {} bytes per agent "
             "(agent store reserves 4.5 x target)\n",
             models::prodigy_abm_bytes_per_agent());
  fmt::print("{:>10} {:>8} {:>10} {:>14} {:>16} {:>12}\n", "agents", "threads", "wall s",
             "updates", "updates/s/thread", "final agents");
  for (double agents : {1e5, 1e6}) {
    std::string s = text.str();
    const std::string key = "abm_agents: 4000";
    s.replace(s.find(key), key.size(), fmt::format("abm_agents: {}", agents));
    const RunPlan plan = make_plan(parse_scenario(s, "bench.yaml"));
    const auto& model = dynamic_cast<const AgentModel&>(*plan.model);
    double one = 0.0;
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      AgentRunInput input;
      input.t0 = plan.problem.t0;
      input.t_end = plan.problem.t_end;
      input.y0 = {plan.problem.y0.data(), static_cast<std::size_t>(plan.problem.y0.size())};
      input.p = {plan.problem.p.data(), static_cast<std::size_t>(plan.problem.p.size())};
      input.events = &plan.problem.events;
      input.key = RandomKey{1, 0, 0, static_cast<std::uint64_t>(RandomPurpose::agents)};
      Quiet quiet;
      const auto start = std::chrono::steady_clock::now();
      const AgentRunResult r = model.simulate(input, quiet);
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (threads == 1) {
        one = wall;
      }
      fmt::print("{:>10g} {:>8} {:>10.3f} {:>14.4g} {:>16.4g} {:>12}{}\n", agents, threads, wall,
                 r.agent_updates, r.agent_updates / wall / threads, r.agents_final,
                 threads == 2 ? fmt::format("   speed-up {:.2f}", one / wall) : "");
    }
  }
}
