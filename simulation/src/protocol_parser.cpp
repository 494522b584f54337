// The `protocol:` section of a scenario: timed (`at`) and state-triggered (`when`) steps, each with
// one action: the generic dose / dilute / set / stop, or an action the model declares
// (ModelInfo::actions) with its typed settings.
#include "protocol_parser.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cartsim/core/text.hpp"
#include "parse_values.hpp"

namespace cartsim::parse {
namespace {

/// Every action a step of this model may take: the generic four, then the model's own.
std::vector<std::string> action_names(const ModelInfo& info) {
  std::vector<std::string> names{"dose", "dilute", "set", "stop"};
  for (const auto& action : info.actions) {
    names.push_back(action.name);
  }
  return names;
}

Trigger parse_at(const YamlNode& node, double t_start, double t_end) {
  Trigger trigger;
  trigger.kind = Trigger::Kind::at;
  if (node.is_list()) {
    const auto items = node.items();
    if (items.empty()) {
      node.fail("the list of times is empty; give at least one time (days)");
    }
    for (const auto& item : items) {
      const double t = time_in_run(item, t_start, t_end);
      if (std::find(trigger.times.begin(), trigger.times.end(), t) != trigger.times.end()) {
        item.fail(fmt::format("time {} is listed twice", t));
      }
      trigger.times.push_back(t);
    }
    std::sort(trigger.times.begin(), trigger.times.end());
  } else {
    trigger.times.push_back(time_in_run(node, t_start, t_end));
  }
  return trigger;
}

Crossing parse_direction(const YamlNode& node) {
  const std::string text = node.string();
  if (text == "rising") {
    return Crossing::rising;
  }
  if (text == "falling") {
    return Crossing::falling;
  }
  if (text == "either") {
    return Crossing::either;
  }
  node.fail(unknown_name_message("direction", text, {"rising", "falling", "either"}, "directions"));
}

Trigger parse_when(const YamlNode& node, const ModelInfo& info) {
  node.check_keys({"variable", "crosses", "direction", "repeat"});
  Trigger trigger;
  trigger.kind = Trigger::Kind::when;
  trigger.variable = variable_name(node.required("variable"), info);
  trigger.threshold = node.required("crosses").number();
  if (const auto direction = node.find("direction")) {
    trigger.direction = parse_direction(*direction);
  }
  if (const auto repeat = node.find("repeat")) {
    trigger.repeat = repeat->boolean();
  }
  return trigger;
}

Action parse_dose(const YamlNode& node, const ModelInfo& info) {
  node.check_keys({"target", "amount"});
  Action action;
  action.kind = ActionKind::dose;
  const std::size_t state = state_index(node.required("target"), info, "dose target");
  action.target = info.states[state].name;
  const YamlNode amount = node.required("amount");
  action.amount = amount.number();
  if (action.amount < 0.0) {
    amount.fail(fmt::format("dose amount = {} must be >= 0{}", action.amount,
                            unit_note(info.states[state].unit)));
  }
  return action;
}

Action parse_dilute(const YamlNode& node, const ModelInfo& info) {
  node.check_keys({"factor", "targets"});
  Action action;
  action.kind = ActionKind::dilute;
  const YamlNode factor = node.required("factor");
  action.factor = factor.number();
  if (action.factor < 1.0) {
    factor.fail(fmt::format("dilution factor = {} must be >= 1 (the states are divided by it)",
                            action.factor));
  }
  if (const auto targets = node.find("targets")) {
    const auto items = targets->items();
    if (items.empty()) {
      targets->fail("the list of targets is empty; leave 'targets' out to dilute every state");
    }
    for (const auto& item : items) {
      const std::string& name = info.states[state_index(item, info, "dilute target")].name;
      if (std::find(action.targets.begin(), action.targets.end(), name) != action.targets.end()) {
        item.fail(fmt::format("state '{}' is listed twice", name));
      }
      action.targets.push_back(name);
    }
  }
  return action;
}

Action parse_set(const YamlNode& node, const ModelInfo& info) {
  node.check_keys({"target", "value"});
  Action action;
  action.kind = ActionKind::set;
  const YamlNode target = node.required("target");
  action.target = target.string();
  const YamlNode value = node.required("value");
  if (const auto state = info.find_state(action.target)) {
    action.value = state_value(value, info.states[*state], "set value");
  } else if (const auto parameter = info.find_parameter(action.target)) {
    action.value = parameter_value(target, value, info.parameters[*parameter], info);
  } else {
    std::vector<std::string> targets = state_names(info);
    for (auto& name : settable_parameter_names(info)) {
      targets.push_back(std::move(name));
    }
    target.fail(
        unknown_name_message("set target", action.target, targets,
                             fmt::format("states and parameters of model '{}'", info.name)));
  }
  return action;
}

/// `stop: {}`, `stop: true` or a bare `stop:`.
Action parse_stop(const YamlNode& node) {
  if (node.is_map()) {
    node.check_keys({});
  } else if (!node.is_null() && !node.boolean()) {
    node.fail("'stop: false' does nothing; remove the step, or write 'stop: true'");
  }
  Action action;
  action.kind = ActionKind::stop;
  return action;
}

/// `NAME: {setting: value, ...}` for an action the model declares; defaults fill the rest.
Action parse_model_action(const YamlEntry& entry, std::size_t index, const ModelInfo& info) {
  const ActionInfo& declared = info.actions[index];
  std::vector<std::string> names;
  for (const auto& setting : declared.settings) {
    names.push_back(setting.name);
  }
  Action action;
  action.kind = ActionKind::model;
  action.model_action = index;
  if (!entry.value.is_null()) {  // a bare `NAME:` takes every default
    entry.value.expect_map();
    entry.value.check_keys(names);
  }
  for (const auto& setting : declared.settings) {
    const auto node = entry.value.is_map() ? entry.value.find(setting.name) : std::nullopt;
    if (node) {
      action.settings.push_back(setting_value(*node, declared, setting));
    } else if (setting.default_value) {
      action.settings.push_back(*setting.default_value);
    } else {
      const YamlNode& at = entry.value.is_map() ? entry.value : entry.key;
      at.fail(fmt::format("{} needs '{}'{} ({}); settings of {}: {}", declared.name, setting.name,
                          unit_note(setting.unit), setting.description, declared.name,
                          join(names)));
    }
  }
  return action;
}

Action parse_action(const YamlEntry& entry, const ModelInfo& info) {
  if (const auto index = info.find_action(entry.name)) {
    return parse_model_action(entry, *index, info);
  }
  if (entry.name == "dose") {
    return parse_dose(entry.value, info);
  }
  if (entry.name == "dilute") {
    return parse_dilute(entry.value, info);
  }
  if (entry.name == "set") {
    return parse_set(entry.value, info);
  }
  return parse_stop(entry.value);
}

ProtocolStep parse_step(const YamlNode& node, std::size_t index, const ModelInfo& info,
                        double t_start, double t_end) {
  std::vector<std::string> keys{"at", "when"};
  const std::vector<std::string> actions = action_names(info);
  keys.insert(keys.end(), actions.begin(), actions.end());
  keys.emplace_back("label");
  node.check_keys(keys);
  std::optional<YamlEntry> trigger;
  std::optional<YamlEntry> action;
  for (const auto& entry : node.entries()) {
    if (entry.name == "label") {
      continue;
    }
    const bool is_trigger = entry.name == "at" || entry.name == "when";
    std::optional<YamlEntry>& slot = is_trigger ? trigger : action;
    if (slot) {
      entry.key.fail(fmt::format(
          "a step takes exactly one {}, got '{}' and '{}'; split them into separate steps",
          is_trigger ? "trigger" : "action", slot->name, entry.name));
    }
    slot = entry;
  }
  if (!trigger) {
    node.fail("the step has no trigger; give 'at: TIME' or 'when: {variable, crosses}'");
  }
  if (!action) {
    node.fail("the step has no action; give one of " + join(actions));
  }

  ProtocolStep step;
  step.where = node.location();
  step.trigger = trigger->name == "at" ? parse_at(trigger->value, t_start, t_end)
                                       : parse_when(trigger->value, info);
  step.action = parse_action(*action, info);
  if (const auto label = node.find("label")) {
    step.label = non_empty_string(*label, "a step label");
  } else {
    step.label = fmt::format("protocol[{}] {}", index, action->name);
  }
  return step;
}

}  // namespace

std::vector<ProtocolStep> parse_protocol(const YamlNode& node, const ModelInfo& info,
                                         double t_start, double t_end) {
  std::vector<ProtocolStep> steps;
  const auto items = node.items();
  for (std::size_t i = 0; i < items.size(); ++i) {
    steps.push_back(parse_step(items[i], i, info, t_start, t_end));
  }
  return steps;
}

}  // namespace cartsim::parse
