/*
 * synack-bridge: switches Ethernet frames between stream-framed clients
 * and a TAP device or a user-mode NAT (DESIGN.md, CONTRACT: synack-bridge).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loop.h"
#include "options.h"

/* Read the token of --token-file: the file's bytes minus trailing CR/LF. */
static int read_token_file(const char *path, uint8_t *buf, size_t cap,
                           size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "synack-bridge: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fread(buf, 1, cap, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (n == 0 || n > SYNACK_BR_TOKEN_MAX || more) {
        fprintf(stderr, "synack-bridge: %s: token must be 1..%d bytes\n", path,
                SYNACK_BR_TOKEN_MAX);
        return -1;
    }
    *len = n;
    return 0;
}

int main(int argc, char **argv)
{
    synack_br_options opt;
    char err[256];
    if (synack_br_options_parse(&opt, argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "synack-bridge: %s\n%s", err, synack_br_usage());
        return 2;
    }
    if (opt.help) {
        fputs(synack_br_usage(), stdout);
        return 0;
    }
    uint8_t token[SYNACK_BR_TOKEN_MAX + 2];
    size_t token_len = 0;
    const uint8_t *tok = NULL;
    if (opt.token != NULL) {
        token_len = strlen(opt.token);
        memcpy(token, opt.token, token_len);
        tok = token;
    } else if (opt.token_file != NULL) {
        if (read_token_file(opt.token_file, token, SYNACK_BR_TOKEN_MAX + 1,
                            &token_len) < 0)
            return 2;
        tok = token;
    }
    return synack_br_run(&opt, tok, token_len);
}
