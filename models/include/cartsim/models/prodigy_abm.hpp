#pragma once
// prodigy_abm: the CliniMACS Prodigy TCT culture of prodigy_tct as an agent-based model. Every
// T cell (or weighted agent standing for w identical T cells) carries its lineage (CD4/CD8),
// activation phase (resting, lag stage, dividing with a destiny clock, post-destiny), phenotype,
// generation, integrated vector copies (an integer), susceptibility to the vector and its founder
// (for clone sizes). Division, death, engagement, lag and destiny stages and vector integrations
// are per-agent events consumed from exponential (or lognormal) timers at rates set by the
// well-mixed chamber (glucose, lactate, cytokines, TransAct, vector), which the agents' uptake
// drives. The protocol is prodigy_tct's (same actions, settings and checks); the states and
// observables are prodigy_tct's, computed from the agents; harvest metrics are the same. It adds
// the distributions (VCN per cell, divisions per cell, clone sizes) and the run-to-run spread.
// docs/models/prodigy_abm.md explains the weighting scheme, the rules and the deviations.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "cartsim/core/agent_model.hpp"
#include "cartsim/core/model.hpp"
#include "cartsim/models/prodigy_tct.hpp"

namespace cartsim::models {

class ProdigyAbm final : public AgentModel {
 public:
  /// Parameters after prodigy_tct's (whose indices are the same: ProdigyTct::Parameter).
  enum Parameter : std::size_t {
    abm_agents = ProdigyTct::num_parameters,  ///< target number of agents
    abm_dt_h,                                 ///< agent time step, hours
    abm_division_cv,                          ///< 1: exponential division timers; < 1 lognormal
    abm_sibling_correlation,                  ///< correlation of sisters' log division times
    abm_family_destiny,                       ///< 1: daughters share the destiny clock (Cyton2)
    abm_state_susceptibility,                 ///< 0: mean-field vector uptake; 1: per phase
    num_parameters
  };
  static constexpr std::size_t max_generation = 40;  ///< histogram: last bin is 40+
  static constexpr std::size_t max_vcn_bin = 30;     ///< histogram: last bin is 30+
  static constexpr std::size_t clone_bins = 32;      ///< 0, [1,2), [2,4), ... powers of two

  const ModelInfo& info() const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;
  void apply_action(std::size_t action, std::span<const double> settings,
                    EventContext& ctx) const override;
  void check_protocol(double t0, std::span<const double> p,
                      std::span<const PlannedAction> actions) const override;

  AgentRunResult simulate(const AgentRunInput& input, Observer& observer) const override;

  /// Test hook: with `fixed`, every T cell divides at `birth` and dies at `death` (1/d) and the
  /// chamber plays no part (pure birth-death); the protocol still seeds the agents.
  struct FixedRates {
    bool enabled = false;
    double birth = 0.0;
    double death = 0.0;
  };
  AgentRunResult simulate(const AgentRunInput& input, Observer& observer,
                          const FixedRates& fixed) const;

  /// Per-cell integrated copies of the final agents with their weights, and the delivered mean
  /// exposure (integral of the per-cell integration rate, copies per unit susceptibility): what the
  /// single-exposure distribution tests compare with Poisson / negative-binomial theory.
  struct FinalAgents {
    std::vector<std::uint16_t> copies;
    std::vector<double> weight;
    std::vector<std::uint8_t> generation;
    double delivered_exposure = 0.0;
  };
  AgentRunResult simulate(const AgentRunInput& input, Observer& observer, const FixedRates& fixed,
                          FinalAgents* final_agents) const;

 private:
  ProdigyTct tct_;
};

}  // namespace cartsim::models
