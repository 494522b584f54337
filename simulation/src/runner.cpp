#include "cartsim/simulation/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "cartsim/core/errors.hpp"
#include "cartsim/models/cart_patient.hpp"
#include "cartsim/models/registry.hpp"

namespace cartsim {
namespace {

/// Observables evaluated inside event conditions use a stack buffer, so conditions stay
/// allocation-free and safe to share between threads.
constexpr std::size_t max_observables_in_conditions = 256;

std::size_t state_index(const Model& model, const std::string& name, const InputLocation& at) {
  const auto i = model.info().find_state(name);
  if (!i) {
    throw ConfigError(at, "model '" + model.info().name + "' has no state '" + name + "'");
  }
  return *i;
}

EventAction make_action(const Model& model, const ProtocolStep& step) {
  const Action& a = step.action;
  switch (a.kind) {
    case ActionKind::dose: {
      const std::size_t i = state_index(model, a.target, step.where);
      const double amount = a.amount;
      return [i, amount](EventContext& ctx) { ctx.y[i] += amount; };
    }
    case ActionKind::dilute: {
      std::vector<std::size_t> targets;
      if (a.targets.empty()) {
        for (std::size_t i = 0; i < model.num_states(); ++i) {
          targets.push_back(i);
        }
      } else {
        for (const auto& name : a.targets) {
          targets.push_back(state_index(model, name, step.where));
        }
      }
      const double factor = a.factor;
      return [targets, factor](EventContext& ctx) {
        for (std::size_t i : targets) {
          ctx.y[i] /= factor;
        }
      };
    }
    case ActionKind::set: {
      const double value = a.value;
      if (const auto i = model.info().find_state(a.target)) {
        return [i = *i, value](EventContext& ctx) { ctx.y[i] = value; };
      }
      if (const auto j = model.info().find_parameter(a.target)) {
        return [j = *j, value](EventContext& ctx) { ctx.p[j] = value; };
      }
      throw ConfigError(step.where, "model '" + model.info().name +
                                        "' has no state or parameter '" + a.target + "'");
    }
    case ActionKind::stop:
      return [](EventContext& ctx) { ctx.stop = true; };
    case ActionKind::model: {
      const Model* m = &model;
      return [m, index = a.model_action, settings = a.settings](EventContext& ctx) {
        m->apply_action(index, settings, ctx);
      };
    }
  }
  throw ConfigError(step.where, "unsupported action");
}

StateEvent make_state_event(const Model& model, const ProtocolStep& step, EventAction action) {
  const auto variable = model.resolve(step.trigger.variable);
  if (!variable) {
    throw ConfigError(step.where, "model '" + model.info().name + "' has no state or observable '" +
                                      step.trigger.variable + "'");
  }
  const double threshold = step.trigger.threshold;
  StateEvent e;
  e.label = step.label;
  e.direction = step.trigger.direction;
  e.repeat = step.trigger.repeat;
  e.action = std::move(action);
  const Model* m = &model;
  e.condition = [m, v = *variable, threshold](double t, std::span<const double> y,
                                              std::span<const double> p) {
    std::array<double, max_observables_in_conditions> scratch{};
    return m->value(v, t, y, p, {scratch.data(), m->num_observables()}) - threshold;
  };
  return e;
}

/// The events of a protocol.
EventSet build_events(const Model& model, const std::vector<ProtocolStep>& protocol) {
  EventSet events;
  for (const auto& step : protocol) {
    EventAction action = make_action(model, step);
    if (step.trigger.kind == Trigger::Kind::at) {
      for (double time : step.trigger.times) {
        events.scheduled.push_back({time, step.label, action});
      }
    } else {
      events.state.push_back(make_state_event(model, step, action));
    }
  }
  return events;
}

/// Lets the model check its own actions over the whole protocol (e.g. "harvest before seeding").
/// Throws the model's ProtocolError.
void check_model_actions(const Model& model, const std::vector<ProtocolStep>& protocol,
                         double t_start, std::span<const double> p) {
  std::vector<PlannedAction> planned;
  for (std::size_t i = 0; i < protocol.size(); ++i) {
    const ProtocolStep& step = protocol[i];
    if (step.action.kind != ActionKind::model) {
      continue;
    }
    const std::vector<double> when = step.trigger.kind == Trigger::Kind::at
                                         ? step.trigger.times
                                         : std::vector<double>{std::nan("")};
    for (double t : when) {
      planned.push_back({t, step.action.model_action, step.action.settings, i});
    }
  }
  // Time order; state-triggered steps (NaN) last; ties keep the order written.
  std::stable_sort(planned.begin(), planned.end(), [](const auto& a, const auto& b) {
    return !std::isnan(a.time) && (std::isnan(b.time) || a.time < b.time);
  });
  model.check_protocol(t_start, p, planned);
}

/// Writes one protocol input into a copy of the steps, with the checks the parser makes of a
/// written value (a sampled value outside them fails the sample, with this message).
void assign_protocol(const Model& model, std::vector<ProtocolStep>& steps, const Assignment& a,
                     double t0, double t_end) {
  const ModelInfo& info = model.info();
  ProtocolStep& step = steps.at(a.index);
  Action& action = step.action;
  auto reject = [&](const std::string& what) {
    throw ModelError(fmt::format("{}: sampled value {} {}", step.label, a.value, what));
  };
  if (a.target == Assignment::Target::protocol_time) {
    if (a.value < t0 || a.value > t_end) {
      reject(fmt::format("is outside the run [{}, {}] (days)", t0, t_end));
    }
    step.trigger.times = {a.value};
    return;
  }
  switch (action.kind) {
    case ActionKind::dose:
      if (a.value < 0.0) {
        reject("must be >= 0 (dose amount)");
      }
      action.amount = a.value;
      break;
    case ActionKind::dilute:
      if (a.value < 1.0) {
        reject("must be >= 1 (dilution factor)");
      }
      action.factor = a.value;
      break;
    case ActionKind::set:
      if (const auto i = info.find_state(action.target)) {
        if (info.states[*i].nonnegative && a.value < 0.0) {
          reject("must be >= 0 (state " + action.target + ")");
        }
      } else if (const auto j = info.find_parameter(action.target)) {
        const ParameterInfo& pi = info.parameters[*j];
        if (a.value < pi.min || a.value > pi.max) {
          reject(fmt::format("is out of range [{}, {}] (parameter {})", pi.min, pi.max, pi.name));
        }
      }
      action.value = a.value;
      break;
    case ActionKind::model: {
      const SettingInfo& s = info.actions.at(action.model_action).settings.at(a.setting);
      if (a.value < s.min || a.value > s.max) {
        reject(fmt::format("is out of range [{}, {}] ({} {})", s.min, s.max, s.name, s.unit));
      }
      action.settings.at(a.setting) = a.value;
      break;
    }
    case ActionKind::stop:
      throw ModelError("a stop step has no setting to vary");
  }
}

/// What a chain reads from the harvest (kind final), after the scenario's manufacturing metrics;
/// then the product's memory-like phenotype fractions.
const std::vector<std::string>& product_readouts() {
  static const std::vector<std::string> names = {
      "car_positive_cells", "viability", "vcn_per_car_cell", "release_pass", "release_failures"};
  return names;
}

std::size_t setting_index(const ActionInfo& action, std::string_view name) {
  for (std::size_t k = 0; k < action.settings.size(); ++k) {
    if (action.settings[k].name == name) {
      return k;
    }
  }
  throw ModelError(fmt::format("action '{}' has no setting '{}'", action.name, name));
}

RunPlan make_chain_plan(const Scenario& scenario) {
  const ChainSpec& spec = *scenario.chain;
  auto chain = std::make_shared<ChainPlan>();
  chain->manufacturing = make_plan(spec.manufacturing);
  chain->manufacturing_metrics = chain->manufacturing.metrics.size();
  std::vector<std::string> readouts = product_readouts();
  readouts.insert(readouts.end(), spec.product.memory_like.begin(), spec.product.memory_like.end());
  for (const auto& name : readouts) {
    MetricSpec m;
    m.name = "(product) " + name;
    m.kind = MetricKind::final;
    m.variable = name;
    chain->manufacturing.metrics.push_back(std::move(m));
  }
  chain->patient = make_plan(spec.patient);
  chain->patient_metrics = chain->patient.metrics.size();
  chain->product = spec.product;
  chain->infuse_steps = spec.infuse_steps;
  const ModelInfo& patient = chain->patient.model->info();
  const auto infuse = patient.find_action("infuse");
  const auto weight = patient.find_parameter("body_weight_kg");
  if (!infuse || !weight) {
    throw ModelError("model '" + patient.name + "' cannot be a chain's patient half");
  }
  const ActionInfo& action = patient.actions[*infuse];
  chain->infuse_cells_per_kg = setting_index(action, "cells_per_kg");
  chain->infuse_cells = setting_index(action, "cells");
  chain->infuse_memory_fraction = setting_index(action, "memory_fraction");
  chain->infuse_vcn = setting_index(action, "vcn");
  chain->infuse_weight_band = setting_index(action, "weight_band");
  chain->body_weight = *weight;
  chain->manufacturing_weight =
      chain->manufacturing.model->info().find_parameter("patient_weight_kg");

  RunPlan plan = chain->patient;
  plan.metrics = scenario.outputs.metrics;
  plan.file = scenario.file;
  plan.chain = std::move(chain);
  return plan;
}

}  // namespace

AgentRunInput agent_run_input(const Problem& problem, std::uint64_t seed, std::uint64_t sample,
                              std::uint64_t replicate) {
  AgentRunInput in;
  in.t0 = problem.t0;
  in.t_end = problem.t_end;
  in.y0 = {problem.y0.data(), static_cast<std::size_t>(problem.y0.size())};
  in.p = {problem.p.data(), static_cast<std::size_t>(problem.p.size())};
  in.events = &problem.events;
  in.key = RandomKey{seed, sample, replicate, static_cast<std::uint64_t>(RandomPurpose::agents)};
  return in;
}

const std::vector<MetricSpec>& product_columns() {
  static const std::vector<MetricSpec> columns = [] {
    const std::vector<std::array<const char*, 3>> table = {
        {"product.car_cells", "cells", "CAR+ viable cells at harvest"},
        {"product.viability", "1", "viability at harvest"},
        {"product.vcn", "copies/cell", "vector copies per CAR+ cell at harvest"},
        {"product.memory_fraction", "1",
         "memory-like share of the T cells at harvest (the phenotypes in product.memory_like)"},
        {"product.release_pass", "1",
         "1 if the harvest meets the manufacturing model's release specification, else 0"},
        {"product.release_failures", "1",
         "failed release criteria (the manufacturing model's code; 0: none)"},
        {"product.weight_kg", "kg", "patient body weight the dose is computed for"},
        {"product.dose_cells", "cells",
         "CAR+ viable cells prescribed to the patient (0 when not infused)"},
        {"product.dose_per_kg", "cells/kg", "product.dose_cells / product.weight_kg"},
        {"product.infused", "1", "1 if the product was infused, 0 if not (see status)"}};
    std::vector<MetricSpec> out;
    for (const auto& [name, unit, description] : table) {
      MetricSpec m;
      m.name = name;
      m.kind = MetricKind::final;
      m.unit = unit;
      m.description = description;
      out.push_back(std::move(m));
    }
    return out;
  }();
  return columns;
}

RunPlan make_plan(const Scenario& scenario) {
  if (scenario.chain) {
    return make_chain_plan(scenario);
  }
  RunPlan plan;
  plan.model = scenario.bound_model ? scenario.bound_model : get_model(scenario.model);
  const Model& model = *plan.model;
  const ModelInfo& info = model.info();
  if (model.num_observables() > max_observables_in_conditions) {
    throw ModelError("model '" + info.name + "' has more observables than cartsim supports");
  }
  const InputLocation file_location{scenario.file, 0, 0, ""};

  Problem& problem = plan.problem;
  problem.model = model.as_ode();  // null for an agent-based model, which integrates itself
  problem.t0 = scenario.t_start;
  problem.t_end = scenario.t_end;
  problem.p = info.default_parameters();
  for (const auto& o : scenario.parameters) {
    const auto j = info.find_parameter(o.name);
    if (!j) {
      throw ConfigError(o.where, "model '" + info.name + "' has no parameter '" + o.name + "'");
    }
    problem.p[static_cast<Eigen::Index>(*j)] = o.value;
  }
  const std::span<const double> p{problem.p.data(), static_cast<std::size_t>(problem.p.size())};
  try {
    model.check_run(scenario.t_start, p);
  } catch (const ParameterError& e) {
    // Point at the named parameter if the scenario sets it, else at the first override.
    InputLocation where =
        scenario.parameters.empty() ? file_location : scenario.parameters.front().where;
    for (const auto& o : scenario.parameters) {
      if (o.name == e.parameter()) {
        where = o.where;
      }
    }
    throw ConfigError(where, e.what());
  } catch (const ModelError& e) {
    // The remaining run checks concern the time origin.
    throw ConfigError(scenario.start_where, e.what());
  }
  problem.y0.resize(static_cast<Eigen::Index>(model.num_states()));
  model.initial_state(p, {problem.y0.data(), model.num_states()});
  for (const auto& v : scenario.initial_state) {
    const std::size_t i = state_index(model, v.name, v.where);
    problem.y0[static_cast<Eigen::Index>(i)] = v.value;
    plan.initial_overrides.emplace_back(i, v.value);
  }

  plan.protocol = scenario.protocol;
  plan.file = scenario.file;
  problem.events = build_events(model, plan.protocol);
  try {
    check_model_actions(model, plan.protocol, scenario.t_start, p);
  } catch (const ProtocolError& e) {
    const InputLocation where = e.step() < scenario.protocol.size()
                                    ? scenario.protocol[e.step()].where
                                    : InputLocation{scenario.file, 0, 0, "protocol"};
    throw ConfigError(where, e.what());
  }

  plan.output_times = scenario.outputs.times;
  if (scenario.outputs.variables.empty()) {
    for (std::size_t i = 0; i < model.num_states(); ++i) {
      plan.columns.push_back({VariableRef::Kind::state, i});
    }
    for (std::size_t i = 0; i < model.num_observables(); ++i) {
      plan.columns.push_back({VariableRef::Kind::observable, i});
    }
  } else {
    for (const auto& name : scenario.outputs.variables) {
      const auto v = model.resolve(name);
      if (!v) {
        throw ConfigError(file_location,
                          "model '" + info.name + "' has no state or observable '" + name + "'");
      }
      plan.columns.push_back(*v);
    }
  }
  plan.metrics = scenario.outputs.metrics;
  plan.solver = scenario.solver;
  return plan;
}

Simulator::Simulator(const RunPlan& plan, std::uint64_t seed)
    : plan_(plan),
      seed_(seed),
      problem_(plan.problem),
      random_(seed, 0, 0, RandomPurpose::events),
      solver_(make_solver(plan.solver.name, plan.solver.options)),
      grid_(*plan.model, plan.output_times, plan.columns),
      metrics_(*plan.model, plan.metrics) {}

void Simulator::prepare(std::span<const Assignment> inputs) {
  const Model& model = *plan_.model;
  const ModelInfo& info = model.info();
  problem_.p = plan_.problem.p;
  bool protocol_changed = false;
  for (const auto& a : inputs) {
    if (a.target == Assignment::Target::parameter) {
      const ParameterInfo& pi = info.parameters.at(a.index);
      if (!(a.value >= pi.min && a.value <= pi.max)) {
        throw ParameterError(
            pi.name, fmt::format("parameter '{}' = {} is out of range [{}, {}] ({})", pi.name,
                                 a.value, pi.min, pi.max, pi.unit));
      }
      problem_.p[static_cast<Eigen::Index>(a.index)] = a.value;
    }
    protocol_changed = protocol_changed || a.target == Assignment::Target::protocol_setting ||
                       a.target == Assignment::Target::protocol_time;
  }
  const std::span<const double> p{problem_.p.data(), static_cast<std::size_t>(problem_.p.size())};
  model.check_run(plan_.problem.t0, p);
  // The initial state may depend on the parameters (e.g. stein2019's E(0) = Cmax/foldx).
  model.initial_state(p, {problem_.y0.data(), model.num_states()});
  for (const auto& [i, value] : plan_.initial_overrides) {
    problem_.y0[static_cast<Eigen::Index>(i)] = value;
  }
  for (const auto& a : inputs) {
    if (a.target == Assignment::Target::initial_state) {
      if (a.value < 0.0 && info.states.at(a.index).nonnegative) {
        throw ModelError(fmt::format("initial value of state '{}' = {} must be >= 0",
                                     info.states[a.index].name, a.value));
      }
      problem_.y0[static_cast<Eigen::Index>(a.index)] = a.value;
    }
  }
  if (protocol_changed) {
    std::vector<ProtocolStep> steps = plan_.protocol;
    for (const auto& a : inputs) {
      if (a.target == Assignment::Target::protocol_setting ||
          a.target == Assignment::Target::protocol_time) {
        assign_protocol(model, steps, a, plan_.problem.t0, plan_.problem.t_end);
      }
    }
    check_model_actions(model, steps, plan_.problem.t0, p);
    problem_.events = build_events(model, steps);
    events_changed_ = true;
  } else if (events_changed_) {
    problem_.events = plan_.problem.events;
    events_changed_ = false;
  }
}

SampleResult Simulator::run(std::size_t sample, std::size_t replicate,
                            std::span<const Assignment> inputs) {
  SampleResult result;
  run_into(sample, replicate, inputs, result);
  return result;
}

void Simulator::run_into(std::size_t sample, std::size_t replicate,
                         std::span<const Assignment> inputs, SampleResult& result) {
  random_ = RandomStream(seed_, sample, replicate, RandomPurpose::events);
  problem_.random = &random_;
  grid_.reset();
  metrics_.reset();
  // Every field is rewritten; the series and metrics keep their storage when their size is the
  // same as last time (Eigen and std::vector assignment reuse it).
  result.sample = sample;
  result.ok = true;
  result.message.clear();
  result.status.clear();
  result.stats = SolveStats{};
  result.distributions.clear();
  result.manufacturing_rows = 0;
  result.manufacturing_series.resize(0, 0);
  ObserverPair fan(grid_, metrics_);
  // Without metrics only the grid listens: two virtual calls fewer per step of a population run.
  Observer& observer = plan_.metrics.empty() ? static_cast<Observer&>(grid_) : fan;
  bool solving = false;
  try {
    prepare(inputs);
    solving = true;
    if (const AgentModel* agents = plan_.model->as_agent()) {
      // An agent-based model integrates itself; it reports to the same observers.
      solving = false;
      AgentRunResult r =
          agents->simulate(agent_run_input(problem_, seed_, sample, replicate), observer);
      result.stats = SolveStats{};
      result.stats.steps = r.steps;
      result.stats.events_fired = r.events_fired;
      result.stats.t_final = r.t_final;
      result.stats.stopped = r.stopped;
      result.distributions = std::move(r.distributions);
    } else {
      result.stats = solver_->solve(problem_, observer);
    }
    result.metrics = metrics_.results();
  } catch (const SolverError& e) {
    result.ok = false;
    result.message = e.what();
  } catch (const ModelError& e) {
    result.ok = false;
    result.message = e.what();
  }
  if (!result.ok) {
    // Counters up to the failure; none when the inputs were rejected before solving.
    if (solving) {
      result.stats = solver_->last_stats();
    } else {
      result.stats = SolveStats{};
      result.stats.t_final = plan_.problem.t0;  // rejected before it started
    }
    result.metrics.assign(plan_.metrics.size(), std::numeric_limits<double>::quiet_NaN());
  }
  result.rows = grid_.rows();
  result.series = grid_.values().topRows(static_cast<Eigen::Index>(grid_.rows()));
}

std::unique_ptr<SampleRunner> make_sample_runner(const RunPlan& plan, std::uint64_t seed) {
  if (plan.chain) {
    return std::make_unique<ChainSimulator>(plan, seed);
  }
  return std::make_unique<Simulator>(plan, seed);
}

ChainSimulator::ChainSimulator(const RunPlan& plan, std::uint64_t seed)
    : plan_(plan),
      chain_(*plan.chain),
      manufacturing_(plan.chain->manufacturing, seed),
      patient_(plan.chain->patient, seed) {}

namespace {
// Positions of the product columns in a chain's metrics (product_columns() order).
enum ProductColumn : std::size_t {
  col_car_cells,
  col_viability,
  col_vcn,
  col_memory_fraction,
  col_release_pass,
  col_release_failures,
  col_weight,
  col_dose_cells,
  col_dose_per_kg,
  col_infused,
  num_columns
};

/// Writes a sampled product rule into `rules`, with the parser's checks of a written value;
/// returns why the value is rejected, or "" when it is accepted.
std::string assign_product(ProductRules& rules, const Assignment& a) {
  const double v = a.value;
  switch (a.index) {
    case ProductRules::dose_value_input: {
      const bool per_kg = rules.dose == ProductRules::Dose::per_kg;
      if (!(v > 0.0)) {
        return fmt::format("sampled product.dose.{} = {} must be > 0 ({})",
                           per_kg ? "cells_per_kg" : "cells", v,
                           per_kg ? "CAR+ cells/kg" : "CAR+ cells");
      }
      rules.dose_value = v;
      return "";
    }
    case ProductRules::cap_cells_input:
      if (!(v > 0.0)) {
        return fmt::format("sampled product.cap_cells = {} must be > 0 (CAR+ cells)", v);
      }
      rules.cap_cells = v;
      return "";
    case ProductRules::recovery_input:
      if (!(v > 0.0 && v <= 1.0)) {
        return fmt::format(
            "sampled product.recovery = {} must be in (0, 1] (share of the "
            "harvest's CAR+ cells left to dose)",
            v);
      }
      rules.recovery = v;
      return "";
    default:
      throw Error(fmt::format("unknown product input {}", a.index));
  }
}

void add_stats(SolveStats& into, const SolveStats& more) {
  into.steps += more.steps;
  into.rhs_evaluations += more.rhs_evaluations;
  into.jacobian_evaluations += more.jacobian_evaluations;
  into.events_fired += more.events_fired;
  into.t_final = more.t_final;
  into.stopped = more.stopped;
}
}  // namespace

SampleResult ChainSimulator::run(std::size_t sample, std::size_t replicate,
                                 std::span<const Assignment> inputs) {
  using models::CartPatient;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  manufacturing_inputs_.clear();
  patient_inputs_.clear();
  double weight = chain_.patient.problem.p[static_cast<Eigen::Index>(chain_.body_weight)];
  ProductRules rules = chain_.product;
  std::string rejected;  // a sampled product rule outside its range
  for (const auto& a : inputs) {
    if (a.stage == Assignment::Stage::product) {
      if (rejected.empty()) {
        rejected = assign_product(rules, a);
      }
    } else if (a.stage == Assignment::Stage::manufacturing) {
      manufacturing_inputs_.push_back(a);
    } else {
      patient_inputs_.push_back(a);
      if (a.target == Assignment::Target::parameter && a.index == chain_.body_weight) {
        weight = a.value;
      }
    }
  }
  // The release check's CAR+ cells per kg is for this patient.
  if (chain_.manufacturing_weight) {
    manufacturing_inputs_.push_back(Assignment{Assignment::Target::parameter,
                                               *chain_.manufacturing_weight, 0, weight,
                                               Assignment::Stage::manufacturing});
  }

  SampleResult result;
  result.sample = sample;
  result.metrics.assign(plan_.metrics.size(), nan);
  auto& out = result.metrics;
  out[col_weight] = weight;
  if (!rejected.empty()) {
    // Rejected before anything ran, as a half's sampled input out of range would be.
    result.ok = false;
    result.message = "product: " + rejected;
    result.stats.t_final = chain_.manufacturing.problem.t0;
    return result;
  }
  SampleResult made = manufacturing_.run(sample, replicate, manufacturing_inputs_);
  std::copy_n(made.metrics.begin(), chain_.manufacturing_metrics, out.begin() + num_columns);
  result.stats = made.stats;
  result.manufacturing_rows = made.rows;
  result.manufacturing_series = std::move(made.series);
  result.distributions = std::move(made.distributions);
  if (!made.ok) {
    result.ok = false;
    result.message = "manufacturing: " + made.message;
    return result;
  }

  // The product, read at harvest.
  const double* read = made.metrics.data() + chain_.manufacturing_metrics;
  const double car_cells = read[0];
  const double vcn = read[2];
  const bool released = read[3] == 1.0;
  double memory = 0.0;
  for (std::size_t k = 0; k < chain_.product.memory_like.size(); ++k) {
    memory += read[product_readouts().size() + k];
  }
  memory = std::clamp(memory, 0.0, 1.0);
  out[col_car_cells] = car_cells;
  out[col_viability] = read[1];
  out[col_vcn] = vcn;
  out[col_memory_fraction] = memory;
  out[col_release_pass] = read[3];
  out[col_release_failures] = read[4];

  // The dose: from the product, the patient's weight and the rules.
  const double available = std::min(car_cells * rules.recovery, rules.cap_cells);
  double cells_per_kg = 0.0;  // the infuse step's settings
  double cells = 0.0;
  double weight_band = 0.0;
  std::string refusal;
  switch (rules.dose) {
    case ProductRules::Dose::label:
      weight_band = 1.0;
      if (weight <= CartPatient::band_weight_kg) {
        cells_per_kg = std::min(available / weight, CartPatient::band_max_per_kg);
        if (!(cells_per_kg >= CartPatient::band_min_per_kg)) {
          refusal = fmt::format(
              "{:.4g} CAR+ cells available give {:.4g} cells/kg, below the "
              "label's {:g} cells/kg for a {:g}-kg patient",
              available, cells_per_kg, CartPatient::band_min_per_kg, weight);
        }
      } else {
        cells = std::min(available, CartPatient::band_max_total);
        if (!(cells >= CartPatient::band_min_total)) {
          refusal = fmt::format(
              "{:.4g} CAR+ cells available, below the label's {:g} cells for "
              "a {:g}-kg patient",
              available, CartPatient::band_min_total, weight);
        }
      }
      break;
    case ProductRules::Dose::whole_product:
      cells = available;
      break;
    case ProductRules::Dose::per_kg:
      cells = std::min(available, rules.dose_value * weight);
      break;
    case ProductRules::Dose::flat:
      cells = std::min(available, rules.dose_value);
      break;
  }
  const double dose = cells_per_kg > 0.0 ? cells_per_kg * weight : cells;
  if (refusal.empty() && !(dose > 0.0)) {
    refusal = "the product has no CAR+ cells to give";
  }
  if (!released && !rules.infuse_failed_release) {
    refusal = fmt::format("the product failed release (release_failures {:g})", read[4]);
  }
  if (!refusal.empty()) {
    out[col_dose_cells] = 0.0;
    out[col_dose_per_kg] = 0.0;
    out[col_infused] = 0.0;
    result.status = "not_infused";
    result.message = "not infused: " + refusal;
    return result;
  }
  out[col_dose_cells] = dose;
  out[col_dose_per_kg] = dose / weight;
  out[col_infused] = 1.0;

  for (const std::size_t step : chain_.infuse_steps) {
    auto set = [&](std::size_t setting, double value) {
      patient_inputs_.push_back(Assignment{Assignment::Target::protocol_setting, step, setting,
                                           value, Assignment::Stage::patient});
    };
    set(chain_.infuse_cells_per_kg, cells_per_kg);
    set(chain_.infuse_cells, cells_per_kg > 0.0 ? 0.0 : cells);
    set(chain_.infuse_weight_band, weight_band);
    set(chain_.infuse_memory_fraction, memory);
    set(chain_.infuse_vcn, vcn);
  }
  SampleResult treated = patient_.run(sample, replicate, patient_inputs_);
  std::copy_n(treated.metrics.begin(), chain_.patient_metrics,
              out.begin() + num_columns + chain_.manufacturing_metrics);
  add_stats(result.stats, treated.stats);
  result.rows = treated.rows;
  result.series = std::move(treated.series);
  if (!treated.ok) {
    result.ok = false;
    result.message = "patient: " + treated.message;
  }
  return result;
}

}  // namespace cartsim
