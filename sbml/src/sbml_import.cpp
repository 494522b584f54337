// SBML (libSBML) -> equations::ModelSpec. How each SBML element maps is documented in
// docs/user_guide.md ("Write your own model: SBML").
#include <fmt/format.h>
#include <sbml/SBMLTypes.h>
#include <sbml/extension/SBasePlugin.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "annotation.hpp"
#include "cartsim/core/errors.hpp"
#include "cartsim/core/expression.hpp"
#include "cartsim/sbml/sbml.hpp"
#include "math.hpp"

namespace cartsim::sbml {

LIBSBML_CPP_NAMESPACE_USE  // libSBML is built with or without its C++ namespace

    using equations::ModelSpec;
using equations::SourceText;

namespace {

constexpr double positive_floor = 1e-300;  // as for a YAML parameter without a range
constexpr double seconds_per_day = 86400.0;

class Importer {
 public:
  Importer(const SBMLDocument& doc, std::string label) : doc_(doc), label_(std::move(label)) {}

  ModelSpec run() {
    check_errors();
    model_ = doc_.getModel();
    if (model_ == nullptr) {
      fail_at(&doc_, "the SBML document contains no model");
    }
    refuse_unsupported();
    read_time_unit();
    name_symbols();
    ModelSpec spec;
    spec.where = location(model_, "model");
    spec.check_units = false;
    spec.name = identifier(model_->isSetId() ? model_->getId() : "sbml_model");
    spec.title = model_->isSetName() ? model_->getName() : spec.name;
    spec.summary = notes_text(*model_);
    spec.references = fmt::format("SBML model '{}' (Level {} Version {}), imported from {}",
                                  model_->getId(), doc_.getLevel(), doc_.getVersion(), label_);
    read_model_annotation(spec);
    functions(spec);
    compartments_and_parameters(spec);
    species(spec);
    reactions(spec);
    rules(spec);
    events(spec);
    if (!notes_.empty()) {
      std::string text = spec.deviations.empty() ? std::string() : spec.deviations + "\n";
      for (const auto& n : notes_) {
        text += "Import: " + n + "\n";
      }
      text.pop_back();
      spec.deviations = text;
    }
    return spec;
  }

 private:
  // -------------------------------------------------------------------------------------------
  // Locations and errors

  InputLocation location(const SBase* element, const std::string& what) const {
    InputLocation where;
    where.file = label_;
    if (element != nullptr) {
      where.line = static_cast<int>(element->getLine());
      where.column = static_cast<int>(element->getColumn());
    }
    where.yaml_path = what;
    return where;
  }

  [[noreturn]] void fail_at(const SBase* element, const std::string& message,
                            const std::string& what = "") const {
    throw ConfigError(location(element, what), message);
  }

  static std::string describe(const SBase& e) {
    const std::string type = e.getElementName();
    if (e.isSetId()) {
      return fmt::format("{} '{}'", type, e.getId());
    }
    return type;
  }

  void check_errors() const {
    for (unsigned i = 0; i < doc_.getNumErrors(); ++i) {
      const SBMLError* error = doc_.getError(i);
      if (error->getSeverity() < LIBSBML_SEV_ERROR) {
        continue;
      }
      InputLocation where{label_, static_cast<int>(error->getLine()),
                          static_cast<int>(error->getColumn()), ""};
      std::string message = error->getMessage();
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
      }
      throw ConfigError(where, "not a valid SBML file: " + message);
    }
  }

  void refuse_unsupported() {
    if (doc_.getLevel() < 2) {
      fail_at(&doc_,
              fmt::format("SBML Level {} is not supported (Level 2 and 3 are)", doc_.getLevel()));
    }
    for (unsigned i = 0; i < doc_.getNumPlugins(); ++i) {
      const auto* plugin = doc_.getPlugin(i);
      const std::string package = plugin->getPackageName();
      auto& doc = const_cast<SBMLDocument&>(doc_);
      // libSBML files L3V2's own max, min, rem, quotient and implies under a package
      // 'l3v2extendedmath'; they are core in Level 3 Version 2.
      if (doc_.getLevel() >= 3 && package != "l3v2extendedmath" &&
          doc.isSetPackageRequired(package) && doc.getPackageRequired(package)) {
        fail_at(&doc_, fmt::format("the SBML package '{}' is required by the file and is not "
                                   "supported (SBML core only)",
                                   package));
      }
    }
    if (model_->isSetConversionFactor()) {
      fail_at(model_, "conversion factors are not supported");
    }
    for (unsigned i = 0; i < model_->getNumRules(); ++i) {
      const Rule* r = model_->getRule(i);
      if (r->isAlgebraic()) {
        fail_at(r,
                "algebraic rules are not supported (cartsim solves ordinary differential "
                "equations, not differential-algebraic ones)",
                "algebraicRule");
      }
    }
    for (unsigned i = 0; i < model_->getNumReactions(); ++i) {
      const Reaction* r = model_->getReaction(i);
      if (r->isSetFast() && r->getFast()) {
        fail_at(r, fmt::format("{} is a fast reaction; fast reactions are not supported",
                               describe(*r)));
      }
    }
    for (unsigned i = 0; i < model_->getNumEvents(); ++i) {
      const Event* e = model_->getEvent(i);
      if (e->isSetDelay()) {
        fail_at(e->getDelay(),
                fmt::format("{} has a delay; delayed events are not supported", describe(*e)));
      }
      if (e->isSetPriority()) {
        fail_at(e->getPriority(),
                fmt::format("{} has a priority; event priorities are not supported (events at the "
                            "same time fire in document order)",
                            describe(*e)));
      }
    }
    for (unsigned i = 0; i < model_->getNumSpecies(); ++i) {
      const Species* s = model_->getSpecies(i);
      if (s->isSetConversionFactor()) {
        fail_at(s, fmt::format("{} has a conversion factor; conversion factors are not supported",
                               describe(*s)));
      }
    }
    if (model_->getNumConstraints() > 0) {
      notes_.push_back(fmt::format("{} constraint(s) of the SBML model are not checked",
                                   model_->getNumConstraints()));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Time

  /// Seconds in one unit of `units` (a unit definition's id or a base unit), or 0 if unknown.
  double seconds_in(const std::string& units) const {
    if (units == "second") {
      return 1.0;
    }
    const UnitDefinition* def = model_->getUnitDefinition(units);
    if (def == nullptr || def->getNumUnits() != 1) {
      return 0.0;
    }
    const Unit* u = def->getUnit(0);
    if (u->getKind() != UNIT_KIND_SECOND || u->getExponentAsDouble() != 1.0) {
      return 0.0;
    }
    return u->getMultiplier() * std::pow(10.0, u->getScale());
  }

  void read_time_unit() {
    std::string units;
    if (doc_.getLevel() >= 3 && model_->isSetTimeUnits()) {
      units = model_->getTimeUnits();
    } else if (doc_.getLevel() == 2) {
      units = model_->getUnitDefinition("time") != nullptr ? "time" : "second";
    }
    if (units.empty()) {
      notes_.push_back("the model declares no time unit; its time is taken to be in days");
      return;
    }
    const double seconds = seconds_in(units);
    if (seconds <= 0.0) {
      notes_.push_back(fmt::format(
          "the model's time unit '{}' is not a multiple of the second; its time is taken to be "
          "in days",
          units));
      return;
    }
    context_.time_per_day = seconds_per_day / seconds;
    if (std::abs(context_.time_per_day - 1.0) > 1e-12) {
      notes_.push_back(fmt::format(
          "the model's time unit is {:g} s; rates are multiplied by {:g} to give cartsim's days, "
          "and 'time' in its formulas is t * {:g}",
          seconds, context_.time_per_day, context_.time_per_day));
    } else {
      context_.time_per_day = 1.0;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Names: SBML ids that are cartsim reserved words get a trailing '_'.

  std::string identifier(const std::string& id) const {
    std::string out = id;
    if (out == "t" || out == "time" || expr::is_builtin_name(out)) {
      out += "_";
    }
    return out;
  }

  void name_symbols() {
    auto take = [this](const std::string& id) {
      names_[id] = identifier(id);
      used_.insert(names_[id]);
    };
    for (unsigned i = 0; i < model_->getNumCompartments(); ++i) {
      take(model_->getCompartment(i)->getId());
    }
    for (unsigned i = 0; i < model_->getNumSpecies(); ++i) {
      take(model_->getSpecies(i)->getId());
    }
    for (unsigned i = 0; i < model_->getNumParameters(); ++i) {
      take(model_->getParameter(i)->getId());
    }
    for (unsigned i = 0; i < model_->getNumReactions(); ++i) {
      take(model_->getReaction(i)->getId());
    }
    for (unsigned i = 0; i < model_->getNumFunctionDefinitions(); ++i) {
      take(model_->getFunctionDefinition(i)->getId());
    }
    context_.rename = [this](const std::string& id) {
      if (const auto it = local_.find(id); it != local_.end()) {
        return it->second;
      }
      if (const auto it = names_.find(id); it != names_.end()) {
        return it->second;
      }
      return identifier(id);
    };
  }

  /// A new name from `base` that no symbol uses.
  std::string fresh(const std::string& base) {
    std::string name = identifier(base);
    for (int k = 2; used_.count(name) > 0; ++k) {
      name = fmt::format("{}_{}", base, k);
    }
    used_.insert(name);
    return name;
  }

  std::string name_of(const std::string& id) const {
    const auto it = names_.find(id);
    return it == names_.end() ? identifier(id) : it->second;
  }

  // -------------------------------------------------------------------------------------------
  // Math

  SourceText text(const ASTNode* math, const SBase* element, const std::string& what) const {
    if (math == nullptr) {
      fail_at(element, fmt::format("{} has no math", what), what);
    }
    SourceText s;
    s.where = location(element, what);
    try {
      s.text = math_to_text(*math, context_);
    } catch (const MathError& e) {
      fail_at(element, fmt::format("{}: {}", what, e.what()), what);
    }
    return s;
  }

  static SourceText number_text(double v, const InputLocation& where) {
    SourceText s;
    s.text = v < 0 ? "-" + expr::format_number(-v) : expr::format_number(v);
    s.where = where;
    return s;
  }

  /// `rate` (per model time unit) as a rate per day.
  SourceText per_day(SourceText rate) const {
    if (context_.time_per_day != 1.0) {
      rate.text = fmt::format("{} * ({})", expr::format_number(context_.time_per_day), rate.text);
    }
    return rate;
  }

  // -------------------------------------------------------------------------------------------
  // Elements

  void read_model_annotation(ModelSpec& spec) const { read_model_info(*model_, spec); }

  void functions(ModelSpec& spec) {
    for (unsigned i = 0; i < model_->getNumFunctionDefinitions(); ++i) {
      const FunctionDefinition* f = model_->getFunctionDefinition(i);
      equations::FunctionSpec fn;
      fn.name = name_of(f->getId());
      fn.where = location(f, describe(*f));
      for (unsigned k = 0; k < f->getNumArguments(); ++k) {
        fn.arguments.push_back(identifier(f->getArgument(k)->getName()));
      }
      fn.body = text(f->getBody(), f, describe(*f));
      spec.functions.push_back(std::move(fn));
    }
  }

  const Rule* rule_for(const std::string& id) const { return model_->getRule(id); }
  const InitialAssignment* initial_for(const std::string& id) const {
    return model_->getInitialAssignment(id);
  }
  bool assigned_by_event(const std::string& id) const {
    for (unsigned i = 0; i < model_->getNumEvents(); ++i) {
      const Event* e = model_->getEvent(i);
      if (e->getEventAssignment(id) != nullptr) {
        return true;
      }
    }
    return false;
  }

  /// A quantity with a value (parameter or compartment size): a parameter, a state (rate rule),
  /// or an observable (assignment rule, or an initial assignment it keeps).
  void quantity(ModelSpec& spec, const SBase& element, const std::string& id, bool has_value,
                double value, const std::string& description, const std::string& unit) {
    const std::string name = name_of(id);
    const Rule* rule = rule_for(id);
    const InitialAssignment* initial = initial_for(id);
    const InputLocation where = location(&element, describe(element));
    const Annotation note = read_annotation(element);
    if (note.generated) {
      generated_.insert(id);
      return;  // a helper cartsim's export added (a one-shot event's flag)
    }
    if (rule != nullptr && rule->isAssignment()) {
      equations::ObservableSpec o;
      o.name = name;
      o.where = where;
      o.unit = note.unit ? *note.unit : unit;
      o.description = note.description ? *note.description : description;
      o.expression = text(rule->getMath(), rule, "assignment rule for '" + id + "'");
      spec.observables.push_back(std::move(o));
      return;
    }
    if (rule != nullptr && rule->isRate()) {
      equations::StateSpec s;
      s.name = name;
      s.where = where;
      s.unit = note.unit ? *note.unit : unit;
      s.description = note.description ? *note.description : description;
      s.nonnegative = note.nonnegative.value_or(false);
      if (initial != nullptr) {
        s.initial = text(initial->getMath(), initial, "initial assignment to '" + id + "'");
      } else if (has_value) {
        s.initial = number_text(value, where);
      } else {
        fail_at(&element, fmt::format("{} has no initial value", describe(element)));
      }
      spec.states.push_back(std::move(s));
      spec.equations.push_back(
          {name, per_day(text(rule->getMath(), rule, "rate rule for '" + id + "'")), where});
      return;
    }
    if (initial != nullptr) {
      if (assigned_by_event(id)) {
        fail_at(initial, fmt::format("'{}' has an initial assignment and events change it; this "
                                     "combination is not supported",
                                     id));
      }
      equations::ObservableSpec o;
      o.name = name;
      o.where = where;
      o.unit = unit;
      o.description = description.empty() ? "initial assignment" : description;
      o.expression = text(initial->getMath(), initial, "initial assignment to '" + id + "'");
      spec.observables.push_back(std::move(o));
      notes_.push_back(fmt::format(
          "'{}' is set by an initial assignment and is computed from the parameters (an "
          "observable), so it follows them when a scenario changes them",
          id));
      return;
    }
    if (!has_value) {
      fail_at(&element, fmt::format("{} has no value", describe(element)));
    }
    equations::ParameterSpec p;
    p.name = name;
    p.where = where;
    p.value_where = where;
    p.value = value;
    p.unit = note.unit ? *note.unit : unit;
    p.description = note.description ? *note.description : description;
    p.source = note.source ? *note.source
                           : "SBML file " + std::filesystem::path(label_).filename().string();
    p.internal = note.internal.value_or(false);
    if (note.min && note.max) {
      p.min = *note.min;
      p.max = *note.max;
    } else if (value > 0) {
      p.min = positive_floor;
    } else if (value < 0) {
      p.max = -positive_floor;
    }
    spec.parameters.push_back(std::move(p));
  }

  void compartments_and_parameters(ModelSpec& spec) {
    for (unsigned i = 0; i < model_->getNumCompartments(); ++i) {
      const Compartment* c = model_->getCompartment(i);
      const bool varies = rule_for(c->getId()) != nullptr || assigned_by_event(c->getId());
      if (varies) {
        for (unsigned k = 0; k < model_->getNumSpecies(); ++k) {
          const Species* s = model_->getSpecies(k);
          if (s->getCompartment() == c->getId() && !s->getHasOnlySubstanceUnits()) {
            fail_at(c, fmt::format("the size of {} changes, and species '{}' in it is a "
                                   "concentration; compartments of changing size are not "
                                   "supported",
                                   describe(*c), s->getId()));
          }
        }
      }
      const double size = c->isSetSize() ? c->getSize() : 1.0;
      if (!c->isSetSize() && initial_for(c->getId()) == nullptr) {
        notes_.push_back(fmt::format("compartment '{}' has no size; 1 is used", c->getId()));
      }
      quantity(spec, *c, c->getId(), true, size,
               c->isSetName() ? "compartment " + c->getName() : "compartment size",
               unit_text(*model_, c->getUnits()));
    }
    for (unsigned i = 0; i < model_->getNumParameters(); ++i) {
      const Parameter* p = model_->getParameter(i);
      quantity(spec, *p, p->getId(), p->isSetValue(), p->isSetValue() ? p->getValue() : 0.0,
               p->isSetName() ? p->getName() : "", unit_text(*model_, p->getUnits()));
    }
  }

  /// Reactions that change each species: (rate observable, stoichiometry).
  std::map<std::string, std::vector<std::pair<std::string, double>>> flux_;
  std::set<std::string> in_reactions_;

  void species(ModelSpec& spec) {
    // Which species reactions change (those not boundary, not constant).
    for (unsigned i = 0; i < model_->getNumReactions(); ++i) {
      const Reaction* r = model_->getReaction(i);
      auto refs = [&](unsigned n, auto get, double sign) {
        for (unsigned k = 0; k < n; ++k) {
          const SpeciesReference* ref = get(k);
          if (ref->isSetStoichiometryMath() ||
              (doc_.getLevel() >= 3 && ref->isSetId() &&
               (rule_for(ref->getId()) != nullptr || initial_for(ref->getId()) != nullptr ||
                assigned_by_event(ref->getId())))) {
            fail_at(ref, fmt::format("the stoichiometry of '{}' in {} varies; variable "
                                     "stoichiometry is not supported",
                                     ref->getSpecies(), describe(*r)));
          }
          const double stoichiometry =
              ref->isSetStoichiometry() || doc_.getLevel() < 3 ? ref->getStoichiometry() : 1.0;
          flux_[ref->getSpecies()].emplace_back(name_of(r->getId()), sign * stoichiometry);
        }
      };
      refs(
          r->getNumReactants(), [&](unsigned k) { return r->getReactant(k); }, -1.0);
      refs(
          r->getNumProducts(), [&](unsigned k) { return r->getProduct(k); }, 1.0);
    }
    for (unsigned i = 0; i < model_->getNumSpecies(); ++i) {
      const Species* s = model_->getSpecies(i);
      const std::string id = s->getId();
      const std::string name = name_of(id);
      const Compartment* c = model_->getCompartment(s->getCompartment());
      const std::string volume = c != nullptr ? name_of(c->getId()) : std::string("1");
      const bool amount = s->getHasOnlySubstanceUnits();
      const InputLocation where = location(s, describe(*s));
      const Annotation note = read_annotation(*s);
      const Rule* rule = rule_for(id);
      const InitialAssignment* initial = initial_for(id);
      const std::string description =
          (s->isSetName() ? s->getName() + ": " : std::string()) +
          fmt::format("species in compartment '{}', as {}", s->getCompartment(),
                      amount ? "an amount" : "a concentration");
      const std::string unit = note.unit ? *note.unit : species_unit(*s, amount);
      // The initial value in the species' own terms (amount or concentration).
      SourceText init;
      if (initial != nullptr) {
        init = text(initial->getMath(), initial, "initial assignment to '" + id + "'");
      } else if (s->isSetInitialAmount()) {
        init = number_text(s->getInitialAmount(), where);
        if (!amount) {
          init.text = fmt::format("{} / {}", init.text, volume);
        }
      } else if (s->isSetInitialConcentration()) {
        init = number_text(s->getInitialConcentration(), where);
        if (amount) {
          init.text = fmt::format("{} * {}", init.text, volume);
        }
      } else if (rule == nullptr || !rule->isAssignment()) {
        fail_at(s, fmt::format("{} has no initial value", describe(*s)));
      }

      if (rule != nullptr && rule->isAssignment()) {
        equations::ObservableSpec o{name, unit, note.description ? *note.description : description,
                                    text(rule->getMath(), rule, "assignment rule for '" + id + "'"),
                                    where};
        spec.observables.push_back(std::move(o));
        continue;
      }
      const bool changes =
          rule != nullptr || (!s->getBoundaryCondition() && !s->getConstant() && flux_.count(id));
      if (!changes) {
        // Constant, a boundary condition, or changed only by events. A plain number becomes a
        // parameter (events may assign parameters); a value computed from others, a state that
        // only events change.
        const bool number =
            initial == nullptr && init.text.find_first_of("/*") == std::string::npos;
        if (!number) {
          equations::StateSpec st;
          st.name = name;
          st.where = where;
          st.unit = unit;
          st.description = note.description ? *note.description : description;
          st.nonnegative = note.nonnegative.value_or(true);
          st.initial = init;
          spec.states.push_back(std::move(st));
          spec.equations.push_back({name, number_text(0.0, where), where});
          continue;
        }
        equations::ParameterSpec p;
        p.name = name;
        p.where = where;
        p.value_where = where;
        p.value = std::stod(init.text);
        p.unit = unit;
        p.description = note.description ? *note.description : description + " (constant)";
        p.source = note.source ? *note.source
                               : "SBML file " + std::filesystem::path(label_).filename().string();
        if (note.min && note.max) {
          p.min = *note.min;
          p.max = *note.max;
        } else if (p.value > 0) {
          p.min = positive_floor;
        } else if (p.value < 0) {
          p.max = -positive_floor;
        }
        spec.parameters.push_back(std::move(p));
        continue;
      }
      equations::StateSpec st;
      st.name = name;
      st.where = where;
      st.unit = unit;
      st.description = note.description ? *note.description : description;
      st.nonnegative = note.nonnegative.value_or(true);
      st.initial = init;
      spec.states.push_back(std::move(st));
      if (rule != nullptr) {
        spec.equations.push_back(
            {name, per_day(text(rule->getMath(), rule, "rate rule for '" + id + "'")), where});
        continue;
      }
      // d(amount)/dt = sum of stoichiometry x reaction rate; a concentration divides by the
      // compartment's (constant) size.
      std::string sum;
      for (const auto& [reaction, nu] : flux_[id]) {
        const double a = std::abs(nu);
        const std::string term = a == 1.0 ? reaction : expr::format_number(a) + " * " + reaction;
        if (sum.empty()) {
          sum = nu < 0 ? "-" + (a == 1.0 ? reaction : "(" + term + ")") : term;
        } else {
          sum += (nu < 0 ? " - " : " + ") + term;
        }
      }
      SourceText rate;
      rate.where = where;
      rate.text = amount ? sum : fmt::format("({}) / {}", sum, volume);
      spec.equations.push_back({name, per_day(rate), where});
    }
  }

  std::string species_unit(const Species& s, bool amount) const {
    const std::string substance = unit_text(*model_, s.getSubstanceUnits());
    if (substance.empty()) {
      return "";
    }
    if (amount) {
      return substance;
    }
    const Compartment* c = model_->getCompartment(s.getCompartment());
    const std::string volume = c != nullptr ? unit_text(*model_, c->getUnits()) : "";
    return volume.empty() ? "" : substance + "/" + volume;
  }

  void reactions(ModelSpec& spec) {
    for (unsigned i = 0; i < model_->getNumReactions(); ++i) {
      const Reaction* r = model_->getReaction(i);
      const KineticLaw* law = r->getKineticLaw();
      if (law == nullptr || !law->isSetMath()) {
        fail_at(r, fmt::format("{} has no kinetic law", describe(*r)));
      }
      // Local parameters become model parameters named REACTION_PARAMETER.
      local_.clear();
      const unsigned locals =
          doc_.getLevel() >= 3 ? law->getNumLocalParameters() : law->getNumParameters();
      for (unsigned k = 0; k < locals; ++k) {
        const Parameter* p =
            doc_.getLevel() >= 3 ? law->getLocalParameter(k) : law->getParameter(k);
        const std::string name = fresh(r->getId() + "_" + p->getId());
        local_[p->getId()] = name;
        equations::ParameterSpec ps;
        ps.name = name;
        ps.where = location(p, describe(*p));
        ps.value_where = ps.where;
        ps.value = p->isSetValue() ? p->getValue() : 0.0;
        ps.unit = unit_text(*model_, p->getUnits());
        ps.description =
            fmt::format("local parameter '{}' of reaction '{}'", p->getId(), r->getId());
        ps.source = "SBML file " + std::filesystem::path(label_).filename().string();
        if (ps.value > 0) {
          ps.min = positive_floor;
        } else if (ps.value < 0) {
          ps.max = -positive_floor;
        }
        spec.parameters.push_back(std::move(ps));
      }
      equations::ObservableSpec o;
      o.name = name_of(r->getId());
      o.where = location(r, describe(*r));
      o.description = fmt::format("rate of reaction '{}'{} (per model time unit)", r->getId(),
                                  r->isSetName() ? " (" + r->getName() + ")" : std::string());
      o.expression = text(law->getMath(), law, "kinetic law of reaction '" + r->getId() + "'");
      local_.clear();
      spec.observables.push_back(std::move(o));
    }
  }

  void rules(ModelSpec&) {
    // Rate and assignment rules were read with the quantities they define; a rule for anything
    // else (a species reference) was refused there or by libSBML.
    for (unsigned i = 0; i < model_->getNumRules(); ++i) {
      const Rule* r = model_->getRule(i);
      const std::string id = r->getVariable();
      if (model_->getSpecies(id) == nullptr && model_->getParameter(id) == nullptr &&
          model_->getCompartment(id) == nullptr) {
        fail_at(r, fmt::format("a rule for '{}' (not a species, parameter or compartment) is not "
                               "supported",
                               id));
      }
    }
  }

  void events(ModelSpec& spec) {
    for (unsigned i = 0; i < model_->getNumEvents(); ++i) {
      const Event* e = model_->getEvent(i);
      const Annotation note = read_annotation(*e);
      equations::EventSpec ev;
      ev.where = location(e, describe(*e));
      ev.name = note.name        ? *note.name
                : e->isSetId()   ? e->getId()
                : e->isSetName() ? e->getName()
                                 : fmt::format("event {}", i + 1);
      const Trigger* trigger = e->getTrigger();
      if (trigger == nullptr || !trigger->isSetMath()) {
        fail_at(e, fmt::format("{} has no trigger", describe(*e)));
      }
      ev.trigger = text(trigger->getMath(), trigger, "trigger of " + describe(*e));
      if (note.trigger) {
        ev.trigger.text = *note.trigger;  // cartsim's own trigger (a one-shot flag removed)
      }
      ev.at_start =
          doc_.getLevel() >= 3 && trigger->isSetInitialValue() && !trigger->getInitialValue();
      ev.repeat = note.repeat.value_or(true);
      // SBML assigns simultaneously: every value is computed before any is written. cartsim
      // assigns in order, so the values are computed first as local names.
      for (unsigned k = 0; k < e->getNumEventAssignments(); ++k) {
        const EventAssignment* a = e->getEventAssignment(k);
        const std::string target = a->getVariable();
        if (generated_.count(target) > 0) {
          continue;
        }
        if (model_->getCompartment(target) != nullptr) {
          for (unsigned s = 0; s < model_->getNumSpecies(); ++s) {
            if (model_->getSpecies(s)->getCompartment() == target &&
                !model_->getSpecies(s)->getHasOnlySubstanceUnits()) {
              fail_at(a, fmt::format("{} changes the size of compartment '{}', which holds "
                                     "concentrations; this is not supported",
                                     describe(*e), target));
            }
          }
        }
        if (model_->getSpecies(target) == nullptr && model_->getParameter(target) == nullptr &&
            model_->getCompartment(target) == nullptr) {
          fail_at(a, fmt::format("{} assigns '{}', which is not a species, parameter or "
                                 "compartment; this is not supported",
                                 describe(*e), target));
        }
        const SourceText value = text(a->getMath(), a, "assignment to '" + target + "'");
        if (e->getNumEventAssignments() == 1) {
          ev.assign.push_back({name_of(target), value, location(a, "eventAssignment")});
        } else {
          const std::string local = fresh("new_" + name_of(target));
          ev.let.push_back({local, value, location(a, "eventAssignment")});
          SourceText use = value;
          use.text = local;
          ev.assign.push_back({name_of(target), use, location(a, "eventAssignment")});
        }
      }
      spec.events.push_back(std::move(ev));
    }
  }

  const SBMLDocument& doc_;
  std::string label_;
  const Model* model_ = nullptr;
  ImportContext context_;
  std::map<std::string, std::string> names_;
  std::map<std::string, std::string> local_;
  std::set<std::string> used_;
  std::set<std::string> generated_;
  std::vector<std::string> notes_;
};

}  // namespace

ModelSpec import_sbml_string(const std::string& xml, const std::string& label) {
  std::unique_ptr<SBMLDocument> doc(readSBMLFromString(xml.c_str()));
  if (doc == nullptr) {
    throw ConfigError(InputLocation{label, 0, 0, ""}, "cannot read the SBML file");
  }
  return Importer(*doc, label).run();
}

ModelSpec import_sbml_file(const std::string& path) {
  std::unique_ptr<SBMLDocument> doc(readSBMLFromFile(path.c_str()));
  if (doc == nullptr) {
    throw ConfigError(InputLocation{path, 0, 0, ""}, "cannot read the SBML file");
  }
  return Importer(*doc, path).run();
}

}  // namespace cartsim::sbml
