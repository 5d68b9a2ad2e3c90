/*
 * Test certificates for test_tls*.c, made once with OpenSSL 3.0 by
 * tests/unit/tls/tls_fixtures.sh (EC P-256 CA valid 2026-12-06..2126, a second
 * CA, a leaf for DNS:server.test with its key as SEC1 and PKCS#8, an RSA-2048
 * leaf from the same CA). Test keys only: they protect nothing.
 * Generated: do not edit.
 */
#ifndef SYNACK_TLS_FIXTURES_H
#define SYNACK_TLS_FIXTURES_H

static const char TLS_FX_CA[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBmTCCAT+gAwIBAgIUPyGd1Eb3DsDKlOTHp5yNU/0ZVjswCgYIKoZIzj0EAwIw\n"
    "GTEXMBUGA1UEAwwOc3luYWNrIHRlc3QgQ0EwIBcNMjYxMjA2MDM0MzAxWhgPMjEy\n"
    "NjExMTIwMzQzMDFaMBkxFzAVBgNVBAMMDnN5bmFjayB0ZXN0IENBMFkwEwYHKoZI\n"
    "zj0CAQYIKoZIzj0DAQcDQgAE+epQN3kJVoUNVs//NN+dOBo7EEjmXZd2CMAgNNli\n"
    "0WVAqigXQj8HzVB88p1mIOiyx2dTH3zfhh/zjX85PoVHMqNjMGEwHQYDVR0OBBYE\n"
    "FPQSLgsQuXaSNKYwwl/pFP8DdNcmMB8GA1UdIwQYMBaAFPQSLgsQuXaSNKYwwl/p\n"
    "FP8DdNcmMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoGCCqGSM49\n"
    "BAMCA0gAMEUCIAOgo8dENmx3x99CGwSQBx52y4o9dN5ZG1o6w7Xw9SoZAiEAyHXP\n"
    "sCRoNYdKW8qaS+cbFuyJRcIqzkcB/IeQYya+20E=\n"
    "-----END CERTIFICATE-----\n";

static const char TLS_FX_OTHER_CA[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBmzCCAUGgAwIBAgIUZOBMN3WQamOqOchcxzuuccep7QMwCgYIKoZIzj0EAwIw\n"
    "GjEYMBYGA1UEAwwPc3luYWNrIG90aGVyIENBMCAXDTI2MTIwNjAzNDMwMVoYDzIx\n"
    "MjYxMTEyMDM0MzAxWjAaMRgwFgYDVQQDDA9zeW5hY2sgb3RoZXIgQ0EwWTATBgcq\n"
    "hkjOPQIBBggqhkjOPQMBBwNCAARvmYjZUAP2rUWdoMoZta3fko+eQkPIFZGveo/Z\n"
    "Q6yisdUgE9cirbunea2PUdBB4MC+GYYosgUMo3sgAdSPnd2xo2MwYTAdBgNVHQ4E\n"
    "FgQUWKTETPv7CMaPiEO+RQHhz2LWDVwwHwYDVR0jBBgwFoAUWKTETPv7CMaPiEO+\n"
    "RQHhz2LWDVwwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZI\n"
    "zj0EAwIDSAAwRQIhAPbSugVDL1nzn6XzeLVa6z8Uq62L1zwEg53qYLJFKxEyAiA1\n"
    "FAQKMqJB4LRZYj0xcThPqTta6ia0U/DPwEIhmeOt1A==\n"
    "-----END CERTIFICATE-----\n";

static const char TLS_FX_LEAF[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBvDCCAWKgAwIBAgIUQpVlS/BZ4BpCmq8b7fv4zntl2ecwCgYIKoZIzj0EAwIw\n"
    "GTEXMBUGA1UEAwwOc3luYWNrIHRlc3QgQ0EwIBcNMjYxMjA2MDM0MzAxWhgPMjEy\n"
    "NjExMTIwMzQzMDFaMBYxFDASBgNVBAMMC3NlcnZlci50ZXN0MFkwEwYHKoZIzj0C\n"
    "AQYIKoZIzj0DAQcDQgAEDB403irMM9x49CMd1cene+o8Omzpc6urXWa+qs+e0aId\n"
    "TOvCOTXxaiUo5owZNTPQ8d/H3pgApB1cZgLBEOZn76OBiDCBhTAWBgNVHREEDzAN\n"
    "ggtzZXJ2ZXIudGVzdDAJBgNVHRMEAjAAMAsGA1UdDwQEAwIHgDATBgNVHSUEDDAK\n"
    "BggrBgEFBQcDATAdBgNVHQ4EFgQU1OLXco/iYq9jvwBJsx1SWgoXU6swHwYDVR0j\n"
    "BBgwFoAU9BIuCxC5dpI0pjDCX+kU/wN01yYwCgYIKoZIzj0EAwIDSAAwRQIhAMj0\n"
    "wjAMYLXFAHFllqEml/RW6nkG4hTvmpTTINygsSWLAiBUKrlpOfOPItmeNMl7efZi\n"
    "loJ53P0Ge1+HHnbv2EWRzg==\n"
    "-----END CERTIFICATE-----\n";

static const char TLS_FX_LEAF_KEY[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIC2xittx/OB1ySmcHf+poxjzpQWi1gGCD8LcIINLwSpOoAoGCCqGSM49\n"
    "AwEHoUQDQgAEDB403irMM9x49CMd1cene+o8Omzpc6urXWa+qs+e0aIdTOvCOTXx\n"
    "aiUo5owZNTPQ8d/H3pgApB1cZgLBEOZn7w==\n"
    "-----END EC PRIVATE KEY-----\n";

static const char TLS_FX_LEAF_KEY_P8[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLbGK23H84HXJKZwd\n"
    "/6mjGPOlBaLWAYIPwtwgg0vBKk6hRANCAAQMHjTeKswz3Hj0Ix3Vx6d76jw6bOlz\n"
    "q6tdZr6qz57Roh1M68I5NfFqJSjmjBk1M9Dx38femACkHVxmAsEQ5mfv\n"
    "-----END PRIVATE KEY-----\n";

static const char TLS_FX_RSA_LEAF[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIChjCCAi2gAwIBAgIUQpVlS/BZ4BpCmq8b7fv4zntl2egwCgYIKoZIzj0EAwIw\n"
    "GTEXMBUGA1UEAwwOc3luYWNrIHRlc3QgQ0EwIBcNMjYxMjA2MDM0MzAxWhgPMjEy\n"
    "NjExMTIwMzQzMDFaMBYxFDASBgNVBAMMC3NlcnZlci50ZXN0MIIBIjANBgkqhkiG\n"
    "9w0BAQEFAAOCAQ8AMIIBCgKCAQEAs5LpDLWSkzuClIaFj0RJwZzpi9tU+guUxZ/c\n"
    "xxbzgBEKddScB/l1+sUvaGbtFyCQfWBJ51VT30mApSTJ6Q7cO60kLgcZuCAw5c7U\n"
    "rJvUgX4/0/3Ndzfugwe0y+q+eixucx98upUKjMrxNdTO3PZ9qZ0HrMoNxi41h1sy\n"
    "FTOpuMyyDQYG4WwoxKDvMzzD6KNF2cXYltpnCzUbLaCgFVp9JuG8UT7acxVLnPz3\n"
    "NzrIOQhMeHf5TUJzg7mYDpftnpTN7JVZ3zWm3Tz4cw7OVdY5MbjTRUVfOj4ZBiW0\n"
    "yLaeySGj31HNBNKsaKRdJg7IXcAYHn7qstw6CkrrU65qd+gafwIDAQABo4GIMIGF\n"
    "MBYGA1UdEQQPMA2CC3NlcnZlci50ZXN0MAkGA1UdEwQCMAAwCwYDVR0PBAQDAgeA\n"
    "MBMGA1UdJQQMMAoGCCsGAQUFBwMBMB0GA1UdDgQWBBQ00wCgnh1NzYSgSSZ9oMc+\n"
    "9DpjUzAfBgNVHSMEGDAWgBT0Ei4LELl2kjSmMMJf6RT/A3TXJjAKBggqhkjOPQQD\n"
    "AgNHADBEAiAGBTAMKQZvAQgfQ4koNNRbJd+lrMMTIQcnuxMZiWlSwQIgPLmXcGha\n"
    "2lcal7Nj/vquXWZR8JtUdUgteh36XTKA5fU=\n"
    "-----END CERTIFICATE-----\n";

static const char TLS_FX_RSA_KEY[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCzkukMtZKTO4KU\n"
    "hoWPREnBnOmL21T6C5TFn9zHFvOAEQp11JwH+XX6xS9oZu0XIJB9YEnnVVPfSYCl\n"
    "JMnpDtw7rSQuBxm4IDDlztSsm9SBfj/T/c13N+6DB7TL6r56LG5zH3y6lQqMyvE1\n"
    "1M7c9n2pnQesyg3GLjWHWzIVM6m4zLINBgbhbCjEoO8zPMPoo0XZxdiW2mcLNRst\n"
    "oKAVWn0m4bxRPtpzFUuc/Pc3Osg5CEx4d/lNQnODuZgOl+2elM3slVnfNabdPPhz\n"
    "Ds5V1jkxuNNFRV86PhkGJbTItp7JIaPfUc0E0qxopF0mDshdwBgefuqy3DoKSutT\n"
    "rmp36Bp/AgMBAAECggEAEPTr7cfNhfqmG3lSblNf9ZjoEs1MymnCjCDK27/mkW7K\n"
    "gpLngvdC9UGedujVNYxdKIGpqN8NUvXhYHbHXCsLj9ULKA+ClbjwdRrhSUVTvUCb\n"
    "LVz3hGzzKEtXfrP1dZrxeQx9ni7Jtr7JJTCpsgLSnewWl/HieBbP9i6d3ZOp0KnW\n"
    "+vgkMQBhR7EOjFswxfb6TWY0KoNRR5vWUw2AMPdDNEXxyvblSddo8zRPXOnB/1NJ\n"
    "AvpAArZxDXUsvAZ8uYda8VtdQOSJ2CXAMe9r53q4lytUULwijQ6rmweJakWKl80t\n"
    "64YezKGIhWLtZKIVgzsIdAPlWKZ3lj60NmfjoWzqLQKBgQDo08dtfSSKhaAnfv0d\n"
    "CHxDTOGVZUmO+SgMSCP6xb9v0QSeHuHOioGF216zmijY+Xj5fdriZKOatV2Y6PsJ\n"
    "y+gbDY1FVwJQ6cUuHDA2KwoYBl161T6EBwfgsvEclSdPwna12S13SSb9ltsdkLFc\n"
    "kLrOmQxA/q3vAkcox+oVjt4iHQKBgQDFckjfS87lvv/cLzPLeqCToTPe4+ZbuWWG\n"
    "PrPB2wkE9QRvQl1d80MtatxacF4yzBe9Ha6b4nVyvK+snINlwZYyO0m+7tc+LZBj\n"
    "vckxj3AwO0QJJ62Ib/M9cj7bGY/55i7sQepoW8nqeV2+mTaHsJ7K76Szu8I7h9Os\n"
    "KW7oPynMSwKBgQC8Rw4dXzaegiKZ7do3kTYTomdFzYunf5rAG9Jkp2cAwDEQwP5v\n"
    "bJgDK/uwF3jyxQLsFrdbnnCi2glfbwAa0vbWcaYNLahk0DYw7ICcPT/DX9pWS31r\n"
    "fNgFAA90wrTwjdw7f+2BafmK1mRIy0pyBWPbT+6V3J3BCsGKm+eTGV5OjQKBgFqv\n"
    "zCKregLyACiMkZiS4TANaXqlaEeW1rebEwsl5HWfaAMGE0Y0lhVFMKJlXA6uyPR2\n"
    "rp0wnUsuuO1qEbvp92do7c1BfCE14ky9faxCun+cqPoffEffS3RchdwyWHuqKsEe\n"
    "4WA/UHVeex0w1+foynZhLV/UDDk1gJZhjWwknrkTAoGAAqJdgpUJQm1th0WD5TV7\n"
    "3BYl7MO9ut0x8MaRIwRIVOGd8GEk/auXSUW6RrI34JVdQZil2p61d0OkvzgTC2eQ\n"
    "qdnkpaDYU4IpOkTvFQcTBdMUeNh17TWOYJi5UvE7ktWeEYJu9Oao93nKXD4JHAMf\n"
    "tBo+6VFZzVyYcuEQmGfFKxo=\n"
    "-----END PRIVATE KEY-----\n";

#endif
