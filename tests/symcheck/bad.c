/*
 * A deliberately bad "core" object for the symbol check's self-test: each
 * definition breaks a rule that tests/check_symbols.sh must catch.
 */
int synack_bad_counter;                /* writable exported data (B) */
int synack_bad_initialised = 3;        /* writable exported data (D) */
static int file_state = 5;             /* writable file-scope static (d) */

/* exported without the synack_ prefix (T) */
int helper_without_prefix(void)
{
    static int calls;                  /* writable function static (b) */
    calls += file_state++;
    return calls;
}
