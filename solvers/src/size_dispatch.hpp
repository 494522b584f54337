#pragma once
// A Solver over a backend templated on its state container: std::array<double, N> for models of
// up to max_fixed_states states (loops unroll, nothing lives on the heap), std::vector<double>
// beyond. Each size's backend is built on first use and reused across solves. Internal to the
// solvers library.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "backend_solver.hpp"

namespace cartsim::detail {

/// Backend<State> must be constructible from SolverOptions and meet solve_with's requirements.
template <template <class> class Backend>
class SizeDispatchSolver final : public Solver {
 public:
  static constexpr std::size_t max_fixed_states = 8;

  SizeDispatchSolver(std::string name, const SolverOptions& options)
      : name_(std::move(name)), options_(options) {}

  std::string_view name() const override { return name_; }
  const SolverOptions& options() const override { return options_; }
  const SolveStats& last_stats() const override { return stats_; }

  SolveStats solve(const Problem& problem, Observer& observer) override {
    stats_ = SolveStats{};
    if (problem.model == nullptr) {
      throw ModelError("solve: the problem has no model");
    }
    return dispatch<1>(problem, observer);
  }

 private:
  template <std::size_t N>
  SolveStats dispatch(const Problem& problem, Observer& observer) {
    if constexpr (N <= max_fixed_states) {
      if (problem.model->num_states() == N) {
        return run(std::get<N - 1>(fixed_), problem, observer);
      }
      return dispatch<N + 1>(problem, observer);
    } else {
      return run(dynamic_, problem, observer);
    }
  }

  template <class B>
  SolveStats run(std::optional<B>& backend, const Problem& problem, Observer& observer) {
    if (!backend) {
      backend.emplace(options_);
    }
    return solve_with(*backend, problem, observer, options_, stats_);
  }

  template <std::size_t... I>
  static auto fixed_backends(std::index_sequence<I...>)
      -> std::tuple<std::optional<Backend<std::array<double, I + 1>>>...>;

  std::string name_;
  SolverOptions options_;
  decltype(fixed_backends(std::make_index_sequence<max_fixed_states>{})) fixed_;
  std::optional<Backend<std::vector<double>>> dynamic_;
  SolveStats stats_;
};

}  // namespace cartsim::detail
