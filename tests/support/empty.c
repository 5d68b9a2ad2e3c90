/* keeps the support library non-empty */
typedef int synack_testsupport_empty;
