#include "cartsim/models/stein2019.hpp"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdint>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/random.hpp"

namespace cartsim::models {
namespace {
constexpr const char* stein_table1 = "Stein 2019 Table 1 typical value (doi:10.1002/psp4.12388)";
// The typical value's source, with the between-subject variability of the same table (variance of
// the log, as transcribed by nlmixr2lib Stein_2019_Tisagenlecleucel; see docs/models/stein2019.md).
std::string with_bsv(double omega2) {
  return fmt::format(
      "{}; between-subject variability omega2 = {:g} (log-normal: use "
      "sweep.population.variability {{omega2: {:g}}})",
      stein_table1, omega2, omega2);
}

double expansion_rate(std::span<const double> p) {
  return std::log(p[Stein2019::foldx]) / p[Stein2019::tmax];
}
double memory_formation_rate(std::span<const double> p) {
  return p[Stein2019::fb] * (p[Stein2019::alpha] - p[Stein2019::beta]);
}
}  // namespace

const ModelInfo& Stein2019::info() const {
  static const ModelInfo model_info = [] {
    ModelInfo m;
    m.name = "stein2019";
    // Non-stiff: Dormand-Prince takes 94 us per one-year daily solve against 1177 us for CVODE
    // BDF (bench/solve_bench, rtol = atol = 1e-8).
    m.default_solver = "dopri5";
    m.title = "Multiphasic CAR-T cellular kinetics of tisagenlecleucel (Stein 2019)";
    m.summary =
        "Empirical expansion-contraction-persistence model of the CAR transgene level in blood "
        "after tisagenlecleucel infusion in paediatric and young-adult r/r B-ALL. Exponential "
        "expansion to Cmax at Tmax, then a fast-contracting effector-like pool that feeds a "
        "slowly decaying memory-like pool. Time 0 is the infusion.";
    m.equations =
        "t <  Tmax: dE/dt = rho E,   dM/dt = 0,              rho = ln(foldx)/Tmax\n"
        "t >= Tmax: dE/dt = -alpha E, dM/dt = k E - beta M,  k = FB (alpha - beta)\n"
        "E(0) = Cmax_i/foldx, M(0) = 0, C = E + M  [copies/ug genomic DNA]\n"
        "Cmax_i = cmax (dose_per_kg/3.1e6)^cmax_dose_exponent (weight_kg/39)^cmax_weight_exponent\n"
        "closed form after Tmax: C = Cmax_i [(1-FB) e^(-alpha (t-Tmax)) + FB e^(-beta (t-Tmax))]\n"
        "observation: C_obs = C exp(sigma_log z), z ~ N(0,1) per time (residual_error = 1), else C";
    m.references =
        "Stein AM, Grupp SA, Levine JE, et al. Tisagenlecleucel model-based cellular kinetic "
        "analysis of chimeric antigen receptor-T cells. CPT Pharmacometrics Syst Pharmacol "
        "2019;8(5):285-295. doi:10.1002/psp4.12388";
    m.deviations =
        "Tocilizumab and steroid multipliers on expansion (1.2 and 1.0 in the paper) are left "
        "out; the paper judged they did not change expansion. The phase switch at Tmax is an "
        "event that sets the internal parameter 'phase' (0 expansion, 1 contraction). "
        "Between-subject variability is not in the model: a scenario's sweep.population."
        "variability adds it, with the omega2 of Table 1 (variances of the log, as transcribed; "
        "each parameter's source names its omega2). The dose and weight covariate effects are "
        "0 by default, as in the paper's final model; their power form is the usual form of a "
        "continuous covariate, not an estimate of the paper. No lower limit of quantification is "
        "applied to C_obs.";
    m.states = {
        {"E", "copies/ug", "effector-like CAR-T transgene level", true},
        {"M", "copies/ug", "memory-like CAR-T transgene level", true},
    };
    m.parameters = {
        {"foldx", "1", "fold expansion from E(0) to Cmax", 3900.0, 1.0, 1.0e12, with_bsv(2.4)},
        {"tmax", "d", "time of peak expansion after infusion", 9.3, 1.0e-6, 3650.0, with_bsv(0.38)},
        {"cmax", "copies/ug",
         "peak transgene level of the reference patient (39 kg, 3.1e6 cells/kg); the patient's "
         "peak is cmax times the covariate effects",
         24000.0, 1.0e-12, 1.0e12, with_bsv(0.65)},
        {"alpha", "1/d", "contraction rate of the effector-like pool", 0.16, 0.0, 100.0,
         with_bsv(0.91)},
        {"fb", "1", "fraction of the peak that becomes memory-like", 0.0079, 0.0, 1.0,
         with_bsv(0.8)},
        {"beta", "1/d", "decay rate of the memory-like pool", 0.0032, 0.0, 100.0, with_bsv(0.86)},
        {"phase", "1",
         "0 before Tmax (expansion), 1 after (contraction); set by the model's "
         "event at Tmax",
         0.0, 0.0, 1.0, "model switch", true},
        {"weight_kg", "kg", "body weight (covariate)", 39.0, 1.0, 500.0,
         "Stein 2019 Table 2 median (range 14-140 kg)"},
        {"dose_per_kg", "cells/kg",
         "infused CAR+ viable T cells per kg (covariate); label rule: <= 50 kg dosed per kg, "
         "> 50 kg a flat dose (dose_per_kg = total / weight_kg)",
         3.1e6, 1.0e3, 1.0e10,
         "Stein 2019 Table 2 median dose of patients <= 50 kg (range 0.2e6-5.4e6 cells/kg)"},
        {"cmax_dose_exponent", "1",
         "power-model exponent of (dose_per_kg / 3.1e6 cells/kg) on Cmax", 0.0, -5.0, 5.0,
         "Stein 2019 covariate analysis: dose per kg had no significant effect on Cmax (final "
         "model without covariates), so 0; a user-settable what-if"},
        {"cmax_weight_exponent", "1", "power-model exponent of (weight_kg / 39 kg) on Cmax", 0.0,
         -5.0, 5.0,
         "assumed 0: the paper's final model has no covariate (weight is not among the reported "
         "covariate effects); a user-settable what-if"},
        {"residual_error", "1",
         "1: the observable C_obs carries the paper's residual error; 0 (default): C_obs = C", 0.0,
         0.0, 1.0, "cartsim option (off by default)"},
        {"sigma_log", "1",
         "SD of the residual error on the natural-log scale: C_obs = C exp(eps), eps ~ N(0, "
         "sigma_log^2)",
         0.56, 0.0, 5.0,
         "Stein 2019 Table 1 residual error a = 0.56, constant error model on log(level) (an SD, "
         "Monolix convention; nlmixr2lib transcription)"},
        {"residual_key", "1",
         "key of the run's residual-error stream, drawn at t = 0 from (seed, sample, replicate) "
         "when residual_error = 1",
         0.0, 0.0, 9007199254740992.0, "model switch", true},
    };
    m.observables = {
        {"C", "copies/ug", "total transgene level E + M (qPCR, peripheral blood)"},
        {"C_obs", "copies/ug",
         "observed level C exp(sigma_log z), z ~ N(0, 1) independent per output time (fixed by "
         "seed, sample, replicate and time); equals C when residual_error = 0. For time series, "
         "not for metrics"},
    };
    m.metrics = {
        MetricSpec{.name = "Cmax",
                   .kind = MetricKind::max,
                   .variable = "C",
                   .unit = "copies/ug",
                   .description = "peak transgene level"},
        MetricSpec{.name = "Tmax",
                   .kind = MetricKind::argmax,
                   .variable = "C",
                   .unit = "d",
                   .description = "time of the peak"},
        MetricSpec{.name = "AUC_0_28",
                   .kind = MetricKind::auc,
                   .variable = "C",
                   .unit = "copies/ug*d",
                   .description = "area under C from day 0 to day 28",
                   .from = 0.0,
                   .to = 28.0},
        MetricSpec{.name = "t_last_above",
                   .kind = MetricKind::last_above,
                   .variable = "C",
                   .unit = "d",
                   .description = "last time C is at or above the level (default 50 copies/ug, "
                                  "assumed: a typical qPCR lower limit of quantification); the "
                                  "end time if C is still above it",
                   .level = 50.0},
    };
    // `cartsim report`: the transgene level with the simulated observations.
    m.plots = {{"Transgene level", {"C", "C_obs", "E", "M"}, true}};
    return m;
  }();
  return model_info;
}

void Stein2019::rhs(double, std::span<const double> y, std::span<const double> p,
                    std::span<double> dydt) const {
  if (p[phase] < 0.5) {
    dydt[E] = expansion_rate(p) * y[E];
    dydt[M] = 0.0;
  } else {
    dydt[E] = -p[alpha] * y[E];
    dydt[M] = memory_formation_rate(p) * y[E] - p[beta] * y[M];
  }
}

void Stein2019::jacobian(double, std::span<const double>, std::span<const double> p,
                         Eigen::Ref<Eigen::MatrixXd> jac) const {
  if (p[phase] < 0.5) {
    jac(E, E) = expansion_rate(p);
  } else {
    jac(E, E) = -p[alpha];
    jac(M, E) = memory_formation_rate(p);
    jac(M, M) = -p[beta];
  }
}

void Stein2019::observables(double t, std::span<const double> y, std::span<const double> p,
                            std::span<double> out) const {
  const double level = y[E] + y[M];
  out[C] = level;
  out[C_obs] = p[residual_error] >= 0.5
                   ? level * std::exp(p[sigma_log] * residual_normal(p[residual_key], t))
                   : level;
}

double Stein2019::individual_cmax(std::span<const double> p) {
  return p[cmax] * std::pow(p[dose_per_kg] / reference_dose_per_kg, p[cmax_dose_exponent]) *
         std::pow(p[weight_kg] / reference_weight_kg, p[cmax_weight_exponent]);
}

double Stein2019::residual_normal(double key, double t) {
  // One Philox block per observation: the key (53 bits, exact in a double) is the stream's seed,
  // the time's bits its sample. Equal (key, t) give the same number; any change gives another.
  RandomStream stream(RandomKey{static_cast<std::uint64_t>(key), std::bit_cast<std::uint64_t>(t), 0,
                                static_cast<std::uint64_t>(RandomPurpose::residual_error)});
  return stream.normal();
}

void Stein2019::initial_state(std::span<const double> p, std::span<double> y0) const {
  y0[E] = individual_cmax(p) / p[foldx];
  y0[M] = 0.0;
}

void Stein2019::check_run(double t0, std::span<const double> p) const {
  if (t0 != 0.0) {
    throw ModelError(
        fmt::format("stein2019 counts time from the infusion: the run must start at "
                    "t = 0 d, not {:g} d (E(0) = Cmax/foldx is the level at infusion)",
                    t0));
  }
  if (p[alpha] < p[beta]) {
    throw ParameterError("alpha", fmt::format("stein2019: 'alpha' ({:g} 1/d) must be >= 'beta' "
                                              "({:g} 1/d), or the memory-like pool would be fed "
                                              "a negative flux",
                                              p[alpha], p[beta]));
  }
}

void Stein2019::model_events(double t0, std::span<const double> p, EventSet& events) const {
  if (p[tmax] >= t0) {
    events.scheduled.push_back({p[tmax], "stein2019: peak (Tmax), contraction starts",
                                [](EventContext& ctx) { ctx.p[phase] = 1.0; }});
  }
  if (p[residual_error] >= 0.5) {
    // Key the residual-error stream of this run at its start, before anything is recorded: the
    // run's stream (seed, sample, replicate) with the purpose residual_error, first 53 bits.
    events.scheduled.push_back(
        {t0, "stein2019: residual-error stream keyed", [](EventContext& ctx) {
           if (ctx.random != nullptr) {
             RandomKey key = ctx.random->key();
             key.purpose = static_cast<std::uint64_t>(RandomPurpose::residual_error);
             ctx.p[residual_key] = static_cast<double>(RandomStream(key).next_u64() >> 11);
           }
         }});
  }
}

double Stein2019::exact_level(double t, std::span<const double> p) {
  const double peak = individual_cmax(p);
  if (t < p[tmax]) {
    return peak / p[foldx] * std::exp(expansion_rate(p) * t);
  }
  const double tau = t - p[tmax];
  return peak * ((1.0 - p[fb]) * std::exp(-p[alpha] * tau) + p[fb] * std::exp(-p[beta] * tau));
}

}  // namespace cartsim::models
