#pragma once
// What every backend's Solver does around the shared event loop: prepare the backend for the
// model, run the loop, and collect the backend's evaluation counters, also when the solve throws
// (a failed sample still reports how far it got).
//
// Backend requirements besides those of run_event_loop: prepare(const OdeModel&),
// long rhs_count() const, long jacobian_count() const.
#include <string>
#include <utility>

#include "event_loop.hpp"

namespace cartsim::detail {

template <class Backend>
SolveStats solve_with(Backend& backend, const Problem& problem, Observer& observer,
                      const SolverOptions& options, SolveStats& stats) {
  stats = SolveStats{};
  if (problem.model == nullptr) {
    throw ModelError("solve: the problem has no model");
  }
  backend.prepare(*problem.model);
  auto collect = [&] {
    stats.rhs_evaluations = backend.rhs_count();
    stats.jacobian_evaluations = backend.jacobian_count();
  };
  try {
    run_event_loop(backend, problem, observer, options, stats);
  } catch (...) {
    collect();
    throw;
  }
  collect();
  return stats;
}

/// A Solver made of one backend, reused across solves.
template <class Backend>
class BackendSolver final : public Solver {
 public:
  template <class... BackendArgs>
  BackendSolver(std::string name, const SolverOptions& options, BackendArgs&&... args)
      : name_(std::move(name)), options_(options), backend_(std::forward<BackendArgs>(args)...) {}

  std::string_view name() const override { return name_; }
  const SolverOptions& options() const override { return options_; }
  const SolveStats& last_stats() const override { return stats_; }
  SolveStats solve(const Problem& problem, Observer& observer) override {
    return solve_with(backend_, problem, observer, options_, stats_);
  }

 private:
  std::string name_;
  SolverOptions options_;
  Backend backend_;
  SolveStats stats_;
};

}  // namespace cartsim::detail
