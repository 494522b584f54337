// prodigy_abm: the agent engine. Rules, units and the weighting scheme are in
// docs/models/prodigy_abm.md; what follows is how they are computed.
//
// Layout: structure of arrays, one entry per agent, capacity reserved once per run (no allocation
// in the step loop). The agent loop runs over fixed blocks of `block_size` agents with OpenMP; each
// block writes its own partial sums, which are added in block order afterwards, so every sum (and
// so every number a run reports) is bitwise the same for any thread count.
//
// Random numbers: Philox4x64-10 with key (seed, RandomPurpose::agents) and counter
// (agent id, event counter * 256 + sub-block, sample, replicate). An agent's event counter goes up
// by one for every event it draws numbers for, so no two draws share a counter, and which thread
// updates the agent never matters. Agent ids are given in agent order (seeding, then daughters in
// the order of their mothers), which does not depend on threads either.
#include "cartsim/models/prodigy_abm.hpp"

#include <Random123/philox.h>
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <new>
#include <numbers>
#include <utility>

#include "cartsim/core/errors.hpp"
#include "prodigy_tct_kinetics.hpp"

namespace cartsim::models {
namespace {
using T = ProdigyTct;
using prodigy_detail::Conditions;
using prodigy_detail::culture_conditions;

constexpr std::size_t block_size = 4096;
constexpr std::uint8_t phase_resting = 0;
constexpr std::uint8_t phase_lag = 1;
constexpr std::uint8_t phase_dividing = 2;
constexpr std::uint8_t phase_post = 3;
constexpr std::uint8_t flag_none = 0;
constexpr std::uint8_t flag_divided = 1;
constexpr std::uint16_t max_copies_count = 65535;
/// Environment substeps per agent step (explicit Euler on the well-mixed medium).
constexpr int environment_substeps = 8;

/// Counter-based draws for one agent event.
class AgentRng {
 public:
  AgentRng(const RandomKey& key, std::uint64_t id, std::uint32_t event)
      : key_{{key.seed, static_cast<std::uint64_t>(RandomPurpose::agents)}},
        ctr_{{id, static_cast<std::uint64_t>(event) << 8, key.sample, key.replicate}} {}
  std::uint64_t next_u64() {
    if (used_ == 4) {
      r123::Philox4x64 g;
      block_ = g(ctr_, key_);
      ++ctr_.v[1];  // the sub-block (low 8 bits); an event never needs 256 blocks
      used_ = 0;
    }
    return block_.v[used_++];
  }
  double uniform() { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
  double exponential() { return -std::log(uniform()); }
  double normal() {
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    return r * std::cos(2.0 * std::numbers::pi * uniform());
  }
  /// Gamma(shape, 1) (Marsaglia & Tsang 2000; shape < 1 by Gamma(shape + 1) U^(1/shape)).
  double gamma(double shape) {
    if (shape < 1.0) {
      const double u = uniform();
      return gamma(shape + 1.0) * std::pow(u, 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = 0.0;
      double v = 0.0;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) {
        return d * v;
      }
    }
  }

 private:
  r123::Philox4x64::key_type key_;
  r123::Philox4x64::ctr_type ctr_;
  r123::Philox4x64::ctr_type block_{};
  unsigned used_ = 4;
};

/// Allocator that leaves new elements uninitialised: the agent store is reserved once per run
/// (4.5 x the target), and zeroing it would touch memory the run may never use.
template <class V>
struct DefaultInit : std::allocator<V> {
  template <class U>
  struct rebind {
    using other = DefaultInit<U>;
  };
  DefaultInit() = default;
  template <class U>
  DefaultInit(const DefaultInit<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <class V>
using Array = std::vector<V, DefaultInit<V>>;

/// The agents, structure of arrays.
struct Agents {
  Array<std::uint64_t> id;
  Array<std::uint32_t> event;      // event counter (random-number key)
  Array<double> weight;            // cells this agent stands for; 0 = empty slot
  Array<std::uint32_t> founder;    // index of the founding agent (clone)
  Array<std::uint16_t> copies;     // integrated vector copies per cell
  Array<std::uint8_t> generation;  // divisions since seeding
  Array<std::uint8_t> phase;
  Array<std::uint8_t> stage;      // lag or destiny-clock stage (0-based)
  Array<std::uint8_t> lineage;    // 0 CD4, 1 CD8
  Array<std::uint8_t> phenotype;  // 0 naive/SCM, 1 CM, 2 EM, 3 effector
  Array<std::uint8_t> flag;
  Array<float> sigma;    // susceptibility to the vector (mean 1)
  Array<float> t_stage;  // remaining Exp(1) of engagement / lag / destiny stage
  Array<float> t_div;    // remaining division timer (rate units)
  Array<float> t_death;  // remaining Exp(1) of death
  Array<float> t_int;    // remaining Exp(1) of the next integration
  Array<float> z_div;    // the normal behind the last division timer (lognormal)
  Array<float> since;    // days between the last division and the step's end
  std::size_t size = 0;  // slots in use (live + empty)

  void reserve(std::size_t n) {
    auto r = [n](auto& v) { v.resize(n); };
    r(id);
    r(event);
    r(weight);
    r(founder);
    r(copies);
    r(generation);
    r(phase);
    r(stage);
    r(lineage);
    r(phenotype);
    r(flag);
    r(sigma);
    r(t_stage);
    r(t_div);
    r(t_death);
    r(t_int);
    r(z_div);
    r(since);
  }
  std::size_t capacity() const { return id.size(); }
  void copy(std::size_t to, std::size_t from) {
    id[to] = id[from];
    event[to] = event[from];
    weight[to] = weight[from];
    founder[to] = founder[from];
    copies[to] = copies[from];
    generation[to] = generation[from];
    phase[to] = phase[from];
    stage[to] = stage[from];
    lineage[to] = lineage[from];
    phenotype[to] = phenotype[from];
    flag[to] = flag[from];
    sigma[to] = sigma[from];
    t_stage[to] = t_stage[from];
    t_div[to] = t_div[from];
    t_death[to] = t_death[from];
    t_int[to] = t_int[from];
    z_div[to] = z_div[from];
    since[to] = since[from];
  }
  /// One agent as a record (daughters wait in per-thread buffers as records between the passes).
  struct Record {
    std::uint64_t id;
    double weight;
    std::uint32_t event;
    std::uint32_t founder;
    float sigma, t_stage, t_div, t_death, t_int, z_div, since;
    std::uint16_t copies;
    std::uint8_t generation, phase, stage, lineage, phenotype, flag;
  };
  Record load(std::size_t i) const {
    return {id[i],         weight[i],  event[i], founder[i], sigma[i],     t_stage[i],
            t_div[i],      t_death[i], t_int[i], z_div[i],   since[i],     copies[i],
            generation[i], phase[i],   stage[i], lineage[i], phenotype[i], flag[i]};
  }
  void store(std::size_t j, const Record& r) {
    id[j] = r.id;
    weight[j] = r.weight;
    event[j] = r.event;
    founder[j] = r.founder;
    sigma[j] = r.sigma;
    t_stage[j] = r.t_stage;
    t_div[j] = r.t_div;
    t_death[j] = r.t_death;
    t_int[j] = r.t_int;
    z_div[j] = r.z_div;
    since[j] = r.since;
    copies[j] = r.copies;
    generation[j] = r.generation;
    phase[j] = r.phase;
    stage[j] = r.stage;
    lineage[j] = r.lineage;
    phenotype[j] = r.phenotype;
    flag[j] = r.flag;
  }
  static constexpr std::size_t bytes_per_agent = 8 + 4 + 8 + 4 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 4 * 7;
};

/// Rates in force over one step (1/d unless noted).
struct StepRates {
  double engage = 0.0;
  double lag = 0.0;
  double clock = 0.0;
  double mu[2] = {0.0, 0.0};
  double death_resting = 0.0;
  double death_activated = 0.0;
  double integration[4] = {0.0, 0.0, 0.0, 0.0};  // copies per unit susceptibility, by phase
  double move_on[4] = {0.0, 0.0, 0.0, 0.0};
  bool lognormal = false;
  double log_sigma = 0.0;
  double log_mu = 0.0;
  double rho = 0.0;
  bool family = true;
};

/// Sums over one block of agents.
struct BlockSums {
  double lineage[2][T::lineage_size] = {};
  double copies_hist[T::max_copies + 1] = {};
  double copies_sum = 0.0;
  double t_cells = 0.0;
  double deaths = 0.0;
  double births = 0.0;
  std::size_t live = 0;
  std::size_t divided = 0;
  void add(const BlockSums& b) {
    for (int l = 0; l < 2; ++l) {
      for (std::size_t i = 0; i < T::lineage_size; ++i) {
        lineage[l][i] += b.lineage[l][i];
      }
    }
    for (std::size_t k = 0; k <= T::max_copies; ++k) {
      copies_hist[k] += b.copies_hist[k];
    }
    copies_sum += b.copies_sum;
    t_cells += b.t_cells;
    deaths += b.deaths;
    births += b.births;
    live += b.live;
    divided += b.divided;
  }
};

/// A division timer: Exp(1), or lognormal with mean 1 and the given log-sd; `z` is the normal
/// used (sisters' normals are correlated by rho).
float division_timer(AgentRng& rng, const StepRates& r, float& z, double sister_z, bool sister) {
  if (!r.lognormal) {
    z = 0.0f;
    return static_cast<float>(rng.exponential());
  }
  double n = rng.normal();
  if (sister) {
    n = r.rho * sister_z + std::sqrt(std::max(0.0, 1.0 - r.rho * r.rho)) * n;
  }
  z = static_cast<float>(n);
  return static_cast<float>(std::exp(r.log_mu + r.log_sigma * n));
}

/// One agent over a step of h days. Returns true when it died (its weight is then 0).
inline void update_agent(Agents& a, std::size_t i, double h, const StepRates& r,
                         const RandomKey& key, BlockSums& s) {
  // a.flag[i] is flag_none here (pass 1 clears it once the daughter is made): stored only when
  // the agent divides.
  const double w = a.weight[i];
  const std::uint8_t phase = a.phase[i];
  bool divides = false;
  double elapsed = 0.0;  // days from the division to the step's end (timers overshoot zero)
  switch (phase) {
    case phase_resting:
      a.t_stage[i] -= static_cast<float>(r.engage * h);
      if (a.t_stage[i] <= 0.0f) {
        AgentRng rng(key, a.id[i], a.event[i]++);
        a.phase[i] = phase_lag;
        a.stage[i] = 0;
        a.t_stage[i] = static_cast<float>(rng.exponential());
      }
      break;
    case phase_lag:
      a.t_stage[i] -= static_cast<float>(r.lag * h);
      if (a.t_stage[i] <= 0.0f) {
        AgentRng rng(key, a.id[i], a.event[i]++);
        while (a.t_stage[i] <= 0.0f && a.phase[i] == phase_lag) {
          if (++a.stage[i] == T::lag_stages) {
            // First division: the family's destiny clock starts (daughters share it).
            a.phase[i] = phase_dividing;
            a.stage[i] = 0;
            elapsed = r.lag > 0.0 ? -a.t_stage[i] / r.lag : 0.0;
            a.t_stage[i] = static_cast<float>(rng.exponential() - r.clock * elapsed);
            divides = true;
          } else {
            a.t_stage[i] += static_cast<float>(rng.exponential());
          }
        }
      }
      break;
    case phase_dividing: {
      a.t_stage[i] -= static_cast<float>(r.clock * h);
      a.t_div[i] -= static_cast<float>(r.mu[a.lineage[i]] * h);
      if (a.t_div[i] <= 0.0f) {
        divides = true;
        const double mu = r.mu[a.lineage[i]];
        elapsed = mu > 0.0 ? -a.t_div[i] / mu : 0.0;
      }
      if (a.t_stage[i] <= 0.0f) {
        AgentRng rng(key, a.id[i], a.event[i]++);
        while (a.t_stage[i] <= 0.0f && a.phase[i] == phase_dividing) {
          if (++a.stage[i] == T::destiny_stages) {
            a.phase[i] = phase_post;
            a.stage[i] = 0;
            a.t_stage[i] = 0.0f;
          } else {
            a.t_stage[i] += static_cast<float>(rng.exponential());
          }
        }
      }
      break;
    }
    default:
      break;
  }
  // Death and integration act on this cell only until it divides: after the division each
  // daughter has its own fresh timers, already advanced by `elapsed` (below). Applying them to the
  // mother for the whole step counted the post-division hazard twice (integrations then reached
  // both daughters, and a death erased a division that came first).
  const double own = divides ? std::max(0.0, h - std::min(elapsed, h)) : h;
  const double death = phase <= phase_lag ? r.death_resting : r.death_activated;
  a.t_death[i] -= static_cast<float>(death * own);
  if (a.t_death[i] <= 0.0f) {
    a.weight[i] = 0.0;
    s.deaths += w;
    return;
  }
  if (r.integration[phase] > 0.0) {  // (no vector: sigma and t_int are not even read)
    const double integration = r.integration[phase] * a.sigma[i] * own;
    a.t_int[i] -= static_cast<float>(integration);
    if (a.t_int[i] <= 0.0f) {
      AgentRng rng(key, a.id[i], a.event[i]++);
      while (a.t_int[i] <= 0.0f) {
        a.copies[i] = static_cast<std::uint16_t>(std::min<int>(a.copies[i] + 1, max_copies_count));
        a.t_int[i] += static_cast<float>(rng.exponential());
      }
    }
  }
  if (divides) {
    // This slot becomes the first daughter; the second is appended after the loop. Timers of
    // death and integration are memoryless and drawn afresh; the division timer is new (sisters'
    // lognormal timers are correlated through z_div).
    AgentRng rng(key, a.id[i], a.event[i]++);
    a.flag[i] = static_cast<std::uint8_t>(flag_divided + a.phenotype[i]);  // + mother's phenotype
    a.generation[i] = static_cast<std::uint8_t>(std::min<int>(a.generation[i] + 1, 255));
    // New timers start at the division, `elapsed` before the step's end: without this carry-over
    // every generation would lose up to a step (a growth-rate bias of order mu h / 2).
    float z = 0.0f;
    const double mu = r.mu[a.lineage[i]];
    a.t_div[i] = static_cast<float>(division_timer(rng, r, z, 0.0, false) - mu * elapsed);
    a.z_div[i] = z;
    a.since[i] = static_cast<float>(elapsed);
    a.t_death[i] = static_cast<float>(rng.exponential() - r.death_activated * elapsed);
    a.t_int[i] = static_cast<float>(rng.exponential() -
                                    r.integration[phase_dividing] * a.sigma[i] * elapsed);
    const std::uint8_t ph = a.phenotype[i];
    if (rng.uniform() < r.move_on[ph]) {
      a.phenotype[i] = static_cast<std::uint8_t>(ph + 1);
    }
    s.births += w;
    ++s.divided;
  }
}

/// Adds one agent's cells to the block's aggregates.
inline void tally(double w, std::uint8_t lineage, std::uint8_t phase, std::uint8_t stage,
                  std::uint8_t phenotype, std::uint16_t copies, BlockSums& s) {
  if (w <= 0.0) {
    return;
  }
  ++s.live;
  double* block = s.lineage[lineage];
  switch (phase) {
    case phase_resting:
      block[T::resting] += w;
      break;
    case phase_lag:
      block[T::lag_first + stage] += w;
      break;
    case phase_dividing:
      block[T::destiny_first + stage] += w;
      block[T::phenotype_first + phenotype] += w;
      break;
    default:
      block[T::post_destiny] += w;
      block[T::phenotype_first + phenotype] += w;
      break;
  }
  s.copies_hist[std::min<std::size_t>(copies, T::max_copies)] += w;
  s.copies_sum += w * copies;
  s.t_cells += w;
}

/// Adds agent i to the block's aggregates (after its update).
inline void tally_agent(const Agents& a, std::size_t i, BlockSums& s) {
  tally(a.weight[i], a.lineage[i], a.phase[i], a.stage[i], a.phenotype[i], a.copies[i], s);
}

class Interpolation final : public Interpolant {
 public:
  Interpolation(const std::vector<double>& a, const std::vector<double>& b, double ta, double tb)
      : a_(a), b_(b), ta_(ta), tb_(tb) {}
  void at(double t, std::span<double> y) const override {
    const double f = tb_ > ta_ ? std::clamp((t - ta_) / (tb_ - ta_), 0.0, 1.0) : 1.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      y[i] = a_[i] + f * (b_[i] - a_[i]);
    }
  }

 private:
  const std::vector<double>& a_;
  const std::vector<double>& b_;
  double ta_;
  double tb_;
};

/// Agent slots reserved for a target of `target` agents (see Engine's constructor).
std::size_t reserved_slots(std::size_t target) {
  return 9 * target / 2 + 3 * block_size;
}

/// A run: the agents, the chamber state y (prodigy_tct layout) and the parameters.
class Engine {
 public:
  Engine(const ProdigyTct& tct, const AgentRunInput& in, const ProdigyAbm::FixedRates& fixed)
      : tct_(tct),
        in_(in),
        fixed_(fixed),
        y_(in.y0.begin(), in.y0.end()),
        p_(in.p.begin(), in.p.end()) {
    target_ = static_cast<std::size_t>(std::llround(p_[ProdigyAbm::abm_agents]));
    dt_ = p_[ProdigyAbm::abm_dt_h] / 24.0;
    // Seeding brings at most `target_` agents; population control halves them beyond 2 x target,
    // compaction keeps empty slots below 1/8 of the live ones plus a block, and divisions in one
    // step at most double the slots: 4.5 x target + 2 blocks is never exceeded.
    agents_.reserve(reserved_slots(target_));
    blocks_.resize(agents_.capacity() / block_size + 2);
    offsets_.resize(blocks_.size());
    daughters_.resize(static_cast<std::size_t>(std::max(1, omp_get_max_threads())));
    daughter_buffer_.resize(blocks_.size());
    daughter_start_.resize(blocks_.size());
    kept_.reserve(agents_.capacity());
  }

  AgentRunResult run(Observer& observer, ProdigyAbm::FinalAgents* final_agents);

 private:
  void rates(StepRates& r) const;
  void step(double h);
  /// The chamber over a step; returns the mean vector concentration (IU/mL) over its substeps.
  double environment(double h);
  void aggregate();
  void after_event(const std::vector<double>& before);
  void create_agents(int lineage, double cells);
  void thin(int lineage, double keep);
  Agents::Record make_daughter(Agents& a, std::size_t i, const StepRates& r, const RandomKey& key);
  /// Returns true when it changed weights (the aggregates must be taken again).
  bool control_population(std::size_t live);
  void publish();
  void compact();
  void distributions(AgentRunResult& result) const;

  const ProdigyTct& tct_;
  const AgentRunInput& in_;
  ProdigyAbm::FixedRates fixed_;
  std::vector<double> y_;
  std::vector<double> p_;
  Agents agents_;
  std::vector<BlockSums> blocks_;
  std::vector<std::size_t> offsets_;  // per-block prefix sums (fixed blocks)
  Array<std::uint32_t> kept_;         // compaction: the live agents' slots
  BlockSums totals_;
  std::size_t target_ = 0;
  double dt_ = 0.0;
  std::uint64_t next_id_ = 0;
  std::uint32_t next_founder_ = 0;
  std::vector<double> founder_weight_;  // founder cells each founder agent stands for (see step)
  double delivered_ = 0.0;              // integral of the integration rate per unit susceptibility
  double agent_updates_ = 0.0;
  std::uint32_t control_events_ = 0;
  std::uint32_t roulette_events_ = 0;                   // controls that needed roulette (see above)
  std::vector<std::vector<Agents::Record>> daughters_;  // pass 1 -> 2: per-thread buffers
  std::vector<const std::vector<Agents::Record>*> daughter_buffer_;  // per block: its buffer
  std::vector<std::size_t> daughter_start_;          // per block: its first daughter
  std::vector<std::uint32_t> pending_;               // control: a clone's unpaired agent
  std::vector<std::array<std::uint32_t, 2>> pairs_;  // control: pairs of one clone's agents
  std::uint32_t founders_measured_ = 0;              // founders whose start weight is recorded
};

void Engine::rates(StepRates& r) const {
  const auto& p = p_;
  r.move_on[0] = p[T::diff_naive_to_cm];
  r.move_on[1] = p[T::diff_cm_to_em];
  r.move_on[2] = p[T::diff_em_to_effector];
  r.move_on[3] = 0.0;
  const double cv = p[ProdigyAbm::abm_division_cv];
  r.lognormal = cv < 1.0;
  r.log_sigma = std::sqrt(std::log1p(cv * cv));
  r.log_mu = -0.5 * r.log_sigma * r.log_sigma;  // mean 1
  r.rho = p[ProdigyAbm::abm_sibling_correlation];
  r.family = p[ProdigyAbm::abm_family_destiny] > 0.5;
  if (fixed_.enabled) {
    // Pure birth-death: every agent is a dividing cell that never reaches destiny.
    r.engage = r.lag = r.clock = 0.0;
    r.mu[0] = r.mu[1] = fixed_.birth;
    r.death_resting = r.death_activated = fixed_.death;
    return;
  }
  const Conditions c = culture_conditions(y_, p);
  r.engage = p[T::k_activation] * c.stimulus;
  r.lag = static_cast<double>(T::lag_stages) / p[T::lag_mean_d];
  r.clock = static_cast<double>(T::destiny_stages) / p[T::destiny_mean_d] *
            (1.0 + p[T::destiny_speedup_unstimulated] * (1.0 - c.stimulus));
  r.mu[0] = c.mu_cd4;
  r.mu[1] = c.mu_cd8;
  r.death_resting = c.death_resting;
  r.death_activated = c.death_activated;
  // Integration: copies per day of a cell of susceptibility 1 (sigma carries the gamma mixing).
  const double base = p[T::copies_per_iu] * p[T::vector_uptake_ml_per_cell_d] * c.vector_per_ml;
  if (p[ProdigyAbm::abm_state_susceptibility] > 0.5) {
    r.integration[phase_resting] = base * p[T::resting_susceptibility];
    r.integration[phase_lag] = r.integration[phase_dividing] = r.integration[phase_post] = base;
  } else {
    // Mean field, as prodigy_tct: every T cell sees the average susceptibility.
    const double t = totals_.t_cells;
    double resting = 0.0;
    for (int l = 0; l < 2; ++l) {
      resting += totals_.lineage[l][T::resting];
    }
    const double activated_share = t > 0.0 ? (t - resting) / t : 0.0;
    const double m = base * prodigy_detail::susceptibility(activated_share, p);
    std::fill(std::begin(r.integration), std::end(r.integration), m);
  }
}

void Engine::step(double h) {
  if (founders_measured_ < next_founder_) {
    // Founders seeded since the last step: their weight after the seeding-time actions (e.g. the
    // enrichment that removes part of the product) is the number of founder cells each stands
    // for. Until this first step a founder is still a single agent.
    for (std::size_t f = founders_measured_; f < next_founder_; ++f) {
      founder_weight_[f] = 0.0;
    }
    for (std::size_t i = 0; i < agents_.size; ++i) {
      if (agents_.founder[i] >= founders_measured_) {
        founder_weight_[agents_.founder[i]] = agents_.weight[i];
      }
    }
    founders_measured_ = next_founder_;
  }
  StepRates r;
  rates(r);
  // The chamber over the step first (its substeps hold the T cells at the step's start, so the
  // order does not change it). The vector concentration can fall steeply within a step (uptake
  // by ~1e9 cells plus decay): integrations use its mean over the substeps, the same values at
  // which the chamber loses vector, rather than its value at the step's start (a left-point
  // rule, which put the day-3 VCN ~5 % above the ODE's).
  const double vector_start = fixed_.enabled ? 0.0 : culture_conditions(y_, p_).vector_per_ml;
  const double vector_mean = environment(h);
  if (vector_start > 0.0) {
    const double f = vector_mean / vector_start;
    for (double& x : r.integration) {
      x *= f;
    }
  }
  delivered_ += r.integration[phase_dividing] * h;  // per unit susceptibility (mean field: all)
  const std::size_t n = agents_.size;
  const std::size_t nblocks = (n + block_size - 1) / block_size;
  const RandomKey key = in_.key;
  Agents& a = agents_;
  // Pass 1: every agent over the step. A mother's second daughter is made at once (the mother's
  // data are in cache) into the thread's buffer; each block records where its daughters are and
  // counts its deaths, births, divisions and live agents (daughters included), and sums the
  // step's new aggregates.
  daughters_.resize(
      std::max<std::size_t>(daughters_.size(), static_cast<std::size_t>(omp_get_max_threads())));
  for (auto& buffer : daughters_) {
    buffer.clear();
  }
#pragma omp parallel if (nblocks > 1)
  {
    const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
    auto& buffer = daughters_[t];
#pragma omp for schedule(static)
    for (std::size_t b = 0; b < nblocks; ++b) {
      BlockSums s;
      daughter_buffer_[b] = &buffer;
      daughter_start_[b] = buffer.size();
      const std::size_t end = std::min(n, (b + 1) * block_size);
      for (std::size_t i = b * block_size; i < end; ++i) {
        if (a.weight[i] > 0.0) {
          update_agent(a, i, h, r, key, s);
          if (a.flag[i] >= flag_divided) {
            const Agents::Record d = make_daughter(a, i, r, key);
            a.flag[i] = flag_none;
            buffer.push_back(d);
            tally(d.weight, d.lineage, d.phase, d.stage, d.phenotype, d.copies, s);
          }
          tally_agent(a, i, s);
        }
      }
      blocks_[b] = s;
    }
  }
  agent_updates_ += static_cast<double>(n);
  // Exclusive prefix sum of the blocks' divisions (fixed blocks: independent of threads).
  double deaths = 0.0;
  double births = 0.0;
  std::size_t divided = 0;
  std::size_t live = 0;
  for (std::size_t b = 0; b < nblocks; ++b) {
    offsets_[b] = divided;
    deaths += blocks_[b].deaths;
    births += blocks_[b].births;
    divided += blocks_[b].divided;
    live += blocks_[b].live;
  }
  // Pass 2: block b's second daughters go to slots n + offsets_[b] ... in the order of their
  // mothers, with ids next_id_ + the same offsets: slots and ids do not depend on threads.
  if (divided > 0) {
    if (n + divided > a.capacity()) {
      throw ModelError("prodigy_abm: agent store overflow (internal error)");
    }
    const std::uint64_t first_id = next_id_;
#pragma omp parallel for schedule(static) if (nblocks > 1)
    for (std::size_t b = 0; b < nblocks; ++b) {
      const Agents::Record* d = daughter_buffer_[b]->data() + daughter_start_[b];
      const std::size_t count = blocks_[b].divided;
      for (std::size_t k = 0; k < count; ++k) {
        Agents::Record x = d[k];
        x.id = first_id + offsets_[b] + k;
        a.store(n + offsets_[b] + k, x);
      }
    }
    next_id_ += divided;
    a.size = n + divided;
  }
  y_[T::cells_born] += births;
  // The new aggregates, added in block order. The chamber still needs the step's start values.
  BlockSums totals;
  for (std::size_t b = 0; b < nblocks; ++b) {
    totals.add(blocks_[b]);
  }
  const bool weights_changed = control_population(live);
  y_[T::dead_cells] += deaths;
  if (weights_changed) {
    aggregate();
  } else {
    totals_ = totals;
    publish();
  }
}

/// The second daughter of mother i, which divided in this step (the mother's slot holds the first
/// daughter). Its random numbers come from the mother's stream (a new event of the mother): its
/// own id, and so its own stream, are given in pass 2.
Agents::Record Engine::make_daughter(Agents& a, std::size_t i, const StepRates& r,
                                     const RandomKey& key) {
  const std::uint8_t mother_phenotype = static_cast<std::uint8_t>(a.flag[i] - flag_divided);
  Agents::Record d = a.load(i);
  d.flag = flag_none;
  d.event = 0;
  AgentRng rng(key, a.id[i], a.event[i]++);
  float z = 0.0f;
  const double elapsed = a.since[i];
  d.t_div = static_cast<float>(division_timer(rng, r, z, a.z_div[i], true) -
                               r.mu[a.lineage[i]] * elapsed);
  d.z_div = z;
  d.t_death = static_cast<float>(rng.exponential() - r.death_activated * elapsed);
  d.t_int =
      static_cast<float>(rng.exponential() - r.integration[phase_dividing] * a.sigma[i] * elapsed);
  // Both daughters move on independently from the mother's phenotype.
  d.phenotype = mother_phenotype;
  if (rng.uniform() < r.move_on[mother_phenotype]) {
    d.phenotype = static_cast<std::uint8_t>(mother_phenotype + 1);
  }
  if (!r.family && d.phase == phase_dividing) {
    d.t_stage = static_cast<float>(rng.exponential() - r.clock * elapsed);
  }
  return d;
}

bool Engine::control_population(std::size_t live) {
  if (live > 2 * target_) {
    // Clone-preserving population control. The live agents of each clone (founder) are paired in
    // agent order; each pair (i, j) becomes one agent of weight w_i + w_j, which is i with
    // probability w_i / (w_i + w_j), else j. Every expected sum stays unbiased (E[(w_i + w_j)
    // f(kept)] = w_i f(i) + w_j f(j) for any property f), and every clone's total weight is
    // exactly unchanged: population control neither extinguishes nor doubles a clone. A clone's
    // unpaired agent (odd count) is kept as it is, unless that would leave more than
    // 2 x abm_agents agents; then the unpaired agents play Russian roulette (survive with
    // probability 1/2 at weight 2w; Kahn & Harris 1951). Pairs come from one pass in agent order,
    // so they do not depend on threads.
    Agents& a = agents_;
    const RandomKey key = in_.key;
    const std::size_t n = a.size;
    constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    pending_.assign(next_founder_, none);
    pairs_.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (a.weight[i] <= 0.0) {
        continue;
      }
      std::uint32_t& p = pending_[a.founder[i]];
      if (p == none) {
        p = static_cast<std::uint32_t>(i);
      } else {
        pairs_.push_back({p, static_cast<std::uint32_t>(i)});
        p = none;
      }
    }
    const std::size_t paired = pairs_.size();
    const std::size_t unpaired = live - 2 * paired;
    const std::ptrdiff_t npairs = static_cast<std::ptrdiff_t>(paired);
#pragma omp parallel for schedule(static) if (npairs > 4096)
    for (std::ptrdiff_t k = 0; k < npairs; ++k) {
      const std::uint32_t i = pairs_[static_cast<std::size_t>(k)][0];
      const std::uint32_t j = pairs_[static_cast<std::size_t>(k)][1];
      AgentRng rng(key, a.id[i], a.event[i]++);
      const double wi = a.weight[i];
      const double wj = a.weight[j];
      const bool keep_i = rng.uniform() * (wi + wj) < wi;
      a.weight[keep_i ? i : j] = wi + wj;
      a.weight[keep_i ? j : i] = 0.0;
    }
    if (paired + unpaired > 2 * target_) {
      const std::ptrdiff_t nf = static_cast<std::ptrdiff_t>(pending_.size());
#pragma omp parallel for schedule(static) if (nf > 4096)
      for (std::ptrdiff_t f = 0; f < nf; ++f) {
        const std::uint32_t i = pending_[static_cast<std::size_t>(f)];
        if (i != none) {
          AgentRng rng(key, a.id[i], a.event[i]++);
          a.weight[i] = rng.uniform() < 0.5 ? 2.0 * a.weight[i] : 0.0;
        }
      }
      ++roulette_events_;
    }
    ++control_events_;
    compact();
    return true;
  }
  if (agents_.size > live + live / 8 + block_size) {
    compact();
  }
  return false;
}

void Engine::compact() {
  // The live agents' slots, in order (fixed-block prefix sum), then every array gathered in place
  // (kept[k] >= k, so an ascending gather never overwrites a slot still to be read). The arrays
  // are independent: threads share them out.
  Agents& a = agents_;
  const std::size_t n = a.size;
  const std::size_t nblocks = (n + block_size - 1) / block_size;
#pragma omp parallel for schedule(static) if (nblocks > 1)
  for (std::size_t b = 0; b < nblocks; ++b) {
    std::size_t c = 0;
    const std::size_t end = std::min(n, (b + 1) * block_size);
    for (std::size_t i = b * block_size; i < end; ++i) {
      c += a.weight[i] > 0.0 ? 1 : 0;
    }
    offsets_[b] = c;
  }
  std::size_t total = 0;
  for (std::size_t b = 0; b < nblocks; ++b) {
    const std::size_t c = offsets_[b];
    offsets_[b] = total;
    total += c;
  }
  if (total == n) {
    return;
  }
  kept_.resize(total);
#pragma omp parallel for schedule(static) if (nblocks > 1)
  for (std::size_t b = 0; b < nblocks; ++b) {
    std::size_t k = offsets_[b];
    const std::size_t end = std::min(n, (b + 1) * block_size);
    for (std::size_t i = b * block_size; i < end; ++i) {
      if (a.weight[i] > 0.0) {
        kept_[k++] = static_cast<std::uint32_t>(i);
      }
    }
  }
  const std::uint32_t* kept = kept_.data();
  auto gather = [kept, total](auto& v) {
    auto* d = v.data();
    for (std::size_t k = 0; k < total; ++k) {
      d[k] = d[kept[k]];
    }
  };
  // Largest arrays first, so that two threads get similar shares.
#pragma omp parallel for schedule(dynamic, 1) if (total > block_size)
  for (int f = 0; f < 18; ++f) {
    switch (f) {
      case 0:
        gather(a.id);
        break;
      case 1:
        gather(a.weight);
        break;
      case 2:
        gather(a.event);
        break;
      case 3:
        gather(a.founder);
        break;
      case 4:
        gather(a.sigma);
        break;
      case 5:
        gather(a.t_stage);
        break;
      case 6:
        gather(a.t_div);
        break;
      case 7:
        gather(a.t_death);
        break;
      case 8:
        gather(a.t_int);
        break;
      case 9:
        gather(a.z_div);
        break;
      case 10:
        gather(a.since);
        break;
      case 11:
        gather(a.copies);
        break;
      case 12:
        gather(a.generation);
        break;
      case 13:
        gather(a.phase);
        break;
      case 14:
        gather(a.stage);
        break;
      case 15:
        gather(a.lineage);
        break;
      case 16:
        gather(a.phenotype);
        break;
      default:
        gather(a.flag);
        break;
    }
  }
  a.size = total;
}

double Engine::environment(double h) {
  auto& y = y_;
  const auto& p = p_;
  if (fixed_.enabled) {
    return 0.0;
  }
  double vector_sum = 0.0;
  // The medium (vector, TransAct, cytokines, glucose, lactate) and the non-T and dead cells, with
  // the cells held at the step's start; prodigy_tct's right-hand side gives the rates.
  std::array<double, T::num_states> dydt{};
  const double sub = h / environment_substeps;
  for (int k = 0; k < environment_substeps; ++k) {
    vector_sum += culture_conditions(y, p).vector_per_ml;
    tct_.rhs(0.0, y, p, dydt);
    for (std::size_t i :
         {T::vector_iu, T::reagent_ul, T::il2_iu, T::il7_ng, T::il15_ng, T::glucose_mmol,
          T::lactate_mmol, T::glucose_consumed_mmol, T::other_cells}) {
      y[i] = std::max(0.0, y[i] + sub * dydt[i]);
    }
    // Dead T cells come from the agents; dead non-T cells and lysis as in prodigy_tct.
    const Conditions c = culture_conditions(y, p);
    const double other_death = (p[T::death_other_per_d] + c.starvation) * y[T::other_cells];
    const double lysis = p[T::dead_lysis_per_d] * y[T::dead_cells];
    y[T::dead_cells] = std::max(0.0, y[T::dead_cells] + sub * (other_death - lysis));
    y[T::cells_lysed] += sub * lysis;
  }
  return vector_sum / environment_substeps;  // mean vector concentration over the substeps
}

void Engine::aggregate() {
  const std::size_t n = agents_.size;
  const std::size_t nblocks = (n + block_size - 1) / block_size;
  const Agents& a = agents_;
#pragma omp parallel for schedule(static) if (nblocks > 1)
  for (std::size_t b = 0; b < nblocks; ++b) {
    BlockSums s;
    const std::size_t end = std::min(n, (b + 1) * block_size);
    for (std::size_t i = b * block_size; i < end; ++i) {
      tally_agent(a, i, s);
    }
    blocks_[b] = s;
  }
  totals_ = BlockSums{};
  for (std::size_t b = 0; b < nblocks; ++b) {
    totals_.add(blocks_[b]);
  }
  publish();
}

/// The chamber's T-cell states from the agents' totals.
void Engine::publish() {
  for (std::size_t i = 0; i < T::lineage_size; ++i) {
    y_[T::cd4_block + i] = totals_.lineage[0][i];
    y_[T::cd8_block + i] = totals_.lineage[1][i];
  }
  const double t = totals_.t_cells;
  for (std::size_t k = 0; k <= T::max_copies; ++k) {
    y_[T::copies_first + k] = t > 0.0 ? totals_.copies_hist[k] / t : (k == 0 ? 1.0 : 0.0);
  }
  y_[T::exposure] = t > 0.0 ? totals_.copies_sum / t : 0.0;
}

void Engine::create_agents(int lineage, double cells) {
  // How many agents: all cells when they fit in the target (weight about 1), else the target
  // shared between the lineages in proportion.
  const double all = y_[T::cd4_block + T::resting] + y_[T::cd8_block + T::resting];
  const double share = all > 0.0 ? cells / all : 0.0;
  const double wanted = all <= static_cast<double>(target_)
                            ? std::round(cells)
                            : std::round(share * static_cast<double>(target_));
  const std::size_t count = static_cast<std::size_t>(std::max(1.0, wanted));
  const double w = cells / static_cast<double>(count);
  const double seeded[4] = {p_[T::seed_naive_fraction], p_[T::seed_cm_fraction],
                            p_[T::seed_em_fraction], p_[T::seed_effector_fraction]};
  const bool nb = p_[T::copy_model] > 0.5;
  const double k = p_[T::copy_dispersion_k];
  if (agents_.size + count > 2 * target_ + block_size) {
    throw ModelError("prodigy_abm: more agents than reserved (internal)");
  }
  for (std::size_t j = 0; j < count; ++j) {
    const std::size_t i = agents_.size++;
    Agents& a = agents_;
    a.id[i] = next_id_++;
    a.event[i] = 0;
    AgentRng rng(in_.key, a.id[i], a.event[i]++);
    a.weight[i] = w;
    a.founder[i] = next_founder_++;
    founder_weight_.push_back(w);
    a.copies[i] = 0;
    a.generation[i] = 0;
    a.lineage[i] = static_cast<std::uint8_t>(lineage);
    a.flag[i] = flag_none;
    a.z_div[i] = 0.0f;
    a.since[i] = 0.0f;
    double u = rng.uniform();
    std::uint8_t ph = 3;
    for (std::uint8_t q = 0; q < 3; ++q) {
      if (u < seeded[q]) {
        ph = q;
        break;
      }
      u -= seeded[q];
    }
    a.phenotype[i] = ph;
    a.t_death[i] = static_cast<float>(rng.exponential());
    a.t_int[i] = static_cast<float>(rng.exponential());
    if (fixed_.enabled) {
      a.phase[i] = phase_dividing;
      a.stage[i] = 0;
      a.t_stage[i] = std::numeric_limits<float>::infinity();
      StepRates r;
      rates(r);
      float z = 0.0f;
      a.t_div[i] = division_timer(rng, r, z, 0.0, false);
      a.z_div[i] = z;
    } else {
      a.phase[i] = phase_resting;
      a.stage[i] = 0;
      a.t_stage[i] = static_cast<float>(rng.exponential());
      a.t_div[i] = static_cast<float>(rng.exponential());
    }
    a.sigma[i] = nb ? static_cast<float>(rng.gamma(k) / k) : 1.0f;
  }
}

void Engine::thin(int lineage, double keep) {
  // Each of an agent's w cells stays independently with probability `keep`: the kept count is
  // binomial (exact for w < 50, its normal approximation beyond).
  Agents& a = agents_;
  const RandomKey key = in_.key;
  const std::size_t n = a.size;
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    if (a.weight[i] <= 0.0 || a.lineage[i] != lineage) {
      continue;
    }
    AgentRng rng(key, a.id[i], a.event[i]++);
    const double w = a.weight[i];
    double kept = 0.0;
    if (w < 50.0) {
      // m = round(w) (at least 1) Bernoulli trials, each kept trial worth w / m cells: exact for
      // whole weights, unbiased (expected weight w * keep) for the others.
      const int m = std::max(1, static_cast<int>(std::lround(w)));
      int stay = 0;
      for (int c = 0; c < m; ++c) {
        stay += rng.uniform() < keep ? 1 : 0;
      }
      kept = static_cast<double>(stay) * w / static_cast<double>(m);
    } else {
      const double mean = w * keep;
      kept = std::clamp(mean + std::sqrt(mean * (1.0 - keep)) * rng.normal(), 0.0, w);
    }
    a.weight[i] = kept;
  }
}

void Engine::after_event(const std::vector<double>& before) {
  // The action changed the chamber as prodigy_tct's would; carry its cell changes to the agents.
  for (int l = 0; l < 2; ++l) {
    const std::size_t base = l == 0 ? T::cd4_block : T::cd8_block;
    double b = 0.0;
    double after = 0.0;
    for (std::size_t i = 0; i < T::phenotype_first; ++i) {
      b += before[base + i];
      after += y_[base + i];
    }
    if (b <= 0.0 && after > 0.0) {
      if (std::abs(after - y_[base + T::resting]) > 1e-9 * after) {
        throw ModelError("prodigy_abm: cells may only be added as resting cells (by seed)");
      }
      create_agents(l, after);
    } else if (after < b * (1.0 - 1e-12)) {
      thin(l, after / b);
    } else if (after > b * (1.0 + 1e-12)) {
      throw ModelError(
          "prodigy_abm: a protocol step added T cells to a seeded chamber; only 'seed' adds cells");
    }
  }
  // cells_removed: the action's expected removal of T cells replaced by the agents' actual one.
  const bool removed = y_[T::cells_removed] > before[T::cells_removed];
  compact();
  aggregate();
  if (removed) {
    const double added = y_[T::cells_added] - before[T::cells_added];
    y_[T::cells_removed] =
        before[T::cells_removed] + T::all_cells(before) + added - T::all_cells(y_);
  }
}

void Engine::distributions(AgentRunResult& result) const {
  const Agents& a = agents_;
  const double inf = std::numeric_limits<double>::infinity();
  Histogram vcn{"vcn_per_cell",
                "copies/cell",
                "viable T cells by integrated vector copies (last bin: 30 or more)",
                {},
                {},
                {}};
  for (std::size_t k = 0; k <= ProdigyAbm::max_vcn_bin; ++k) {
    vcn.lower.push_back(static_cast<double>(k));
    vcn.upper.push_back(k == ProdigyAbm::max_vcn_bin ? inf : static_cast<double>(k + 1));
  }
  vcn.cells.assign(vcn.lower.size(), 0.0);
  Histogram gen{"divisions_per_cell",
                "divisions",
                "viable T cells by divisions since seeding (generation; last bin: 40 or more)",
                {},
                {},
                {}};
  for (std::size_t k = 0; k <= ProdigyAbm::max_generation; ++k) {
    gen.lower.push_back(static_cast<double>(k));
    gen.upper.push_back(k == ProdigyAbm::max_generation ? inf : static_cast<double>(k + 1));
  }
  gen.cells.assign(gen.lower.size(), 0.0);
  std::vector<double> clone(founder_weight_.size(), 0.0);
  for (std::size_t i = 0; i < a.size; ++i) {
    const double w = a.weight[i];
    if (w <= 0.0) {
      continue;
    }
    vcn.cells[std::min<std::size_t>(a.copies[i], ProdigyAbm::max_vcn_bin)] += w;
    gen.cells[std::min<std::size_t>(a.generation[i], ProdigyAbm::max_generation)] += w;
    clone[a.founder[i]] += w;
  }
  Histogram clones{"clone_size",
                   "cells/founder cell",
                   "founder T cells (in the culture after the seeding-time steps) by the viable "
                   "cells descended from each at the end: bin 0 extinct (or removed below one "
                   "cell), then [1, 2), [2, 4), ...; a founder agent of weight w0 stands for w0 "
                   "identical founder cells, so its clone's weight / w0 is one draw of a single "
                   "cell's clone size (docs/models/prodigy_abm.md: estimator and its error)",
                   {},
                   {},
                   {}};
  clones.lower.push_back(0.0);
  clones.upper.push_back(1.0);
  for (std::size_t k = 0; k + 1 < ProdigyAbm::clone_bins; ++k) {
    clones.lower.push_back(std::ldexp(1.0, static_cast<int>(k)));
    clones.upper.push_back(
        k + 2 == ProdigyAbm::clone_bins ? inf : std::ldexp(1.0, static_cast<int>(k + 1)));
  }
  clones.cells.assign(clones.lower.size(), 0.0);
  for (std::size_t f = 0; f < clone.size(); ++f) {
    if (founder_weight_[f] <= 0.0) {
      continue;  // removed before the culture started: not a founder
    }
    const double size = clone[f] / founder_weight_[f];
    std::size_t bin = 0;
    if (size >= 1.0) {
      bin = std::min<std::size_t>(1 + static_cast<std::size_t>(std::floor(std::log2(size))),
                                  ProdigyAbm::clone_bins - 1);
    }
    clones.cells[bin] += founder_weight_[f];
  }
  result.distributions = {std::move(vcn), std::move(gen), std::move(clones)};
}

AgentRunResult Engine::run(Observer& observer, ProdigyAbm::FinalAgents* final_agents) {
  AgentRunResult result;
  // Scheduled events in time order (ties: the order given).
  std::vector<const ScheduledEvent*> events;
  for (const auto& e : in_.events->scheduled) {
    events.push_back(&e);
  }
  if (!in_.events->state.empty()) {
    throw ModelError(
        "prodigy_abm: state-triggered protocol steps ('when') are not supported; "
        "schedule them with 'at'");
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const auto* a, const auto* b) { return a->time < b->time; });
  RandomStream event_stream(RandomKey{in_.key.seed, in_.key.sample, in_.key.replicate,
                                      static_cast<std::uint64_t>(RandomPurpose::events)});
  std::size_t next_event = 0;
  double t = in_.t0;
  std::vector<double> before(y_.size());
  auto fire_due = [&](bool report) {
    bool stop = false;
    while (next_event < events.size() && events[next_event]->time <= t + 1e-12 && !stop) {
      const ScheduledEvent& e = *events[next_event++];
      before = y_;
      EventContext ctx{t, y_, p_, false, &event_stream};
      e.action(ctx);
      after_event(before);
      ++result.events_fired;
      if (report) {
        observer.on_event(t, e.label, y_, p_);
      }
      stop = ctx.stop;
    }
    return stop;
  };
  aggregate();
  bool stopped = fire_due(false);
  observer.on_start(t, y_, p_);
  std::vector<double> y_prev(y_.size());
  while (!stopped && t < in_.t_end - 1e-12) {
    double t_next = std::min(t + dt_, in_.t_end);
    // Steps end exactly on event times (a step that would end within 1e-9 d past one is cut
    // there too, so rounding never lets an output row at the event time see the state before it).
    if (next_event < events.size() && events[next_event]->time < t_next + 1e-9) {
      t_next = std::max(t, events[next_event]->time);
    }
    if (t_next > in_.t_end - 1e-9) {
      t_next = in_.t_end;
    }
    y_prev = y_;
    step(t_next - t);
    ++result.steps;
    Interpolation segment(y_prev, y_, t, t_next);
    observer.on_segment({t, t_next, &segment, p_});
    t = t_next;
    stopped = fire_due(true);
  }
  result.t_final = t;
  result.stopped = stopped;
  observer.on_finish(t, y_, p_);
  result.agent_updates = agent_updates_;
  std::size_t live = 0;
  for (std::size_t i = 0; i < agents_.size; ++i) {
    live += agents_.weight[i] > 0.0 ? 1 : 0;
  }
  result.agents_final = live;
  distributions(result);
  if (final_agents) {
    final_agents->copies.clear();
    final_agents->weight.clear();
    final_agents->generation.clear();
    for (std::size_t i = 0; i < agents_.size; ++i) {
      if (agents_.weight[i] > 0.0) {
        final_agents->copies.push_back(agents_.copies[i]);
        final_agents->weight.push_back(agents_.weight[i]);
        final_agents->generation.push_back(agents_.generation[i]);
      }
    }
    final_agents->delivered_exposure = delivered_;
  }
  return result;
}

}  // namespace

std::size_t prodigy_abm_bytes_per_agent() {
  return Agents::bytes_per_agent;
}

std::size_t prodigy_abm_reserved_bytes(double target_agents) {
  // The agent arrays plus the compaction index (4 bytes per slot).
  return (Agents::bytes_per_agent + 4) *
         reserved_slots(static_cast<std::size_t>(std::llround(target_agents)));
}

void ProdigyAbm::observables(double t, std::span<const double> y, std::span<const double> p,
                             std::span<double> out) const {
  tct_.observables(t, y, p, out);
}

void ProdigyAbm::initial_state(std::span<const double> p, std::span<double> y0) const {
  tct_.initial_state(p, y0);
}

void ProdigyAbm::apply_action(std::size_t action, std::span<const double> settings,
                              EventContext& ctx) const {
  tct_.apply_action(action, settings, ctx);
}

void ProdigyAbm::check_protocol(double t0, std::span<const double> p,
                                std::span<const PlannedAction> actions) const {
  tct_.check_protocol(t0, p, actions);
}

AgentRunResult ProdigyAbm::simulate(const AgentRunInput& input, Observer& observer) const {
  return simulate(input, observer, FixedRates{}, nullptr);
}

AgentRunResult ProdigyAbm::simulate(const AgentRunInput& input, Observer& observer,
                                    const FixedRates& fixed) const {
  return simulate(input, observer, fixed, nullptr);
}

AgentRunResult ProdigyAbm::simulate(const AgentRunInput& input, Observer& observer,
                                    const FixedRates& fixed, FinalAgents* final_agents) const {
  if (input.p.size() != num_parameters || input.y0.size() != ProdigyTct::num_states) {
    throw ModelError("prodigy_abm: wrong number of parameters or states");
  }
  Engine engine(tct_, input, fixed);
  return engine.run(observer, final_agents);
}

}  // namespace cartsim::models
