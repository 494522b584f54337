#include "cartsim/models/registry.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/text.hpp"
#include "cartsim/models/cart_patient.hpp"
#include "cartsim/models/hanson2016.hpp"
#include "cartsim/models/ishigami.hpp"
#include "cartsim/models/kimmel2021.hpp"
#include "cartsim/models/leon_triana2021.hpp"
#include "cartsim/models/logistic.hpp"
#include "cartsim/models/prodigy_abm.hpp"
#include "cartsim/models/prodigy_tct.hpp"
#include "cartsim/models/stein2019.hpp"

namespace cartsim {
namespace {
// Models are immutable values, so one shared instance of each serves every run and thread.
const std::map<std::string, std::shared_ptr<const Model>, std::less<>>& registry() {
  static const std::map<std::string, std::shared_ptr<const Model>, std::less<>> models = [] {
    std::map<std::string, std::shared_ptr<const Model>, std::less<>> m;
    const std::shared_ptr<const Model> all[] = {
        std::make_shared<models::Logistic>(),    std::make_shared<models::Stein2019>(),
        std::make_shared<models::ProdigyTct>(),  std::make_shared<models::ProdigyAbm>(),
        std::make_shared<models::Kimmel2021>(),  std::make_shared<models::LeonTriana2021>(),
        std::make_shared<models::Hanson2016>(),  std::make_shared<models::Ishigami>(),
        std::make_shared<models::CartPatient>(),
    };
    for (const auto& model : all) {
      m.emplace(model->info().name, model);
    }
    return m;
  }();
  return models;
}
}  // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) {
    names.push_back(entry.first);
  }
  return names;
}

std::shared_ptr<const Model> find_model(std::string_view name) {
  const auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second;
}

std::shared_ptr<const Model> get_model(std::string_view name) {
  if (auto model = find_model(name)) {
    return model;
  }
  throw ModelError(unknown_name_message("model", name, model_names(), "known models"));
}

}  // namespace cartsim
