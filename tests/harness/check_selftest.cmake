# Runs tests/harness/selftest in one MODE and checks its exit status and
# output, so that a runner that reports a failure as a pass cannot go unseen.
#
#   cmake -DEXE=path -DMODE=pass|int|... -DKIND=harness|cmocka
#         [-DEMU="wasmtime|run"] -P check_selftest.cmake
#
# EMU is the cross-compiling emulator with "|" between its words.
# KIND=harness expects the run to stop at the first failed assertion (no
# longjmp); KIND=cmocka expects real cmocka to go on with the next test.

if(NOT DEFINED EXE OR NOT DEFINED MODE OR NOT DEFINED KIND)
  message(FATAL_ERROR "usage: -DEXE=... -DMODE=... -DKIND=harness|cmocka")
endif()
set(cmd)
if(DEFINED EMU AND NOT EMU STREQUAL "")
  string(REPLACE "|" ";" cmd "${EMU}")
endif()
list(APPEND cmd "${EXE}" "${MODE}")

execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err TIMEOUT 60)
set(all "${out}${err}")
message("${all}")

function(expect regex)
  if(NOT all MATCHES "${regex}")
    message(FATAL_ERROR "selftest ${MODE}: output lacks /${regex}/")
  endif()
endfunction()
function(expect_not regex)
  if(all MATCHES "${regex}")
    message(FATAL_ERROR "selftest ${MODE}: output unexpectedly has /${regex}/")
  endif()
endfunction()

if(MODE STREQUAL "pass")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "selftest pass: exit status ${rc}, expected 0")
  endif()
  expect("\\[==========\\] Running 4 test\\(s\\)\\.")
  expect("\\[       OK \\] test_every_assertion_passes")
  expect("\\[  PASSED  \\] 3 test\\(s\\)\\.")
  expect("\\[  SKIPPED \\] test_skipped")
  expect_not("FAILED")
  return()
endif()

# Every other mode fails test_failing, the second of three tests.
if(rc EQUAL 0 OR NOT rc MATCHES "^[0-9]+$")
  message(FATAL_ERROR "selftest ${MODE}: exit status '${rc}', expected a failure status")
endif()
expect("\\[       OK \\] test_first")
expect_not("\\[       OK \\] test_failing")

if(MODE STREQUAL "setup")
  # A failing setup needs no longjmp: both runners go on. (cmocka 1.1.5
  # reports it as an error, not in the list of failed tests.)
  expect("\\[  ERROR   \\] test_failing")
  expect("\\[       OK \\] test_after_failure")
  return()
endif()

expect("\\[  FAILED  \\] 1 test\\(s\\), listed below:")
expect("\\[  FAILED  \\] test_failing")

expect("selftest\\.c:[0-9]+: error: Failure!")
if(KIND STREQUAL "harness")
  expect_not("\\[ RUN      \\] test_after_failure")
  expect("1 later test\\(s\\) of failing did not run")
else()
  expect("\\[       OK \\] test_after_failure")
endif()

set(detail_int "7 \\(0x7\\) != 8 \\(0x8\\)|0x7 != 0x8")
set(detail_int_not "7 \\(0x7\\) == 7 \\(0x7\\)|0x7 == 0x7")
set(detail_range "11 is not within the range 1-10")
set(detail_memory "difference at offset 1 0x02 0x09")
set(detail_string "\"?abc\"? != \"?abd\"?")
set(detail_fail_msg "custom message 17")
if(DEFINED detail_${MODE})
  expect("${detail_${MODE}}")
endif()
