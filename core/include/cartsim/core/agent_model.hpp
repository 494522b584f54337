#pragma once
// The run-time contract of an agent-based model, beside OdeModel under the common Model contract
// (model.hpp). Everything a scenario needs is Model's (ModelInfo: states, parameters, observables,
// metrics, protocol actions; initial_state, apply_action, check_protocol), so such a model goes
// through the same parser, plan, sweep runner and output writer as an ODE model. Its states are
// aggregates of the agents (what the time series and metrics read). Only the integration differs:
// the Simulator calls AgentModel::simulate instead of an ODE solver.
//
// Contract: simulate() reports to the observer exactly as a solver does (on_start after the events
// at t0, contiguous segments, on_event after each protocol event, on_finish), fires the scheduled
// events of `events` in time order (ties in the order given), and draws every random number from
// counter-based streams keyed by `key` (seed, sample, replicate) so its numbers do not depend on
// the number of OpenMP threads.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cartsim/core/events.hpp"
#include "cartsim/core/model.hpp"
#include "cartsim/core/observer.hpp"
#include "cartsim/core/random.hpp"

namespace cartsim {

/// A weighted histogram an agent-based run reports at its end (e.g. vector copies per cell).
struct Histogram {
  std::string name;  ///< e.g. "vcn_per_cell"
  std::string unit;  ///< unit of the binned quantity, e.g. "copies/cell"
  std::string description;
  std::vector<double> lower;  ///< bin i holds values in [lower[i], upper[i])
  std::vector<double> upper;  ///< +inf for an open last bin
  std::vector<double> cells;  ///< cells (sum of agent weights) in each bin
};

struct AgentRunInput {
  double t0 = 0.0;     ///< days
  double t_end = 0.0;  ///< days
  std::span<const double> y0;
  std::span<const double> p;
  const EventSet* events = nullptr;  ///< scheduled events only (state events are refused)
  RandomKey key;                     ///< seed, sample, replicate; purpose is the model's choice
};

struct AgentRunResult {
  long steps = 0;  ///< agent time steps taken
  long events_fired = 0;
  double agent_updates = 0.0;  ///< agents x steps
  double t_final = 0.0;
  bool stopped = false;
  std::size_t agents_final = 0;
  std::vector<Histogram> distributions;
};

class AgentModel : public Model {
 public:
  const AgentModel* as_agent() const final { return this; }
  /// One run. Throws ModelError on input the model cannot run.
  virtual AgentRunResult simulate(const AgentRunInput& input, Observer& observer) const = 0;
};

}  // namespace cartsim
