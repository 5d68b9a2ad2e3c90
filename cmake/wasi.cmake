# Toolchain for wasm32-wasi (WASI preview 1) with clang 14.
#
# Default: Debian's clang-14 and lld-14 with Debian's wasi-libc as the sysroot
# (headers in /usr/include/wasm32-wasi, libraries in /usr/lib/wasm32-wasi;
# clang finds them from --sysroot=/usr) and the wasm32 compiler-rt builtins
# from libclang-rt-14-dev-wasm32.
# With WASI_SDK_PATH set (environment or -D), the wasi-sdk's clang and its
# sysroot are used instead.
# Programs run under wasmtime (the cross-compiling emulator, so CTest can run
# the tests); set WASMTIME to pick another binary.

set(CMAKE_SYSTEM_NAME WASI)
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(triple wasm32-wasi)

if(NOT DEFINED WASI_SDK_PATH AND DEFINED ENV{WASI_SDK_PATH} AND NOT "$ENV{WASI_SDK_PATH}" STREQUAL "")
  set(WASI_SDK_PATH "$ENV{WASI_SDK_PATH}")
endif()

if(DEFINED WASI_SDK_PATH AND NOT WASI_SDK_PATH STREQUAL "")
  set(CMAKE_C_COMPILER "${WASI_SDK_PATH}/bin/clang")
  set(CMAKE_AR "${WASI_SDK_PATH}/bin/llvm-ar" CACHE FILEPATH "archiver")
  set(CMAKE_RANLIB "${WASI_SDK_PATH}/bin/llvm-ranlib" CACHE FILEPATH "ranlib")
  set(CMAKE_NM "${WASI_SDK_PATH}/bin/llvm-nm" CACHE FILEPATH "nm")
  set(CMAKE_SYSROOT "${WASI_SDK_PATH}/share/wasi-sysroot")
  set(wasi_ld_flag "")
else()
  find_program(CMAKE_C_COMPILER NAMES clang-14 REQUIRED)
  find_program(CMAKE_AR NAMES llvm-ar-14 llvm-ar REQUIRED)
  find_program(CMAKE_RANLIB NAMES llvm-ranlib-14 llvm-ranlib REQUIRED)
  find_program(CMAKE_NM NAMES llvm-nm-14 llvm-nm)
  set(CMAKE_SYSROOT /usr)
  # clang-14 looks for wasm-ld; Debian installs it as wasm-ld-14.
  find_program(SYNACK_WASM_LD NAMES wasm-ld-14 wasm-ld REQUIRED)
  set(wasi_ld_flag "-fuse-ld=${SYNACK_WASM_LD}")
endif()

set(CMAKE_C_COMPILER_TARGET ${triple})
set(CMAKE_EXE_LINKER_FLAGS_INIT "${wasi_ld_flag}")
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")

# No shared libraries on WASI preview 1.
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

if(NOT DEFINED CMAKE_CROSSCOMPILING_EMULATOR)
  if(DEFINED ENV{WASMTIME} AND NOT "$ENV{WASMTIME}" STREQUAL "")
    set(wasmtime "$ENV{WASMTIME}")
  else()
    find_program(wasmtime NAMES wasmtime HINTS "$ENV{HOME}/.cargo/bin" NO_CACHE)
    if(NOT wasmtime)
      set(wasmtime wasmtime)
    endif()
  endif()
  # --dir=. lets a test read and write files in its working directory.
  set(CMAKE_CROSSCOMPILING_EMULATOR "${wasmtime};run;--dir=.")
endif()
