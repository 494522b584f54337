// solve_bench: solves one scenario N times per solver backend, reusing one solver (as a sweep
// thread does), and prints solves per second and microseconds per solve. Each solve records the
// scenario's full output grid and metrics, exactly as `cartsim run` does.
//
//   solve_bench [SCENARIO] [--solves N] [--solver NAME]...
// Default: scenarios/examples/stein2019_typical.yaml (0-365 d, daily output), 2000 solves, all
// backends. Timing excludes parsing and the first (warm-up) solve.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/solvers/solver.hpp"

int main(int argc, char** argv) {
  std::string scenario_path = "scenarios/examples/stein2019_typical.yaml";
  long solves = 2000;
  std::vector<std::string> solvers;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--solves" && i + 1 < argc) {
      solves = std::atol(argv[++i]);
    } else if (arg == "--solver" && i + 1 < argc) {
      solvers.emplace_back(argv[++i]);
    } else {
      scenario_path = arg;
    }
  }
  if (solvers.empty()) {
    solvers = cartsim::solver_names();
  }
  try {
    const cartsim::Scenario scenario = cartsim::load_scenario(scenario_path);
    std::cout << fmt::format(
        "scenario {} (model {}), {} output times over [{:g}, {:g}] d, "
        "rtol {:g}, atol {:g}, {} solves per solver, one thread\n",
        scenario_path, scenario.model, scenario.outputs.times.size(), scenario.t_start,
        scenario.t_end, scenario.solver.options.rtol, scenario.solver.options.atol, solves);
    std::cout << fmt::format("{:<20} {:>12} {:>12} {:>10} {:>10}\n", "solver", "solves/s",
                             "us/solve", "steps", "rhs evals");
    for (const auto& name : solvers) {
      cartsim::Scenario variant = scenario;
      variant.solver.name = name;
      const cartsim::RunPlan plan = cartsim::make_plan(variant);
      cartsim::Simulator simulator(plan, variant.seed);
      const auto warmup = simulator.run(0);
      if (!warmup.ok) {
        std::cout << fmt::format("{:<20} failed: {}\n", name, warmup.message);
        continue;
      }
      const auto start = std::chrono::steady_clock::now();
      double checksum = 0.0;
      for (long i = 0; i < solves; ++i) {
        const auto r = simulator.run(static_cast<std::size_t>(i));
        checksum += r.metrics.empty() ? 0.0 : r.metrics.front();
      }
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cout << fmt::format("{:<20} {:>12.0f} {:>12.2f} {:>10} {:>10}\n", name,
                               static_cast<double>(solves) / seconds,
                               1e6 * seconds / static_cast<double>(solves), warmup.stats.steps,
                               warmup.stats.rhs_evaluations);
      if (checksum == -1.0) {  // keeps the loop from being optimised away
        std::cout << "";
      }
    }
  } catch (const cartsim::Error& e) {
    std::cerr << e.what() << '\n';
    return 2;
  }
  return 0;
}
