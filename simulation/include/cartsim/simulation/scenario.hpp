#pragma once
// Scenario schema v1 as typed structs. The YAML is parsed in one place (scenario_parser.cpp) into
// these; nothing else in cartsim reads YAML. Time is in days; every value is in the unit of the
// state or parameter it refers to (`cartsim describe MODEL` lists them). The schema is documented
// key by key in docs/scenario_reference.md.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/events.hpp"
#include "cartsim/core/metrics.hpp"
#include "cartsim/simulation/sweep_spec.hpp"
#include "cartsim/solvers/solver.hpp"

namespace cartsim {

/// `parameters:` entry: a model parameter set to a value.
struct ParameterOverride {
  std::string name;
  double value = 0.0;
  InputLocation where;
};

/// `initial_state:` entry: a state's initial value (replaces the model's default).
struct InitialValue {
  std::string name;
  double value = 0.0;
  InputLocation where;
};

enum class ActionKind { dose, dilute, set, stop, model };

/// What a protocol step does.
struct Action {
  ActionKind kind = ActionKind::stop;
  std::string target;                ///< dose: a state; set: a state or a parameter
  std::vector<std::string> targets;  ///< dilute: states to dilute (empty: all states)
  double amount = 0.0;               ///< dose: added to the state, in its unit
  double factor = 1.0;               ///< dilute: dilution factor >= 1 (states divided by it)
  double value = 0.0;                ///< set: the new value
  std::size_t model_action = 0;      ///< model: index into ModelInfo::actions
  std::vector<double> settings;      ///< model: in ActionInfo::settings order, defaults filled in
};

/// When a protocol step fires.
struct Trigger {
  enum class Kind { at, when };
  Kind kind = Kind::at;
  std::vector<double> times;  ///< at: one or more times (days), ascending
  std::string variable;       ///< when: a state or observable
  double threshold = 0.0;     ///< when: crossing level, in the variable's unit
  Crossing direction = Crossing::either;
  bool repeat = false;  ///< when: fire on every crossing (default: once)
};

struct ProtocolStep {
  std::string label;  ///< e.g. "protocol[2] dose" (used in logs and the events file)
  Trigger trigger;
  Action action;
  InputLocation where;
};

struct SolverSettings {
  std::string name = "cvode_bdf";
  SolverOptions options;
};

struct OutputSettings {
  std::vector<double> times;           ///< days, strictly ascending
  std::vector<std::string> variables;  ///< states/observables written; empty = all
  std::vector<MetricSpec> metrics;     ///< resolved against the model (defaults or custom)
  enum class Series { all, none, subset };
  Series timeseries = Series::all;              ///< which samples' time series are written
  std::vector<std::size_t> timeseries_samples;  ///< Series::subset: sample indices, ascending
  bool bands =
      false;  ///< percentile bands (5/25/50/75/95) per variable and time; default: on for sweeps
};

struct ChainSpec;

struct Scenario {
  std::string file;  ///< path as given (for messages and provenance)
  std::string text;  ///< the file's full text (its SHA-256 goes into run.json)
  int schema_version = 1;
  std::string name;  ///< defaults to the file's stem
  std::string description;
  std::string model;
  std::shared_ptr<const Model> bound_model;  ///< the model `model` named when parsed
  std::vector<ParameterOverride> parameters;
  std::vector<InitialValue> initial_state;
  std::vector<ProtocolStep> protocol;
  double t_start = 0.0;       ///< days; default: first output time
  double t_end = 0.0;         ///< days; default: last output time
  InputLocation start_where;  ///< time.start, or outputs.times when the start is the first output
  SolverSettings solver;
  OutputSettings outputs;
  std::uint64_t seed = 0;
  SweepSpec sweep;  ///< a single sample unless the scenario has a `sweep:` section
  std::optional<SensitivitySpec> sensitivity;  ///< `sensitivity:` section (cartsim sensitivity)
  /// A vein-to-vein chain (`manufacturing:`, `patient:`, `product:`), else null. In a chain the
  /// fields above describe the whole: `model` is "MANUFACTURING -> PATIENT", `bound_model`, the
  /// time span, solver and output grid are the patient's, and `outputs.metrics` are the summary
  /// columns (product.*, manufacturing.*, patient.*).
  std::shared_ptr<const ChainSpec> chain;
};

/// `product:` of a chain: how the harvest becomes the dose (docs/scenario_reference.md).
struct ProductRules {
  enum class Dose { label, whole_product, per_kg, flat };
  /// The rules a sweep may vary (Assignment::Stage::product, Assignment::index): paths
  /// product.dose.cells_per_kg or product.dose.cells (dose_value, by the dose form),
  /// product.cap_cells, product.recovery.
  enum Input : std::size_t { dose_value_input, cap_cells_input, recovery_input };
  Dose dose = Dose::label;
  double dose_value = 0.0;  ///< per_kg: CAR+ cells/kg; flat: CAR+ cells
  double cap_cells = std::numeric_limits<double>::infinity();  ///< at most this many CAR+ cells
  double recovery = 1.0;  ///< share of the harvest's CAR+ cells left to dose (formulation, cryo)
  bool infuse_failed_release = false;  ///< infuse a product that fails release
  /// Manufacturing observables (fractions of T cells) summed into the patient's memory_fraction.
  std::vector<std::string> memory_like = {"naive_scm_fraction", "cm_fraction"};
};

/// A manufacturing run chained into a patient run: per sample, the harvest becomes the product,
/// the product and the patient's weight give the dose, and the patient's infuse steps receive it.
struct ChainSpec {
  Scenario manufacturing;  ///< single-model scenario of the manufacturing half
  Scenario patient;        ///< single-model scenario of the patient half
  ProductRules product;
  std::vector<std::size_t> infuse_steps;  ///< patient protocol steps that give the product
};

/// Finds a model by name (nullptr when unknown) and lists the known names, for the parser.
struct ModelCatalog {
  std::function<std::shared_ptr<const Model>(std::string_view)> find;
  std::function<std::vector<std::string>()> names;
};
/// The registry of shipped models (models/registry.hpp).
ModelCatalog shipped_models();

/// Read and validate a scenario file. Throws ConfigError naming file:line:column and YAML path.
Scenario load_scenario(const std::filesystem::path& file);
/// Same, from text already in memory; `file_label` is used in messages.
Scenario parse_scenario(const std::string& text, const std::string& file_label);
/// Same, resolving the model in `catalog` (tests, programs embedding cartsim with own models).
Scenario parse_scenario(const std::string& text, const std::string& file_label,
                        const ModelCatalog& catalog);

}  // namespace cartsim
