# The informational commands: models, solvers, describe (every model), --version, --help, and
# exit code 2 for bad usage.
function(expect_run expected_rc pattern)
  execute_process(COMMAND ${CARTSIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL expected_rc)
    message(FATAL_ERROR "cartsim ${ARGN}: exit ${rc}, expected ${expected_rc}\n${out}\n${err}")
  endif()
  if(NOT "${out}${err}" MATCHES "${pattern}")
    message(FATAL_ERROR "cartsim ${ARGN}: output does not match '${pattern}':\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

expect_run(0 "stein2019" models)
expect_run(0 "cvode_bdf.*cvode_adams.*dopri5.*odeint_dopri5.*odeint_rosenbrock4" solvers)
expect_run(0 "cartsim [0-9]+\\.[0-9]+\\.[0-9]+" --version)
expect_run(0 "run" --help)
expect_run(0 "Output directory" run --help)
expect_run(0 "doi:10.1002/psp4.12388" describe stein2019)
expect_run(0 "Parameters:.*foldx.*copies/ug" describe stein2019)
expect_run(0 "Verhulst" describe logistic)
expect_run(0 "Parameters:.*proliferation_per_d.*calibrated.*memory_death_per_d.*Stein 2019" describe cart_patient)
expect_run(2 "unknown model 'stien2019'; did you mean 'stein2019'" describe stien2019)
expect_run(2 "" frobnicate)
expect_run(2 "" run)
expect_run(2 "cannot|No such|not exist|unreadable" run /nonexistent/scenario.yaml -o /tmp/cartsim-never)
# Merging directories that are not a shard set is bad input (exit 2), not a failure.
expect_run(2 "not a shard's output|cannot read" merge /nonexistent/shard1 /nonexistent/shard2
           -o /tmp/cartsim-never-merged)
# describe shows each action setting's range.
expect_run(0 "moi +IU/cell +required +\\[0.01, 1000\\]" describe prodigy_tct)
