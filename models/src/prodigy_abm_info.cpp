// prodigy_abm: the model description. States, observables, harvest metrics and protocol actions
// are prodigy_tct's (the agent model mirrors it); the parameters are prodigy_tct's followed by the
// agent engine's own. docs/models/prodigy_abm.md explains every rule and value.
#include "cartsim/models/prodigy_abm.hpp"

namespace cartsim::models {

const ModelInfo& ProdigyAbm::info() const {
  static const ModelInfo model_info = [] {
    ModelInfo m = ProdigyTct().info();
    m.name = "prodigy_abm";
    m.title = "CAR-T manufacturing in the CliniMACS Prodigy TCT process, agent-based";
    m.summary =
        "The prodigy_tct culture with individual T cells (or weighted agents standing for w "
        "identical cells): per agent lineage, activation phase (resting, 6 lag stages, dividing "
        "with a 4-stage destiny clock shared by the family, post-destiny), phenotype, generation, "
        "integrated vector copies (integer) and susceptibility. Division, death, stage changes and "
        "vector integrations are per-agent events at rates set by the well-mixed chamber, whose "
        "medium the agents consume. Same protocol actions, states, observables and harvest "
        "metrics as prodigy_tct; in addition the run writes distributions (VCN per cell, "
        "divisions per cell, clone sizes) and its replicates give the run-to-run spread.";
    m.equations =
        "Chamber (vector, TransAct, cytokines, glucose, lactate, non-T and dead cells): "
        "prodigy_tct's equations, explicit Euler with 8 substeps per agent step, cells held at "
        "the step's start; vector integrations use the step's mean vector concentration.\n"
        "Agent timers: each pending transition holds a remaining Exp(1) amount consumed at its "
        "current rate r(t) per step h (it fires when the amount reaches 0), so a transition of a "
        "cell happens with hazard r(t) exactly as in the ODE compartment it mirrors:\n"
        "  resting -> lag stage 1: k_act s(t);  lag stage j -> j+1: 6/tau_lag;  lag 6 -> first "
        "division (2 daughters, dividing, destiny stage 1)\n"
        "  dividing: division at mu(t) (lineage), destiny stage j -> j+1 at kappa(t) = 4/tau_dest "
        "(1 + speedup (1-s)); stage 4 -> post-destiny (daughters share the clock: Cyton2 family "
        "inheritance, abm_family_destiny)\n"
        "  death: d_R (resting, lag) or d_A (dividing, post-destiny)\n"
        "  integration: copies += 1 at rate eps k_bind c_V(t) sigma_i x (mean susceptibility, or "
        "the cell's phase susceptibility); sigma_i = 1 (Poisson) or Gamma(k_d, 1/k_d) per "
        "founder cell, inherited (negative binomial)\n"
        "  division timer: Exp(1) (abm_division_cv = 1), or lognormal with mean 1 and CV "
        "abm_division_cv, sisters' log timers correlated abm_sibling_correlation\n"
        "  division: each daughter moves one phenotype on with probability p_k; copies, "
        "susceptibility, lineage, founder and generation + 1 are inherited\n"
        "Weighted agents: an agent stands for w cells; seeding makes at most abm_agents agents; "
        "divisions split an agent into two of the same weight; beyond 2 abm_agents live agents "
        "the agents of each clone are merged in pairs (one of the two, chosen in proportion to "
        "weight, carries the pair's weight: unbiased, clone totals unchanged). Removal of a "
        "fraction f "
        "(wash, sample, select, harvest): binomial thinning of each agent's w cells.";
    m.references +=
        " Salmon JK, Moraes MA, Dror RO, Shaw DE. Parallel random numbers: as easy as 1, 2, 3. "
        "SC'11 (Philox). Kahn H, Harris TE. Estimation of particle transmission by random "
        "sampling. NBS Appl Math Ser 1951;12:27-30 (splitting and Russian roulette).";
    m.deviations =
        "Mirrors prodigy_tct, including its gamma (multi-stage exponential) lag and destiny "
        "clocks rather than Cyton's lognormal timers (lognormal division timers are an option). "
        "Non-T cells and dead cells are well-mixed amounts, not agents. Agents are updated on a "
        "fixed step (abm_dt_h), with the rates of the step's start; the chamber by explicit "
        "Euler. With weight w > 1 an agent's cells share every event, so the replicate spread "
        "overstates the intrinsic (w = 1) spread. State-triggered protocol steps and generic "
        "dose/set of cell states are not supported. See docs/models/prodigy_abm.md.";
    m.states.clear();
    m.states = ProdigyTct().info().states;
    m.parameters.push_back({"abm_agents", "agents",
                            "target number of agents (cells per agent = cells / abm_agents when "
                            "the culture is larger)",
                            20000.0, 10.0, 1e8, "numerical setting: error ~ 1/sqrt(agents)"});
    m.parameters.push_back({"abm_dt_h", "h", "agent time step", 0.5, 0.01, 6.0,
                            "numerical setting: rates change on a scale of hours"});
    m.parameters.push_back(
        {"abm_division_cv", "1",
         "coefficient of variation of division timers: 1 = exponential "
         "(prodigy_tct's constant hazard), < 1 lognormal with mean 1/mu",
         1.0, 0.05, 1.0, "Hawkins 2007 / Cheon 2021: lognormal division times; 1 mirrors the ODE"});
    m.parameters.push_back({"abm_sibling_correlation", "1",
                            "correlation of sisters' log division timers (lognormal only)", 0.0,
                            -1.0, 1.0,
                            "assumed 0; Cyton2 (Cheon 2021) reports strongly correlated siblings"});
    m.parameters.push_back({"abm_family_destiny", "1",
                            "1: daughters share the mother's destiny clock (Cyton2 family "
                            "inheritance); 0: each daughter draws its own remaining stage time",
                            1.0, 0.0, 1.0, "Cheon 2021 (Cyton2); the ODE's D stages agree"});
    m.parameters.push_back({"abm_state_susceptibility", "1",
                            "0: every T cell takes up vector at the mean susceptibility (as "
                            "prodigy_tct); 1: resting cells at resting_susceptibility, activated "
                            "at 1",
                            0.0, 0.0, 1.0, "0 mirrors prodigy_tct; 1 is the per-cell reading"});
    return m;
  }();
  return model_info;
}

}  // namespace cartsim::models
