#include "cartsim/simulation/input_paths.hpp"

#include <fmt/format.h>

#include <tuple>

namespace cartsim {
namespace {

/// Setting names of a step's action, in Assignment::setting order.
std::vector<std::string> setting_names(const ModelInfo& info, const Action& action) {
  switch (action.kind) {
    case ActionKind::dose:
      return {"amount"};
    case ActionKind::dilute:
      return {"factor"};
    case ActionKind::set:
      return {"value"};
    case ActionKind::model: {
      std::vector<std::string> names;
      for (const auto& s : info.actions.at(action.model_action).settings) {
        names.push_back(s.name);
      }
      return names;
    }
    case ActionKind::stop:
      return {};
  }
  return {};
}

std::string action_name(const ModelInfo& info, const Action& action) {
  switch (action.kind) {
    case ActionKind::dose:
      return "dose";
    case ActionKind::dilute:
      return "dilute";
    case ActionKind::set:
      return "set";
    case ActionKind::stop:
      return "stop";
    case ActionKind::model:
      return info.actions.at(action.model_action).name;
  }
  return "";
}

/// Chain inputs the chain itself writes (the product into the infuse steps, the patient's weight
/// into the manufacturing release check), so a sweep cannot address them.
bool written_by_chain(const ChainSpec& chain, Assignment::Stage stage, const std::string& path) {
  if (stage == Assignment::Stage::manufacturing) {
    return path == "parameters.patient_weight_kg";
  }
  for (const std::size_t step : chain.infuse_steps) {
    for (const char* setting : {"cells_per_kg", "cells", "memory_fraction", "vcn", "weight_band"}) {
      if (path == fmt::format("protocol[{}].infuse.{}", step, setting)) {
        return true;
      }
    }
  }
  return false;
}

/// The product rules a chain's sweep may vary, by path: the dose's value only in the form the
/// scenario gives it (a label or whole-product dose has none).
std::vector<std::pair<std::string, ProductRules::Input>> product_paths(const ProductRules& rules) {
  std::vector<std::pair<std::string, ProductRules::Input>> paths;
  if (rules.dose == ProductRules::Dose::per_kg) {
    paths.emplace_back("product.dose.cells_per_kg", ProductRules::dose_value_input);
  } else if (rules.dose == ProductRules::Dose::flat) {
    paths.emplace_back("product.dose.cells", ProductRules::dose_value_input);
  }
  paths.emplace_back("product.cap_cells", ProductRules::cap_cells_input);
  paths.emplace_back("product.recovery", ProductRules::recovery_input);
  return paths;
}

std::string_view dose_form(ProductRules::Dose dose) {
  switch (dose) {
    case ProductRules::Dose::label:
      return "label";
    case ProductRules::Dose::whole_product:
      return "whole_product";
    case ProductRules::Dose::per_kg:
      return "{cells_per_kg: X}";
    case ProductRules::Dose::flat:
      return "{cells: X}";
  }
  return "";
}

}  // namespace

std::vector<std::string> input_paths(const Scenario& scenario) {
  if (scenario.chain) {
    std::vector<std::string> paths;
    for (const auto stage : {Assignment::Stage::manufacturing, Assignment::Stage::patient}) {
      const bool made = stage == Assignment::Stage::manufacturing;
      for (const auto& path :
           input_paths(made ? scenario.chain->manufacturing : scenario.chain->patient)) {
        if (!written_by_chain(*scenario.chain, stage, path)) {
          paths.push_back((made ? "manufacturing." : "patient.") + path);
        }
      }
    }
    for (const auto& [path, input] : product_paths(scenario.chain->product)) {
      paths.push_back(path);
    }
    return paths;
  }
  const ModelInfo& info = scenario.bound_model->info();
  std::vector<std::string> paths;
  for (const auto& p : info.parameters) {
    if (!p.internal) {
      paths.push_back("parameters." + p.name);
    }
  }
  for (const auto& s : info.states) {
    paths.push_back("initial_state." + s.name);
  }
  for (std::size_t i = 0; i < scenario.protocol.size(); ++i) {
    const ProtocolStep& step = scenario.protocol[i];
    if (step.trigger.kind == Trigger::Kind::at && step.trigger.times.size() == 1) {
      paths.push_back(fmt::format("protocol[{}].at", i));
    }
    const std::string action = action_name(info, step.action);
    for (const auto& setting : setting_names(info, step.action)) {
      paths.push_back(fmt::format("protocol[{}].{}.{}", i, action, setting));
    }
  }
  return paths;
}

std::optional<Assignment> resolve_input_path(const Scenario& scenario, std::string_view path) {
  if (scenario.chain) {
    for (const auto stage : {Assignment::Stage::manufacturing, Assignment::Stage::patient}) {
      const bool made = stage == Assignment::Stage::manufacturing;
      const std::string_view prefix = made ? "manufacturing." : "patient.";
      if (path.substr(0, prefix.size()) != prefix) {
        continue;
      }
      const std::string rest(path.substr(prefix.size()));
      if (written_by_chain(*scenario.chain, stage, rest)) {
        return std::nullopt;
      }
      auto a =
          resolve_input_path(made ? scenario.chain->manufacturing : scenario.chain->patient, rest);
      if (a) {
        a->stage = stage;
      }
      return a;
    }
    for (const auto& [name, input] : product_paths(scenario.chain->product)) {
      if (path == name) {
        return Assignment{Assignment::Target::parameter, input, 0, 0.0, Assignment::Stage::product};
      }
    }
    return std::nullopt;
  }
  const ModelInfo& info = scenario.bound_model->info();
  auto starts = [&](std::string_view prefix) { return path.substr(0, prefix.size()) == prefix; };
  if (starts("parameters.")) {
    const auto i = info.find_parameter(path.substr(11));
    if (i && !info.parameters[*i].internal) {
      return Assignment{Assignment::Target::parameter, *i, 0, 0.0};
    }
    return std::nullopt;
  }
  if (starts("initial_state.")) {
    if (const auto i = info.find_state(path.substr(14))) {
      return Assignment{Assignment::Target::initial_state, *i, 0, 0.0};
    }
    return std::nullopt;
  }
  for (std::size_t i = 0; i < scenario.protocol.size(); ++i) {
    const std::string prefix = fmt::format("protocol[{}].", i);
    if (!starts(prefix)) {
      continue;
    }
    const ProtocolStep& step = scenario.protocol[i];
    const std::string_view rest = path.substr(prefix.size());
    if (rest == "at" && step.trigger.kind == Trigger::Kind::at && step.trigger.times.size() == 1) {
      return Assignment{Assignment::Target::protocol_time, i, 0, 0.0};
    }
    const std::string action = action_name(info, step.action) + ".";
    if (rest.substr(0, action.size()) != action) {
      return std::nullopt;
    }
    const auto names = setting_names(info, step.action);
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (rest.substr(action.size()) == names[k]) {
        return Assignment{Assignment::Target::protocol_setting, i, k, 0.0};
      }
    }
  }
  return std::nullopt;
}

std::string input_path_note(const Scenario& scenario, std::string_view path) {
  if (!scenario.chain) {
    return "";
  }
  const ProductRules& rules = scenario.chain->product;
  for (const auto& [form, dose, written] :
       {std::tuple{"product.dose.cells_per_kg", ProductRules::Dose::per_kg, "{cells_per_kg: X}"},
        std::tuple{"product.dose.cells", ProductRules::Dose::flat, "{cells: X}"}}) {
    if (path == form && rules.dose != dose) {
      return fmt::format("{} is an input only when product.dose is {}; this chain's dose is {}",
                         form, written, dose_form(rules.dose));
    }
  }
  for (const auto stage : {Assignment::Stage::manufacturing, Assignment::Stage::patient}) {
    const std::string_view prefix =
        stage == Assignment::Stage::manufacturing ? "manufacturing." : "patient.";
    if (path.substr(0, prefix.size()) == prefix &&
        written_by_chain(*scenario.chain, stage, std::string(path.substr(prefix.size())))) {
      return fmt::format(
          "the chain writes {} itself, from the product and the patient's weight; "
          "vary product.* or patient.parameters.body_weight_kg instead",
          path);
    }
  }
  return "";
}

double base_value(const RunPlan& plan, const Assignment& target) {
  if (plan.chain && target.stage == Assignment::Stage::product) {
    const ProductRules& rules = plan.chain->product;
    switch (target.index) {
      case ProductRules::dose_value_input:
        return rules.dose_value;
      case ProductRules::cap_cells_input:
        return rules.cap_cells;
      default:
        return rules.recovery;
    }
  }
  if (plan.chain && target.stage != Assignment::Stage::model) {
    Assignment inner = target;
    inner.stage = Assignment::Stage::model;
    return base_value(target.stage == Assignment::Stage::manufacturing ? plan.chain->manufacturing
                                                                       : plan.chain->patient,
                      inner);
  }
  switch (target.target) {
    case Assignment::Target::parameter:
      return plan.problem.p[static_cast<Eigen::Index>(target.index)];
    case Assignment::Target::initial_state:
      return plan.problem.y0[static_cast<Eigen::Index>(target.index)];
    case Assignment::Target::protocol_time:
      return plan.protocol.at(target.index).trigger.times.at(0);
    case Assignment::Target::protocol_setting: {
      const Action& a = plan.protocol.at(target.index).action;
      switch (a.kind) {
        case ActionKind::dose:
          return a.amount;
        case ActionKind::dilute:
          return a.factor;
        case ActionKind::set:
          return a.value;
        case ActionKind::model:
          return a.settings.at(target.setting);
        case ActionKind::stop:
          break;
      }
      break;
    }
  }
  return 0.0;
}

}  // namespace cartsim
