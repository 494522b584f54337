#include "cartsim/core/model.hpp"

#include <algorithm>

#include "cartsim/core/errors.hpp"

namespace cartsim {
namespace {
template <class Items>
std::optional<std::size_t> find_by_name(const Items& items, std::string_view name) {
  const auto it =
      std::find_if(items.begin(), items.end(), [&](const auto& item) { return item.name == name; });
  if (it == items.end()) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(it - items.begin());
}
}  // namespace

std::optional<std::size_t> ModelInfo::find_state(std::string_view n) const {
  return find_by_name(states, n);
}
std::optional<std::size_t> ModelInfo::find_parameter(std::string_view n) const {
  return find_by_name(parameters, n);
}
std::optional<std::size_t> ModelInfo::find_observable(std::string_view n) const {
  return find_by_name(observables, n);
}
std::optional<std::size_t> ModelInfo::find_action(std::string_view n) const {
  return find_by_name(actions, n);
}
const MetricSpec* ModelInfo::find_metric(std::string_view n) const {
  const auto i = find_by_name(metrics, n);
  return i ? &metrics[*i] : nullptr;
}

std::vector<std::string> ModelInfo::variable_names() const {
  std::vector<std::string> names;
  names.reserve(states.size() + observables.size());
  for (const auto& s : states) {
    names.push_back(s.name);
  }
  for (const auto& o : observables) {
    names.push_back(o.name);
  }
  return names;
}

Eigen::VectorXd ModelInfo::default_parameters() const {
  Eigen::VectorXd p(static_cast<Eigen::Index>(parameters.size()));
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    p[static_cast<Eigen::Index>(i)] = parameters[i].default_value;
  }
  return p;
}

void OdeModel::jacobian(double, std::span<const double>, std::span<const double>,
                        Eigen::Ref<Eigen::MatrixXd>) const {
  throw ModelError("model '" + info().name + "' has no analytic Jacobian");
}

void Model::observables(double, std::span<const double>, std::span<const double>,
                        std::span<double>) const {}

void Model::check_run(double, std::span<const double>) const {}

void OdeModel::model_events(double, std::span<const double>, EventSet&) const {}

void OdeModel::derive_parameters(std::span<double>) const {}

void Model::apply_action(std::size_t action, std::span<const double>, EventContext&) const {
  throw ModelError("model '" + info().name + "' has no action #" + std::to_string(action));
}

void Model::check_protocol(double, std::span<const double>, std::span<const PlannedAction>) const {}

double Model::value(const VariableRef& v, double t, std::span<const double> y,
                    std::span<const double> p, std::span<double> scratch) const {
  if (v.kind == VariableRef::Kind::state) {
    return y[v.index];
  }
  observables(t, y, p, scratch);
  return scratch[v.index];
}

std::optional<VariableRef> Model::resolve(std::string_view name) const {
  if (const auto i = info().find_state(name)) {
    return VariableRef{VariableRef::Kind::state, *i};
  }
  if (const auto i = info().find_observable(name)) {
    return VariableRef{VariableRef::Kind::observable, *i};
  }
  return std::nullopt;
}

const std::string& Model::name_of(const VariableRef& v) const {
  return v.kind == VariableRef::Kind::state ? info().states[v.index].name
                                            : info().observables[v.index].name;
}

const std::string& Model::unit_of(const VariableRef& v) const {
  return v.kind == VariableRef::Kind::state ? info().states[v.index].unit
                                            : info().observables[v.index].unit;
}

}  // namespace cartsim
