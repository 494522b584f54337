# Runs cartsim on one bad scenario and checks that it is rejected the way the file says.
#
#   cmake -DCARTSIM=<cartsim> -DSCENARIO=<file.yaml> -DMODE=run -DOUTDIR=<dir> -P check_bad_input.cmake
#   cmake -DCARTSIM=<cartsim> -DSCENARIO=<file.yaml> -DMODE=check -P check_bad_input.cmake
#
# MODE run (the default) runs `cartsim run SCENARIO -o OUTDIR`; MODE check runs `cartsim check SCENARIO`.
# The scenario's header comments hold the expectations:
#   # expect: <text>                     stderr must contain <text>; one or more such lines
#   # expect-location: <line>:<column>   stderr must contain "<SCENARIO>:<line>:<column>: "
# The test passes when the exit code is exactly 2, stderr meets every expectation and, in run mode,
# OUTDIR was not created.
#
# Expectations are kept in plain variables (expect_0, expect_1, ...), never in CMake lists: messages
# contain ';' and unbalanced '[' (e.g. "out of range [0, 100]"), which lists would split or merge.
cmake_minimum_required(VERSION 3.22)

foreach(required IN ITEMS CARTSIM SCENARIO)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "check_bad_input.cmake: pass -D${required}=...")
  endif()
endforeach()
if(NOT DEFINED MODE OR "${MODE}" STREQUAL "")
  set(MODE run)
endif()
if(NOT EXISTS "${SCENARIO}")
  message(FATAL_ERROR "check_bad_input.cmake: no such scenario: ${SCENARIO}")
endif()

# --- Read the expectations from the header comments ---
file(READ "${SCENARIO}" content)
string(REPLACE "\r" "" content "${content}")
set(rest "\n${content}")
set(expect_count 0)
set(location "")
while(TRUE)
  string(FIND "${rest}" "\n# expect" start)
  if(start EQUAL -1)
    break()
  endif()
  math(EXPR start "${start} + 1")
  string(SUBSTRING "${rest}" ${start} -1 rest)
  string(FIND "${rest}" "\n" end)
  if(end EQUAL -1)
    set(line "${rest}")
    set(rest "")
  else()
    string(SUBSTRING "${rest}" 0 ${end} line)
    string(SUBSTRING "${rest}" ${end} -1 rest)
  endif()
  if("${line}" MATCHES "^# expect: (.+)$")
    string(STRIP "${CMAKE_MATCH_1}" expect_${expect_count})
    math(EXPR expect_count "${expect_count} + 1")
  elseif("${line}" MATCHES "^# expect-location: ([0-9]+:[0-9]+)[ \t]*$")
    if(NOT location STREQUAL "")
      message(FATAL_ERROR "${SCENARIO}: more than one '# expect-location:' line")
    endif()
    set(location "${CMAKE_MATCH_1}")
  else()
    message(FATAL_ERROR "${SCENARIO}: malformed expectation line: ${line}")
  endif()
endwhile()
if(expect_count EQUAL 0 OR location STREQUAL "")
  message(FATAL_ERROR
          "${SCENARIO}: needs at least one '# expect: TEXT' line and one "
          "'# expect-location: LINE:COLUMN' line")
endif()

# --- Run cartsim ---
if(MODE STREQUAL "run")
  if(NOT DEFINED OUTDIR OR "${OUTDIR}" STREQUAL "")
    message(FATAL_ERROR "check_bad_input.cmake: MODE run needs -DOUTDIR=...")
  endif()
  file(REMOVE_RECURSE "${OUTDIR}")  # fresh: whatever exists afterwards, cartsim made
  set(command "${CARTSIM}" run "${SCENARIO}" -o "${OUTDIR}")
elseif(MODE STREQUAL "check")
  set(command "${CARTSIM}" check "${SCENARIO}")
else()
  message(FATAL_ERROR "check_bad_input.cmake: MODE must be run or check, got '${MODE}'")
endif()
execute_process(COMMAND ${command}
                RESULT_VARIABLE exit_code
                OUTPUT_VARIABLE stdout
                ERROR_VARIABLE stderr
                TIMEOUT 60)

# --- Check ---
set(failures "")
if(NOT "${exit_code}" STREQUAL "2")
  string(APPEND failures "\n  exit code: got '${exit_code}', expected 2")
endif()
math(EXPR last "${expect_count} - 1")
foreach(i RANGE ${last})
  string(FIND "${stderr}" "${expect_${i}}" found)
  if(found EQUAL -1)
    string(APPEND failures "\n  stderr lacks: ${expect_${i}}")
  endif()
endforeach()
set(where "${SCENARIO}:${location}: ")
string(FIND "${stderr}" "${where}" found)
if(found EQUAL -1)
  string(APPEND failures "\n  stderr lacks the location: ${where}")
endif()
if(MODE STREQUAL "run" AND EXISTS "${OUTDIR}")
  string(APPEND failures "\n  the output directory was created: ${OUTDIR}")
endif()

if(NOT failures STREQUAL "")
  message(FATAL_ERROR
          "cartsim ${MODE} ${SCENARIO}:${failures}\n"
          "--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}")
endif()
message(STATUS "cartsim ${MODE} rejected ${SCENARIO} as expected (exit 2, ${location})")
