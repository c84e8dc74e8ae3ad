"""Argon2 at the lowest cost, for the test suite only.

Production hashes every password, code and answer with Django's Argon2 (about 0.13 s
and 100 MiB each, on purpose). The suite creates thousands of them; it keeps the same
algorithm and encoding (``argon2$argon2id$...``) at the smallest parameters, so what
it proves about hashing still holds while the suite spends its time on the product.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8
    parallelism = 1
