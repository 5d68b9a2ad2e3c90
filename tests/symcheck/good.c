/*
 * A clean "core" object for the symbol check's self-test: a const table,
 * a static function and one prefixed export, which must all pass.
 */
static const unsigned char table[4] = { 1, 2, 3, 4 };

static int lookup(unsigned i)
{
    return table[i & 3u];
}

/* Exported with the project prefix. */
int synack_good_lookup(unsigned i)
{
    return lookup(i);
}
