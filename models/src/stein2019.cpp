#include "cartsim/models/stein2019.hpp"

#include <fmt/format.h>

#include <cmath>

#include "cartsim/core/errors.hpp"

namespace cartsim::models {
namespace {
constexpr const char* stein_table1 =
    "Stein 2019 Table 1 typical value (doi:10.1002/psp4.12388)";

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
    m.default_solver = "odeint_dopri5";
    m.title = "Multiphasic CAR-T cellular kinetics of tisagenlecleucel (Stein 2019)";
    m.summary =
        "Empirical expansion-contraction-persistence model of the CAR transgene level in blood "
        "after tisagenlecleucel infusion in paediatric and young-adult r/r B-ALL. Exponential "
        "expansion to Cmax at Tmax, then a fast-contracting effector-like pool that feeds a "
        "slowly decaying memory-like pool. Time 0 is the infusion.";
    m.equations =
        "t <  Tmax: dE/dt = rho E,   dM/dt = 0,              rho = ln(foldx)/Tmax\n"
        "t >= Tmax: dE/dt = -alpha E, dM/dt = k E - beta M,  k = FB (alpha - beta)\n"
        "E(0) = Cmax/foldx, M(0) = 0, C = E + M  [copies/ug genomic DNA]\n"
        "closed form after Tmax: C = Cmax [(1-FB) e^(-alpha (t-Tmax)) + FB e^(-beta (t-Tmax))]";
    m.references =
        "Stein AM, Grupp SA, Levine JE, et al. Tisagenlecleucel model-based cellular kinetic "
        "analysis of chimeric antigen receptor-T cells. CPT Pharmacometrics Syst Pharmacol "
        "2019;8(5):285-295. doi:10.1002/psp4.12388";
    m.deviations =
        "Tocilizumab and steroid multipliers on expansion (1.2 and 1.0 in the paper) are left "
        "out; the paper judged they did not change expansion. The phase switch at Tmax is an "
        "event that sets the internal parameter 'phase' (0 expansion, 1 contraction).";
    m.states = {
        {"E", "copies/ug", "effector-like CAR-T transgene level", true},
        {"M", "copies/ug", "memory-like CAR-T transgene level", true},
    };
    m.parameters = {
        {"foldx", "1", "fold expansion from E(0) to Cmax", 3900.0, 1.0, 1.0e12, stein_table1},
        {"tmax", "d", "time of peak expansion after infusion", 9.3, 1.0e-6, 3650.0, stein_table1},
        {"cmax", "copies/ug", "peak transgene level", 24000.0, 1.0e-12, 1.0e12, stein_table1},
        {"alpha", "1/d", "contraction rate of the effector-like pool", 0.16, 0.0, 100.0,
         stein_table1},
        {"fb", "1", "fraction of the peak that becomes memory-like", 0.0079, 0.0, 1.0,
         stein_table1},
        {"beta", "1/d", "decay rate of the memory-like pool", 0.0032, 0.0, 100.0, stein_table1},
        {"phase", "1", "0 before Tmax (expansion), 1 after (contraction); set by the model's "
                       "event at Tmax", 0.0, 0.0, 1.0, "model switch", true},
    };
    m.observables = {{"C", "copies/ug", "total transgene level E + M (qPCR, peripheral blood)"}};
    m.metrics = {
        MetricSpec{.name = "Cmax", .kind = MetricKind::max, .variable = "C",
                   .unit = "copies/ug", .description = "peak transgene level"},
        MetricSpec{.name = "Tmax", .kind = MetricKind::argmax, .variable = "C", .unit = "d",
                   .description = "time of the peak"},
        MetricSpec{.name = "AUC_0_28", .kind = MetricKind::auc, .variable = "C",
                   .unit = "copies/ug*d", .description = "area under C from day 0 to day 28",
                   .from = 0.0, .to = 28.0},
        MetricSpec{.name = "t_last_above", .kind = MetricKind::last_above, .variable = "C",
                   .unit = "d",
                   .description = "last time C is at or above the level (default 50 copies/ug, "
                                  "assumed: a typical qPCR lower limit of quantification); the "
                                  "end time if C is still above it",
                   .level = 50.0},
    };
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

void Stein2019::observables(double, std::span<const double> y, std::span<const double>,
                            std::span<double> out) const {
  out[0] = y[E] + y[M];
}

void Stein2019::initial_state(std::span<const double> p, std::span<double> y0) const {
  y0[E] = p[cmax] / p[foldx];
  y0[M] = 0.0;
}

void Stein2019::check_run(double t0, std::span<const double> p) const {
  if (t0 != 0.0) {
    throw ModelError(fmt::format("stein2019 counts time from the infusion: the run must start at "
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
    events.scheduled.push_back(
        {p[tmax], "stein2019: peak (Tmax), contraction starts",
         [](EventContext& ctx) { ctx.p[phase] = 1.0; }});
  }
}

double Stein2019::exact_level(double t, std::span<const double> p) {
  if (t < p[tmax]) {
    return p[cmax] / p[foldx] * std::exp(expansion_rate(p) * t);
  }
  const double tau = t - p[tmax];
  return p[cmax] * ((1.0 - p[fb]) * std::exp(-p[alpha] * tau) + p[fb] * std::exp(-p[beta] * tau));
}

}  // namespace cartsim::models
