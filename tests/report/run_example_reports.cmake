# ctest browser.examples: every example scenario is run with --report (`sensitivity --report` for
# one with a sensitivity: section, as its header says), then all reports are checked in headless
# Chromium in one browser session (browser_check.py).
#   -DCARTSIM=... -DPYTHON=... -DCHECK=browser_check.py -DEXAMPLES=dir -DWORKDIR=dir [-DFIGURES=dir]
file(REMOVE_RECURSE "${WORKDIR}")
file(MAKE_DIRECTORY "${WORKDIR}")
file(GLOB scenarios "${EXAMPLES}/*.yaml")
set(reports)
foreach(scenario IN LISTS scenarios)
  get_filename_component(stem "${scenario}" NAME_WE)
  file(READ "${scenario}" text)
  set(command run)
  if(text MATCHES "\nsensitivity:")
    set(command sensitivity)
  endif()
  execute_process(COMMAND "${CARTSIM}" ${command} "${scenario}" -o "${WORKDIR}/${stem}" -q --report
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cartsim ${command} ${stem} --report exited ${rc}:\n${out}${err}")
  endif()
  if(NOT EXISTS "${WORKDIR}/${stem}/report.html")
    message(FATAL_ERROR "${stem}: no report.html\n${out}")
  endif()
  list(APPEND reports "${WORKDIR}/${stem}/report.html")
endforeach()
set(extra)
if(FIGURES)
  set(extra --figure-dir "${FIGURES}")
endif()
# 4 s each here (the reports of the examples are small; the 2 s requirement is tested on the
# 10,000-subject report, browser.population_10000): the shared 2-core machine is often loaded.
execute_process(COMMAND "${PYTHON}" "${CHECK}" --max-load-ms 4000 ${extra} ${reports}
                RESULT_VARIABLE rc)
if(rc EQUAL 77)
  message("SKIPPED: chromium is not installed")
  # ctest maps this to "skipped" through SKIP_REGULAR_EXPRESSION.
elseif(NOT rc EQUAL 0)
  message(FATAL_ERROR "browser checks failed (exit ${rc})")
endif()
