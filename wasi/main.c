/*
 * synack.wasm, the `synack` tool for WASI (DESIGN.md, CONTRACT: `synack`
 * command-line tool). The commands live in host/cli/ (shared with the
 * native tool); this file only wires them to WASI.
 */
#include "cli_platform.h"
#include "wasi.h"

int main(int argc, char **argv)
{
    synack_wasi w;
    synack_cli_platform p;
    synack_wasi_platform(&p, &w);
    return synack_cli_main(argc, argv, &p);
}
