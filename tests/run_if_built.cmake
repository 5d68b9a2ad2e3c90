# Runs a test executable whose code is built only on some targets (see
# SYNACK_TEST_NEEDS in tests/CMakeLists.txt), or reports a skip.
#   cmake -DEXE=path -DNEED=target -DHAVE=0|1 [-DEMU="node"] -P run_if_built.cmake
if(NOT HAVE)
  message("SYNACK-SKIP: ${NEED} is not built for this target")
  return()
endif()
set(cmd)
if(DEFINED EMU AND NOT EMU STREQUAL "")
  string(REPLACE "|" ";" cmd "${EMU}")
endif()
execute_process(COMMAND ${cmd} "${EXE}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE}: exit status ${rc}")
endif()
