# Platform file for CMAKE_SYSTEM_NAME=WASI (CMake 3.25 has none): static
# executables, no shared libraries, no rpath. Found through the
# CMAKE_MODULE_PATH that cmake/wasi.cmake sets.
set(WASI 1)
set(UNIX 1)
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
